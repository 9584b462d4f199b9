/**
 * Flume's AvroEventDeserializer: one event per record of an Avro container file; the body is the record's binary
 * encoding and the header `flume.avro.schema.hash` (hex CRC-64-AVRO fingerprint of the schema's canonical form) or,
 * with schemaType=LITERAL, `flume.avro.schema.literal` (the schema JSON). The stored position is, as in Flume, the
 * sync marker before the block being read, so a restart re-reads at most that block (at the end of a block the next
 * block's marker is stored, so a completed block is never re-read). Codecs: null, deflate, snappy.
 */
import zlib from 'node:zlib';
import type { FileHandle } from 'node:fs/promises';
import type { Event } from '../../../core/event.js';
import { FlumeError } from '../../../core/errors.js';
import type { Deserializer, ReadResult } from './deserializers.js';

type AvroType = { decode(buf: Buffer, pos?: number): { value: unknown; offset: number }; schema(): unknown };

const EMPTY = 0xc15d213aa4d7a795n;
const TABLE: bigint[] = [];
for (let i = 0; i < 256; i++) {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
  TABLE.push(fp);
}

/** Avro's CRC-64-AVRO fingerprint as the 8 little-endian bytes Java's SchemaNormalization returns, in hex. */
export function crc64AvroHex(text: string): string {
  let fp = EMPTY;
  for (const b of Buffer.from(text, 'utf8')) fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(b)) & 0xffn)]!;
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(fp & 0xffffffffffffffffn);
  return out.toString('hex');
}

function readLong(buf: Buffer, pos: number): [number, number] {
  let n = 0;
  let mul = 1;
  let p = pos;
  for (;;) {
    if (p >= buf.length) return [0, -1];
    const b = buf[p++]!;
    n += (b & 0x7f) * mul;
    mul *= 128;
    if (b < 0x80) break;
  }
  return [n % 2 === 0 ? n / 2 : -(n + 1) / 2, p];
}

export class AvroDeserializer implements Deserializer {
  private blockStart = 0;
  private records: Buffer[] = [];
  private index = 0;
  private nextBlock = 0;
  /** The committed position (block start, records of it already delivered, stored offset) and the read one. */
  private mark = { block: 0, index: 0, end: 0 };
  private pending = { block: 0, index: 0, end: 0 };

  private constructor(
    private readonly data: Buffer,
    private readonly headerEnd: number,
    private readonly sync: Buffer,
    private readonly type: AvroType,
    private readonly codec: string,
    private readonly header: [string, string],
    private readonly file: string,
  ) {}

