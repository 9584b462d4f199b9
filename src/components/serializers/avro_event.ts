import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import avro from 'avsc';
import { defineComponent, prop, type SpecProblem } from '../../config/spec.js';
import type { Event } from '../../core/event.js';
import type { EventSerializer } from '../../core/serializer.js';
import { javaHashMapKeys } from '../../core/java-hashmap.js';

/** The schema text exactly as Java's Schema.toString() prints FlumeEventAvroEventSerializer's schema. */
export const FLUME_EVENT_SCHEMA_JSON =
  '{"type":"record","name":"Event","fields":[{"name":"headers","type":{"type":"map","values":"string"}},{"name":"body","type":"bytes"}]}';

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);
const eventType = avro.Type.forSchema(JSON.parse(FLUME_EVENT_SCHEMA_JSON) as avro.Schema);

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

/** One Event record; map entries in Java HashMap order, as Flume's ReflectDatumWriter writes them. */
export function encodeFlumeEvent(e: Event): Buffer {
  const keys = Object.keys(e.headers);
  let headers = e.headers;
  if (keys.length > 1) {
    headers = {};
    for (const k of javaHashMapKeys(e.headers)) headers[k] = e.headers[k]!;
  }
  return eventType.toBuffer({ headers, body: e.body });
}

const CODECS = ['null', 'deflate'] as const;

/**
 * Writes an Avro object container file the way Avro's Java DataFileWriter does: magic, the metadata map (avro.schema,
 * avro.codec, in Java HashMap order), a random 16-byte sync marker, then blocks (count, size, data, sync). A block is
 * written when the buffered records reach syncIntervalBytes and at every flush (once per sink batch).
 */
export class AvroContainerWriter implements EventSerializer {
  private readonly sync = randomBytes(16);
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private count = 0;

  constructor(
    private readonly schemaJson: string,
    private readonly encode: (e: Event) => Buffer,
    private readonly syncIntervalBytes: number,
    private readonly codec: 'null' | 'deflate',
  ) {}

  afterCreate(): Buffer {
    const meta: Record<string, Buffer> = { 'avro.schema': Buffer.from(this.schemaJson, 'utf8'), 'avro.codec': Buffer.from(this.codec, 'utf8') };
    const parts: Buffer[] = [MAGIC, avroLong(2)];
    for (const k of javaHashMapKeys(meta as unknown as Record<string, string>)) parts.push(...avroBytes(Buffer.from(k, 'utf8')), ...avroBytes(meta[k]!));
    parts.push(avroLong(0), this.sync);
    return Buffer.concat(parts);
  }

  write(e: Event): Buffer | undefined {
    const rec = this.encode(e);
    this.pending.push(rec);
    this.pendingBytes += rec.length;
    this.count++;
    return this.pendingBytes >= this.syncIntervalBytes ? this.block() : undefined;
  }

  flush(): Buffer | undefined {
    return this.count > 0 ? this.block() : undefined;
  }

  private block(): Buffer {
    let data = Buffer.concat(this.pending, this.pendingBytes);
    if (this.codec === 'deflate') data = deflateRawSync(data);
    const out = Buffer.concat([avroLong(this.count), avroLong(data.length), data, this.sync]);
    this.pending = [];
    this.pendingBytes = 0;
    this.count = 0;
    return out;
  }
}

function codecOf(name: string): 'null' | 'deflate' | undefined {
  return CODECS.find((c) => c === name.trim().toLowerCase());
}

export const avroEventSerializer = defineComponent({
  kind: 'serializer',
  type: 'avro_event',
  fqcn: 'org.apache.flume.serialization.FlumeEventAvroEventSerializer$Builder',
  summary: 'Writes an Avro object container file of records Event { headers: map<string>, body: bytes }.',
  notes: 'Byte-compatible with Flume\'s FlumeEventAvroEventSerializer (same schema text, metadata, block layout; one block per sink batch and whenever syncIntervalBytes is reached). Codecs: null and deflate. Other codec names (snappy, bzip2, xz, zstandard) are not available: the file is written uncompressed with a warning — readers see avro.codec=null, so the data stays readable (Flume does the same for a codec it cannot load).',
  properties: {
    syncIntervalBytes: prop.int({ default: 2048000, min: 1, doc: 'Approximate size of an Avro block before a sync marker.' }),
    compressionCodec: prop.string({ default: 'null', doc: 'Block codec: null or deflate.' }),
  },
  check: (c) => {
    const out: SpecProblem[] = [];
    if (!codecOf(c.compressionCodec)) {
      out.push({ prop: 'compressionCodec', severity: 'warning', message: `compression codec "${c.compressionCodec}" is not supported; files are written uncompressed`, hint: 'use null or deflate' });
    }
    return out;
  },
  create: (c, ctx) => {
    let codec = codecOf(c.compressionCodec);
    if (!codec) {
      ctx.logger.warn(`Unable to instantiate avro codec with name (${c.compressionCodec}). Compression disabled.`);
      codec = 'null';
    }
    return new AvroContainerWriter(FLUME_EVENT_SCHEMA_JSON, encodeFlumeEvent, c.syncIntervalBytes, codec);
  },
});
