/**
 * The three hdfs.fileType writers as byte producers (Flume's HDFSDataStream, HDFSCompressedDataStream,
 * HDFSSequenceFile): they encode events into pending bytes; the bucket writer ships those to HDFS on each flush.
 */
import { deflateSync, gzipSync } from 'node:zlib';
import { snappyjs } from '../../shared/lazy.js';
import type { Event } from '../../../core/event.js';
import type { EventSerializer } from '../../../core/serializer.js';
import { FlumeError } from '../../../core/errors.js';
import { SequenceFileWriter, type BlockCodec } from './sequence-file.js';
import { bzip2, lz4Block } from './codecs-extra.js';

export interface FileFormat {
  /** Encodes one event into the pending bytes. */
  append(event: Event): void;
  /** Optional: encodes events[from..to) (the same bytes as append() for each; one buffer for the lot). */
  appendBatch?(events: readonly Event[], from: number, to: number): void;
  /** Flume's writer.sync() at a flush: make everything appended so far part of the pending bytes. */
  sync(): void;
  /** Before the file is closed: trailing bytes into the pending bytes. */
  close(): void;
  /** The pending bytes (cleared). */
  take(): Buffer;
  readonly pendingLength: number;
}

/** A Hadoop compression codec that flume-ts can write. */
export interface Codec extends BlockCodec {
  /** Hadoop's getDefaultExtension(). */
  readonly extension: string;
}

/** Hadoop's SnappyCodec buffer (io.compression.codec.snappy.buffersize) and its BlockCompressorStream framing. */
const SNAPPY_BUFFER = 256 * 1024;
/** Hadoop's Lz4Codec buffer (io.compression.codec.lz4.buffersize) minus its compression overhead. */
const LZ4_MAX_INPUT = 256 * 1024 - (Math.floor((256 * 1024) / 255) + 16);

/**
 * Hadoop's BlockCompressorStream output for raw-block codecs (SnappyCodec): per slice of at most the codec's buffer
 * size, the uncompressed length (int32 BE), then the compressed chunk length (int32 BE) and the chunk.
 */
export function hadoopBlockFrame(data: Buffer, compressBlock: (b: Buffer) => Buffer, bufferSize = SNAPPY_BUFFER): Buffer {
  const parts: Buffer[] = [];
  for (let off = 0; off < data.length; off += bufferSize) {
    const slice = data.subarray(off, Math.min(data.length, off + bufferSize));
    const c = compressBlock(slice);
    const head = Buffer.alloc(8);
    head.writeInt32BE(slice.length, 0);
    head.writeInt32BE(c.length, 4);
    parts.push(head, c);
  }
  return Buffer.concat(parts);
}

const CODECS: readonly Codec[] = [
  { className: 'org.apache.hadoop.io.compress.GzipCodec', extension: '.gz', compress: (b) => gzipSync(b) },
  { className: 'org.apache.hadoop.io.compress.DefaultCodec', extension: '.deflate', compress: (b) => deflateSync(b) },
  { className: 'org.apache.hadoop.io.compress.DeflateCodec', extension: '.deflate', compress: (b) => deflateSync(b) },
  {
    className: 'org.apache.hadoop.io.compress.SnappyCodec',
    extension: '.snappy',
    compress: (b) => hadoopBlockFrame(b, (x) => snappyjs().compress(x)),
  },
  { className: 'org.apache.hadoop.io.compress.BZip2Codec', extension: '.bz2', compress: (b) => bzip2(b) },
  // Hadoop's Lz4Codec: BlockCompressorStream slices of at most bufferSize - (bufferSize / 255 + 16) bytes
  { className: 'org.apache.hadoop.io.compress.Lz4Codec', extension: '.lz4', compress: (b) => hadoopBlockFrame(b, lz4Block, LZ4_MAX_INPUT) },
];

/** Hadoop codecs flume-ts knows but cannot write (no pure-JS or npm-prebuilt implementation wired in). */
const UNSUPPORTED = ['ZStandardCodec', 'LzoCodec', 'LzopCodec'];

function matches(className: string, name: string): boolean {
  const simple = className.slice(className.lastIndexOf('.') + 1);
  if (className === name || simple.toLowerCase() === name.toLowerCase()) return true;
  return simple.endsWith('Codec') && simple.slice(0, -5).toLowerCase() === name.toLowerCase();
}

/**
 * Flume's HDFSEventSink.getCodec: a codec class name, its simple name, or the simple name without "Codec"
 * (case-insensitive): gzip, default, deflate, snappy, bzip2, lz4. `None` → undefined. Throws for anything else.
 */
