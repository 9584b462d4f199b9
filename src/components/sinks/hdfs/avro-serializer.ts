/**
 * Flume's org.apache.flume.sink.hdfs.AvroEventSerializer$Builder: an Avro object container file whose schema comes
 * from the first event of the file (header flume.avro.schema.url, else flume.avro.schema.literal, else the
 * serializer's schemaURL); each event body is appended as an already-encoded datum (DataFileWriter.appendEncoded).
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineComponent, prop, type SpecProblem } from '../../../config/spec.js';
import type { Event } from '../../../core/event.js';
import type { EventSerializer } from '../../../core/serializer.js';
import { FlumeError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logging.js';
import { AvroContainerWriter } from '../../serializers/avro_event.js';

export const AVRO_SCHEMA_LITERAL_HEADER = 'flume.avro.schema.literal';
export const AVRO_SCHEMA_URL_HEADER = 'flume.avro.schema.url';
const CODECS = ['null', 'deflate', 'snappy'] as const;
type Codec = (typeof CODECS)[number];

export class AvroSchemaError extends FlumeError {
  constructor(message: string, cause?: unknown) {
    super('FLUME_AVRO_SCHEMA', message, { cause });
  }
}

/** Reads a schema URL synchronously: file: URLs and plain paths (http(s):// and hdfs:// are not supported). */
function loadSchemaUrl(url: string, cache: Map<string, string>): string {
  const hit = cache.get(url);
  if (hit) return hit;
  if (/^(https?|hdfs|webhdfs):/i.test(url)) {
    throw new AvroSchemaError(
      `Avro schema URL ${url}: only file: URLs and local paths are supported by flume-ts; ` +
        `put the schema in a local file or in the ${AVRO_SCHEMA_LITERAL_HEADER} header`,
    );
  }
  try {
    const text = fs.readFileSync(url.startsWith('file:') ? fileURLToPath(url) : url, 'utf8');
    cache.set(url, text);
    return text;
  } catch (err) {
    throw new AvroSchemaError(`cannot read the Avro schema ${url}: ${(err as Error).message}`, err);
  }
}

/** The schema text a container file declares: the JSON compacted (Java writes Schema.toString(), also compact). */
function schemaText(raw: string, where: string): string {
  try {
    return JSON.stringify(JSON.parse(raw));
  } catch (err) {
    throw new AvroSchemaError(`the Avro schema from ${where} is not valid JSON: ${(err as Error).message}`, err);
  }
}

/** Appends the body bytes as they are (they are an encoded datum of the schema). */
function copyBody(e: Event, buf: Buffer, pos: number): number {
  const n = e.body.length;
  if (pos + n > buf.length) return -(pos + n - buf.length);
  e.body.copy(buf, pos);
  return pos + n;
}

export class HeaderSchemaAvroSerializer implements EventSerializer {
  private inner: AvroContainerWriter | undefined;

  constructor(
    private readonly syncIntervalBytes: number,
    private readonly codec: Codec,
    private readonly staticSchemaUrl: string | undefined,
    private readonly cache: Map<string, string>,
  ) {}

  private schemaFor(e: Event): string {
    const url = e.headers[AVRO_SCHEMA_URL_HEADER];
    if (url !== undefined) return schemaText(loadSchemaUrl(url, this.cache), url);
    const literal = e.headers[AVRO_SCHEMA_LITERAL_HEADER];
    if (literal !== undefined) return schemaText(literal, `the ${AVRO_SCHEMA_LITERAL_HEADER} header`);
    if (this.staticSchemaUrl !== undefined) return schemaText(loadSchemaUrl(this.staticSchemaUrl, this.cache), this.staticSchemaUrl);
    throw new AvroSchemaError(
      `Could not find schema for event (no ${AVRO_SCHEMA_URL_HEADER} or ${AVRO_SCHEMA_LITERAL_HEADER} header, no serializer.schemaURL)`,
    );
  }

  write(e: Event): Buffer | undefined {
    if (this.inner) return this.inner.write(e);
    const inner = new AvroContainerWriter(this.schemaFor(e), copyBody, this.syncIntervalBytes, this.codec);
    this.inner = inner;
    const head = inner.afterCreate();
    const block = inner.write(e);
    return block ? Buffer.concat([head, block]) : head;
  }

  flush(): Buffer | undefined {
    return this.inner?.flush();
  }
}

const codecOf = (name: string): Codec | undefined => CODECS.find((c) => c === name.trim().toLowerCase());

export function hdfsAvroSerializerFactory(c: { syncIntervalBytes: number; compressionCodec: string; schemaURL?: string }, logger: Logger) {
  let codec = codecOf(c.compressionCodec);
  if (!codec) {
    logger.warn(`Unable to instantiate avro codec with name (${c.compressionCodec}). Compression disabled.`);
    codec = 'null';
  }
  const cache = new Map<string, string>();
  return new HeaderSchemaAvroSerializer(c.syncIntervalBytes, codec, c.schemaURL, cache);
}

export const hdfsAvroEventSerializer = defineComponent({
  kind: 'serializer',
  type: 'org.apache.flume.sink.hdfs.AvroEventSerializer$Builder',
  fqcn: 'org.apache.flume.sink.hdfs.AvroEventSerializer$Builder',
  summary: 'Avro container file with the schema from the event headers; bodies are appended as encoded datums.',
  notes:
    "As Flume's HDFS AvroEventSerializer: the first event of a file gives the schema (flume.avro.schema.url header, else " +
    'flume.avro.schema.literal, else schemaURL); each body must be a datum encoded with that schema and is copied as is. ' +
    "Read back by Avro's Java DataFileReader (tested against files Flume 1.11 writes). Schema URLs: file: URLs and local " +
    "paths only (Flume also reads http(s):// and hdfs://). The schema JSON is written compacted, not in Java's " +
    'Schema.toString() form. Codecs null, deflate, snappy (others: uncompressed with a warning, as Flume).',
  properties: {
    syncIntervalBytes: prop.int({ default: 2048000, min: 1, doc: 'Approximate size of an Avro block before a sync marker.' }),
    compressionCodec: prop.string({ default: 'null', doc: 'Block codec: null, deflate or snappy.' }),
    schemaURL: prop.string({ doc: 'Schema used when an event has neither schema header (file: URL or local path).' }),
  },
  check: (c) => {
    const out: SpecProblem[] = [];
    if (!codecOf(c.compressionCodec)) {
      const message = `compression codec "${c.compressionCodec}" is not supported; files are written uncompressed`;
      out.push({ prop: 'compressionCodec', severity: 'warning', message });
    }
    return out;
  },
  create: (c, ctx) => hdfsAvroSerializerFactory(c, ctx.logger),
});
