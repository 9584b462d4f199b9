import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import type { Schema, Type } from 'avsc';
import { defineComponent, prop, type SpecProblem } from '../../config/spec.js';
import { bodyLength, copyBody, headersIfAny, type Event } from '../../core/event.js';
import type { EventSerializer } from '../../core/serializer.js';
import { javaHashMapKeys } from '../shared/java-hashmap.js';
import { avsc, snappyjs } from '../shared/lazy.js';
import { putVarint, varintSize } from '../shared/varint.js';

/** The schema text exactly as Java's Schema.toString() prints FlumeEventAvroEventSerializer's schema. */
export const FLUME_EVENT_SCHEMA_JSON =
  '{"type":"record","name":"Event","fields":[{"name":"headers","type":{"type":"map","values":"string"}},{"name":"body","type":"bytes"}]}';

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);
let eventTypeCache: Type | undefined;
const eventType = (): Type => (eventTypeCache ??= avsc().Type.forSchema(JSON.parse(FLUME_EVENT_SCHEMA_JSON) as Schema));

/** Avro's zig-zag varint encoding of a long. */
export function avroLong(n: number): Buffer {
  const bytes: number[] = [];
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  while (z >= 0x80) {
    bytes.push((z % 0x80) | 0x80);
    z = Math.floor(z / 0x80);
  }
  bytes.push(z);
  return Buffer.from(bytes);
}

function avroBytes(b: Buffer): Buffer[] {
  return [avroLong(b.length), b];
}

/** The record avsc encodes for an event: header entries in Java HashMap order, as Flume's ReflectDatumWriter writes them. */
function flumeRecord(e: Event): { headers: Record<string, string>; body: Buffer } {
  const keys = Object.keys(e.headers);
  if (keys.length < 2) return { headers: e.headers, body: e.body };
  const headers: Record<string, string> = {};
  for (const k of javaHashMapKeys(e.headers)) headers[k] = e.headers[k]!;
  return { headers, body: e.body };
}

/** One Event record as Avro binary. */
export function encodeFlumeEvent(e: Event): Buffer {
  return eventType().toBuffer(flumeRecord(e));
}

/** Encodes an event into `buf` at `pos`; returns the new position, or a negative number if `buf` is too small. */
export function encodeFlumeEventInto(e: Event, buf: Buffer, pos: number): number {
  return eventType().encode(flumeRecord(e), buf, pos);
}

/** Bytes of Avro's zig-zag varint for a non-negative `n`. */
const varLongSize = (n: number): number => varintSize(n * 2);

/** Writes the zig-zag varint of a non-negative `n` at `pos`; returns the position after it. */
const putVarLong = (buf: Buffer, pos: number, n: number): number => putVarint(buf, pos, n * 2);

/**
 * The Event record of `e` written by hand (the same bytes avsc writes for flumeRecord(e): map block count, entries
 * in Java HashMap order, 0; then the body as bytes), without making the header map or the body view of a
 * SliceEvent that has none. Returns the new position, or -(bytes needed) when `buf` is too small.
 */
export function encodeFlumeEventFast(e: Event, buf: Buffer, pos: number): number {
  const h = headersIfAny(e);
  const keys = h === undefined ? [] : Object.keys(h);
  const ordered = keys.length < 2 ? keys : javaHashMapKeys(h!);
  const bodyLen = bodyLength(e);
  let size = 1 + varLongSize(bodyLen) + bodyLen;
  if (ordered.length > 0) {
    size += varLongSize(ordered.length);
    for (const k of ordered) {
      const kl = Buffer.byteLength(k);
      const vl = Buffer.byteLength(h![k]!);
      size += varLongSize(kl) + kl + varLongSize(vl) + vl;
    }
  }
  if (pos + size > buf.length) return -(pos + size - buf.length);
  if (ordered.length > 0) {
    pos = putVarLong(buf, pos, ordered.length);
    for (const k of ordered) {
      const v = h![k]!;
      pos = putVarLong(buf, pos, Buffer.byteLength(k));
      pos += buf.write(k, pos, 'utf8');
      pos = putVarLong(buf, pos, Buffer.byteLength(v));
      pos += buf.write(v, pos, 'utf8');
    }
  }
  buf[pos++] = 0;
  pos = putVarLong(buf, pos, bodyLen);
  return pos + copyBody(e, buf, pos);
}

const CODECS = ['null', 'deflate', 'snappy'] as const;
type Codec = (typeof CODECS)[number];