  static async open(fh: FileHandle, size: number, start: number, schemaType: 'HASH' | 'LITERAL', file: string): Promise<AvroDeserializer> {
    const data = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await fh.read(data, got, size - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const bad = (why: string) =>
      new FlumeError('FLUME_SPOOL_AVRO', `Cannot instantiate deserializer: ${file} is not an Avro container file (${why})`);
    if (got < 4 || data.readUInt32BE(0) !== 0x4f626a01) throw bad('no Obj1 magic');
    const meta = new Map<string, Buffer>();
    let p = 4;
    for (;;) {
      let n: number;
      [n, p] = readLong(data, p);
      if (p < 0) throw bad('truncated header');
      if (n === 0) break;
      if (n < 0) [n, p] = [-n, readLong(data, p)[1]];
      for (let i = 0; i < n; i++) {
        let len: number;
        [len, p] = readLong(data, p);
        const k = data.toString('utf8', p, p + len);
        p += len;
        [len, p] = readLong(data, p);
        meta.set(k, data.subarray(p, p + len));
        p += len;
      }
    }
    const sync = data.subarray(p, p + 16);
    const headerEnd = p + 16;
    const schemaText = meta.get('avro.schema')?.toString('utf8');
    if (!schemaText) throw bad('no avro.schema');
    const { default: avro } = await import('avsc');
    const type = avro.Type.forSchema(JSON.parse(schemaText) as never) as unknown as AvroType;
    const codec = meta.get('avro.codec')?.toString('utf8') ?? 'null';
    if (!['null', 'deflate', 'snappy'].includes(codec)) throw bad(`codec ${codec} is not supported`);
    if (codec === 'snappy') await loadSnappy();
    const header: [string, string] =
      schemaType === 'HASH'
        ? ['flume.avro.schema.hash', crc64AvroHex(JSON.stringify(type.schema()))]
        : ['flume.avro.schema.literal', schemaText];
    const d = new AvroDeserializer(data.subarray(0, got), headerEnd, Buffer.from(sync), type, codec, header, file);
    d.seekStored(start);
    return d;
  }

  /** Positions at the block after the sync marker at or after `pos` (Avro's DataFileReader.sync). */
  private seekStored(pos: number): void {
    let b = this.headerEnd;
    if (pos > this.headerEnd - 16) {
      const at = this.data.indexOf(this.sync, pos);
      b = at < 0 ? this.data.length : at + 16;
    }
    this.loadBlock(b);
    this.mark = { block: b, index: 0, end: b - 16 };
    this.pending = this.mark;
  }

  private loadBlock(b: number): void {
    this.blockStart = b;
    this.records = [];
    this.index = 0;
    this.nextBlock = b;
    if (b >= this.data.length) return;
    const [count, p1] = readLong(this.data, b);
    const [size, p2] = readLong(this.data, p1);
    if (p1 < 0 || p2 < 0 || p2 + size + 16 > this.data.length)
      throw new FlumeError('FLUME_SPOOL_AVRO', `${this.file}: truncated Avro block at byte ${b}`);
    let body = this.data.subarray(p2, p2 + size);
    if (this.codec === 'deflate') body = zlib.inflateRawSync(body);
    else if (this.codec === 'snappy') body = snappyBlock(body);
    let q = 0;
    for (let i = 0; i < count; i++) {
      const { offset } = this.type.decode(body, q);
      if (offset < 0) throw new FlumeError('FLUME_SPOOL_AVRO', `${this.file}: bad record ${i} in the Avro block at byte ${b}`);
      this.records.push(body.subarray(q, offset));
      q = offset;
    }
    this.nextBlock = p2 + size + 16;
  }

  commit(): void {
    this.mark = this.pending;
  }

  reset(pos: number): void {
    if (pos === Math.max(this.mark.end, 0)) {
      this.loadBlock(this.mark.block);
      this.index = this.mark.index;
    } else this.seekStored(pos);
  }

  async read(n: number): Promise<ReadResult> {
    const events: Event[] = [];
    while (events.length < n) {
      if (this.index >= this.records.length) {
        if (this.nextBlock >= this.data.length || this.nextBlock === this.blockStart) break;
        this.loadBlock(this.nextBlock);
        continue;
      }
      events.push({ headers: { [this.header[0]]: this.header[1] }, body: this.records[this.index++]! });
    }
    const done = this.index >= this.records.length;
    const end = done ? this.nextBlock - 16 : this.blockStart - 16;
    this.pending = done ? { block: this.nextBlock, index: 0, end } : { block: this.blockStart, index: this.index, end };
    return { events, end: Math.max(end, 0) };
  }
}

type Snappy = { uncompress(b: Buffer): Uint8Array };
let SNAPPY: Snappy | undefined;

/** Avro's snappy codec: raw snappy data followed by a 4-byte CRC32 of the uncompressed data. */
function snappyBlock(body: Buffer): Buffer {
  return Buffer.from(SNAPPY!.uncompress(body.subarray(0, body.length - 4)));
}

async function loadSnappy(): Promise<void> {
  if (SNAPPY) return;
  const m = (await import('snappyjs')) as unknown as { default?: Snappy } & Partial<Snappy>;
  SNAPPY = m.default ?? (m as Snappy);
}