export function resolveCodec(name: string): Codec | undefined {
  const n = name.trim();
  const hit = CODECS.find((c) => matches(c.className, n));
  if (hit) return hit;
  if (n.toLowerCase() === 'none') return undefined;
  const known = UNSUPPORTED.find((c) => matches(`x.${c}`, n) || n.endsWith(`.${c}`));
  if (known) {
    throw new FlumeError(
      'FLUME_CODEC',
      `hdfs.codeC ${n}: ${known} is not supported by flume-ts; ` + 'use gzip, default, deflate, snappy, bzip2 or lz4',
    );
  }
  throw new FlumeError(
    'FLUME_CODEC',
    `Unsupported compression codec ${n}. ` +
      'Please choose from: [None, GzipCodec, DefaultCodec, DeflateCodec, SnappyCodec, BZip2Codec, Lz4Codec]',
  );
}

class Chunks {
  private parts: Buffer[] = [];
  length = 0;
  push(b: Buffer | undefined): void {
    if (b && b.length > 0) {
      this.parts.push(b);
      this.length += b.length;
    }
  }
  take(): Buffer {
    const out = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.length);
    this.parts = [];
    this.length = 0;
    return out;
  }
}

/** events[from..to) through the serializer: its writeBatch (one buffer) when it has one, else write() per event. */
function writeRange(ser: EventSerializer, events: readonly Event[], from: number, to: number, out: Chunks): void {
  if (ser.writeBatch) out.push(ser.writeBatch(from === 0 && to === events.length ? events : events.slice(from, to)));
  else for (let i = from; i < to; i++) out.push(ser.write(events[i]!));
}

/** HDFSDataStream: the serializer's bytes as they are. */
export class DataStreamFormat implements FileFormat {
  private readonly out = new Chunks();
  constructor(private readonly serializer: EventSerializer) {
    this.out.push(serializer.afterCreate?.());
  }
  append(event: Event): void {
    this.out.push(this.serializer.write(event));
  }
  appendBatch(events: readonly Event[], from: number, to: number): void {
    writeRange(this.serializer, events, from, to, this.out);
  }
  sync(): void {
    this.out.push(this.serializer.flush?.());
  }
  close(): void {
    this.out.push(this.serializer.flush?.());
    this.out.push(this.serializer.beforeClose?.());
  }
  take(): Buffer {
    return this.out.take();
  }
  get pendingLength(): number {
    return this.out.length;
  }
}

/**
 * HDFSCompressedDataStream: the serializer's bytes through the codec; each sync finishes the compressed stream
 * (Flume calls finish() and resetState()), so a file is a concatenation of complete gzip members / zlib streams, one
 * per flush.
 */
export class CompressedStreamFormat implements FileFormat {
  private readonly raw = new Chunks();
  private readonly out = new Chunks();
  private unfinished = false;
  constructor(
    private readonly serializer: EventSerializer,
    private readonly codec: Codec,
  ) {
    this.raw.push(serializer.afterCreate?.());
    this.unfinished = true;
  }
  append(event: Event): void {
    this.raw.push(this.serializer.write(event));
    this.unfinished = true;
  }
  appendBatch(events: readonly Event[], from: number, to: number): void {
    writeRange(this.serializer, events, from, to, this.raw);
    this.unfinished = true;
  }
  private finish(): void {
    if (this.unfinished) {
      this.out.push(this.codec.compress(this.raw.take()));
      this.unfinished = false;
    }
  }
  sync(): void {
    this.raw.push(this.serializer.flush?.());
    this.finish();
  }
  close(): void {
    this.raw.push(this.serializer.flush?.());
    const tail = this.serializer.beforeClose?.();
    if (tail && tail.length > 0) {
      this.raw.push(tail);
      this.unfinished = true;
    }
    this.finish();
  }
  take(): Buffer {
    return this.out.take();
  }
  get pendingLength(): number {
    return this.out.length + this.raw.length;
  }
}

/** HDFSSequenceFile: key LongWritable(timestamp header or now), value BytesWritable (Writable) or Text. */
export class SequenceFileFormat implements FileFormat {
  private readonly w: SequenceFileWriter;
  constructor(
    writeFormat: 'Writable' | 'Text',
    codec: Codec | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.w = new SequenceFileWriter({ valueClass: writeFormat === 'Text' ? 'Text' : 'BytesWritable', codec });
  }
  /** Throws for an event whose `timestamp` header cannot be the LongWritable key (Flume: NumberFormatException). */
  static validate(event: Event): void {
    const h = event.headers.timestamp;
    if (h !== undefined && !/^[+-]?\d{1,19}$/.test(h)) {
      throw new FlumeError(
        'FLUME_BAD_TIMESTAMP',
        `the timestamp header "${h}" is not a number of milliseconds; the SequenceFile key needs it (fix the source, or remove the header)`,
      );
    }
  }

  append(event: Event): void {
    SequenceFileFormat.validate(event);
    const h = event.headers.timestamp;
    this.w.append(h === undefined ? this.now() : BigInt(h), event.body);
  }
  sync(): void {
    this.w.syncPoint();
  }
  close(): void {
    this.w.close();
  }
  take(): Buffer {
    return this.w.take();
  }
  get pendingLength(): number {
    return this.w.pendingLength;
  }
}