let crcTable: Int32Array | undefined;
/** CRC-32 (java.util.zip.CRC32): zlib's when Node has it (≥ 20.15), else a table. */
export function crc32(b: Buffer): number {
  const native = (zlib as { crc32?: (d: Buffer) => number }).crc32;
  if (native) return native(b) >>> 0;
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let c = -1;
  for (let i = 0; i < b.length; i++) c = crcTable[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** Avro's snappy codec: the Snappy raw block, then the big-endian CRC-32 of the uncompressed data. */
function snappyBlock(data: Buffer): Buffer {
  const c = snappyjs().compress(data);
  const out = Buffer.allocUnsafe(c.length + 4);
  Buffer.from(c.buffer, c.byteOffset, c.byteLength).copy(out);
  out.writeUInt32BE(crc32(data), c.length);
  return out;
}

/**
 * Writes an Avro object container file the way Avro's Java DataFileWriter does: magic, the metadata map (avro.schema,
 * avro.codec, in Java HashMap order), a random 16-byte sync marker, then blocks (count, size, data, sync). A block is
 * written when the buffered records reach syncIntervalBytes and at every flush (once per sink batch).
 */
export class AvroContainerWriter implements EventSerializer {
  private readonly sync = randomBytes(16);
  /** Records of the current block, encoded back to back. */
  private buf = Buffer.allocUnsafe(64 * 1024);
  private pos = 0;
  private count = 0;

  constructor(
    private readonly schemaJson: string,
    private readonly encodeInto: (e: Event, buf: Buffer, pos: number) => number,
    private readonly syncIntervalBytes: number,
    private readonly codec: Codec,
    /** A faster encoder with the same output for batches (the Flume Event schema's hand-written one), if any. */
    private readonly batchEncodeInto?: (e: Event, buf: Buffer, pos: number) => number,
  ) {}

  afterCreate(): Buffer {
    const meta: Record<string, Buffer> = {
      'avro.schema': Buffer.from(this.schemaJson, 'utf8'),
      'avro.codec': Buffer.from(this.codec, 'utf8'),
    };
    const parts: Buffer[] = [MAGIC, avroLong(2)];
    for (const k of javaHashMapKeys(meta as unknown as Record<string, string>))
      parts.push(...avroBytes(Buffer.from(k, 'utf8')), ...avroBytes(meta[k]!));
    parts.push(avroLong(0), this.sync);
    return Buffer.concat(parts);
  }

  /** write() for each event, the outputs (blocks completed at syncIntervalBytes) in one buffer. */
  writeBatch(events: readonly Event[]): Buffer | undefined {
    const parts: Buffer[] = [];
    const encode = this.batchEncodeInto ?? this.encodeInto;
    for (let i = 0; i < events.length; i++) {
      const b = this.writeWith(events[i]!, encode);
      if (b) parts.push(b);
    }
    if (parts.length === 0) return undefined;
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  write(e: Event): Buffer | undefined {
    return this.writeWith(e, this.encodeInto);
  }

  private writeWith(e: Event, encodeInto: (e: Event, buf: Buffer, pos: number) => number): Buffer | undefined {
    let p = encodeInto(e, this.buf, this.pos);
    while (p < 0) {
      // avsc returns -(bytes missing); grow and encode again.
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.buf.length - p + 1024));
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
      p = encodeInto(e, this.buf, this.pos);
    }
    this.pos = p;
    this.count++;
    return this.pos >= this.syncIntervalBytes ? this.block() : undefined;
  }

  flush(): Buffer | undefined {
    return this.count > 0 ? this.block() : undefined;
  }

  private block(): Buffer {
    const raw = this.buf.subarray(0, this.pos);
    const data: Buffer = this.codec === 'deflate' ? zlib.deflateRawSync(raw) : this.codec === 'snappy' ? snappyBlock(raw) : raw;
    const out = Buffer.concat([avroLong(this.count), avroLong(data.length), data, this.sync]);
    this.pos = 0;
    this.count = 0;
    return out;
  }
}

function codecOf(name: string): Codec | undefined {
  return CODECS.find((c) => c === name.trim().toLowerCase());
}

export const avroEventSerializer = defineComponent({
  kind: 'serializer',
  type: 'avro_event',
  fqcn: 'org.apache.flume.serialization.FlumeEventAvroEventSerializer$Builder',
  summary: 'Writes an Avro object container file of records Event { headers: map<string>, body: bytes }.',
  notes:
    "Byte-compatible with Flume's FlumeEventAvroEventSerializer (same schema text, metadata, block layout; one block per sink batch and whenever syncIntervalBytes is reached). Codecs: null, deflate and snappy (pure JavaScript, snappyjs). Other codec names (bzip2, xz, zstandard) are not available: the file is written uncompressed with a warning — readers see avro.codec=null, so the data stays readable (Flume does the same for a codec it cannot load).",
  properties: {
    syncIntervalBytes: prop.int({ default: 2048000, min: 1, doc: 'Approximate size of an Avro block before a sync marker.' }),
    compressionCodec: prop.string({ default: 'null', doc: 'Block codec: null, deflate or snappy.' }),
  },
  check: (c) => {
    const out: SpecProblem[] = [];
    if (!codecOf(c.compressionCodec)) {
      out.push({
        prop: 'compressionCodec',
        severity: 'warning',
        message: `compression codec "${c.compressionCodec}" is not supported; files are written uncompressed`,
        hint: 'use null, deflate or snappy',
      });
    }
    return out;
  },
  create: (c, ctx) => {
    let codec = codecOf(c.compressionCodec);
    if (!codec) {
      ctx.logger.warn(`Unable to instantiate avro codec with name (${c.compressionCodec}). Compression disabled.`);
      codec = 'null';
    }
    return new AvroContainerWriter(FLUME_EVENT_SCHEMA_JSON, encodeFlumeEventInto, c.syncIntervalBytes, codec, encodeFlumeEventFast);
  },
});
