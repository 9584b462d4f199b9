/**
 * A Hadoop SequenceFile writer (version 6 format, as org.apache.hadoop.io.SequenceFile.Writer writes it), for the
 * records Flume's HDFS sink writes: key LongWritable (the event timestamp), value BytesWritable or Text (the body).
 *
 * Layout: `SEQ` 6, key and value class names as Hadoop Text (vint length + UTF-8), `compressed` and
 * `blockCompressed` booleans, the codec class name when compressed, metadata (int count = 0), a 16-byte sync marker.
 * Uncompressed records: `int recordLength, int keyLength, key, value`, with `int -1` + the marker written when at
 * least SYNC_INTERVAL bytes passed since the last one, and on every `sync()` (Flume calls it on each flush).
 * Block-compressed (Flume uses BLOCK whenever hdfs.codeC is set): on `sync()` (each flush, or when the buffered
 * keys+values reach 1,000,000 bytes) `-1` + marker, vint record count, then four compressed buffers (key lengths as
 * vints, keys, value lengths as vints, values), each as vint length + the codec's output.
 *
 * The writer only produces bytes (`take()`); the bucket writer ships them to HDFS.
 */
import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { FlumeError } from '../../../core/errors.js';

export const SYNC_INTERVAL = 102_400; // Hadoop 3.x: 5 * 1024 * (4 + 16)
const SYNC_ESCAPE = -1;
const COMPRESSION_BLOCK_SIZE = 1_000_000; // io.seqfile.compress.blocksize

export const LONG_WRITABLE = 'org.apache.hadoop.io.LongWritable';
export const BYTES_WRITABLE = 'org.apache.hadoop.io.BytesWritable';
export const TEXT = 'org.apache.hadoop.io.Text';

/** A compression codec: the Hadoop class name and one-shot compression of a buffer (a complete stream). */
export interface BlockCodec {
  readonly className: string;
  compress(data: Buffer): Buffer;
}

export const DEFAULT_CODEC: BlockCodec = { className: 'org.apache.hadoop.io.compress.DefaultCodec', compress: (b) => deflateSync(b) };

/** Hadoop's WritableUtils.writeVLong (zero-compressed variable-length encoding). */
export function vlong(n: number): Buffer {
  if (n >= -112 && n <= 127) return Buffer.from([n & 0xff]);
  let len = -112;
  let v = BigInt(n);
  if (v < 0n) {
    v = ~v;
    len = -120;
  }
  let tmp = v;
  while (tmp !== 0n) {
    tmp >>= 8n;
    len--;
  }
  const size = len < -120 ? -(len + 120) : -(len + 112);
  const out = Buffer.alloc(1 + size);
  out[0] = len & 0xff;
  for (let i = size; i > 0; i--) out[1 + size - i] = Number((v >> BigInt((i - 1) * 8)) & 0xffn);
  return out;
}

/** Hadoop Text.writeString: vint byte length + UTF-8. */
export function text(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  return Buffer.concat([vlong(b.length), b]);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

export interface SequenceFileOptions {
  valueClass: 'BytesWritable' | 'Text';
  codec?: BlockCodec;
  /** 16-byte sync marker (random by default, as Hadoop's MD5 of a UID and the time is unpredictable too). */
  sync?: Buffer;
}

export class SequenceFileWriter {
  private readonly chunks: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes produced so far (the file position). */
  private pos = 0;
  private lastSyncPos = 0;
  private readonly sync: Buffer;
  private readonly valueIsText: boolean;
  private readonly codec?: BlockCodec;
  // block compression buffers
  private keyLens: Buffer[] = [];
  private keys: Buffer[] = [];
  private valLens: Buffer[] = [];
  private vals: Buffer[] = [];
  private blockBytes = 0;
  private blockRecords = 0;

  constructor(opts: SequenceFileOptions) {
    this.sync = opts.sync ?? randomBytes(16);
    if (this.sync.length !== 16) throw new FlumeError('FLUME_INTERNAL', 'the sync marker must be 16 bytes');
    this.valueIsText = opts.valueClass === 'Text';
    this.codec = opts.codec;
    const compressed = this.codec !== undefined;
    this.emit(Buffer.from([0x53, 0x45, 0x51, 6]));
    this.emit(text(LONG_WRITABLE));
    this.emit(text(this.valueIsText ? TEXT : BYTES_WRITABLE));
    this.emit(Buffer.from([compressed ? 1 : 0, compressed ? 1 : 0]));
    if (this.codec) this.emit(text(this.codec.className));
    this.emit(int32(0)); // metadata: no entries
    this.emit(this.sync);
  }

  private emit(b: Buffer): void {
    this.chunks.push(b);
    this.pendingBytes += b.length;
    this.pos += b.length;
  }

  private writeSync(): void {
    if (this.lastSyncPos !== this.pos) {
      this.emit(int32(SYNC_ESCAPE));
      this.emit(this.sync);
      this.lastSyncPos = this.pos;
    }
  }

  /** Appends one record: key LongWritable(timestamp), value BytesWritable or Text of the body. */
  append(timestamp: number | bigint, body: Buffer): void {
    const key = Buffer.alloc(8);
    key.writeBigInt64BE(BigInt(timestamp));
    const value = this.valueIsText ? text(body) : Buffer.concat([int32(body.length), body]);
    if (this.codec) {
      this.keyLens.push(vlong(8));
      this.keys.push(key);
      this.valLens.push(vlong(value.length));
      this.vals.push(value);
      this.blockRecords++;
      this.blockBytes += 8 + value.length;
      if (this.blockBytes >= COMPRESSION_BLOCK_SIZE) this.syncPoint();
      return;
    }
    if (this.pos >= this.lastSyncPos + SYNC_INTERVAL) this.writeSync();
    this.emit(int32(8 + value.length));
    this.emit(int32(8));
    this.emit(key);
    this.emit(value);
  }

  /** SequenceFile.Writer.sync(): a sync point (block-compressed: writes the buffered block). Flume calls it per flush. */
  syncPoint(): void {
    if (!this.codec) {
      this.writeSync();
      return;
    }
    if (this.blockRecords === 0) return;
    this.writeSync();
    this.emit(vlong(this.blockRecords));
    for (const part of [this.keyLens, this.keys, this.valLens, this.vals]) {
      const c = this.codec.compress(Buffer.concat(part));
      this.emit(vlong(c.length));
      this.emit(c);
    }
    this.keyLens = [];
    this.keys = [];
    this.valLens = [];
    this.vals = [];
    this.blockBytes = 0;
    this.blockRecords = 0;
  }

  /** Writer.close(): block-compressed writers write their last block; record writers write nothing more. */
  close(): void {
    if (this.codec) this.syncPoint();
  }

  /** Bytes produced since the last take. */
  take(): Buffer {
    const out = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.pendingBytes);
    this.chunks.length = 0;
    this.pendingBytes = 0;
    return out;
  }

  get pendingLength(): number {
    return this.pendingBytes;
  }
}
