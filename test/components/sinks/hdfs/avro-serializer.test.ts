import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { hdfsAvroEventSerializer, type HeaderSchemaAvroSerializer } from '../../../../src/components/sinks/hdfs/avro-serializer.js';
import { createEvent } from '../../../../src/core/event.js';
import { configure, create } from '../../../support/context.js';

const schema = {
  type: 'record',
  name: 'User',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'age', type: 'int' },
  ],
} as const;
const type = avro.Type.forSchema(schema as unknown as avro.Schema);

/** Decodes a container file with avsc's own reader. */
function readContainer(buf: Buffer): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const out: unknown[] = [];
    const d = new avro.streams.BlockDecoder();
    d.on('data', (r: unknown) => out.push(r))
      .on('end', () => resolve(out))
      .on('error', reject);
    d.end(buf);
  });
}

const serializer = (raw: Record<string, string> = {}) => create(hdfsAvroEventSerializer, raw) as HeaderSchemaAvroSerializer;
const collect = (s: HeaderSchemaAvroSerializer, events: ReturnType<typeof createEvent>[]) =>
  Buffer.concat([...events.map((e) => s.write(e)), s.flush()].filter((b): b is Buffer => b !== undefined));

describe('HDFS AvroEventSerializer$Builder', () => {
  it('defaults as Flume (syncIntervalBytes 2048000, codec null, no schemaURL)', () => {
    expect(configure(hdfsAvroEventSerializer, {})).toMatchObject({ syncIntervalBytes: 2048000, compressionCodec: 'null' });
  });

  it('the schema comes from the literal header of the first event; bodies are appended as encoded datums', async () => {
    const h = { 'flume.avro.schema.literal': JSON.stringify(schema) };
    const s = serializer({ compressionCodec: 'deflate', syncIntervalBytes: '16' });
    const records = [
      { name: 'ann', age: 3 },
      { name: 'bob', age: 40 },
    ];
    const file = collect(
      s,
      records.map((r) => createEvent(type.toBuffer(r), h)),
    );
    expect(await readContainer(file)).toEqual(records.map((r) => type.fromBuffer(type.toBuffer(r))));
  });

  it('the url header (file path) wins over the literal; schemaURL is the fallback; no schema at all is an error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avro-schema-'));
    const f = path.join(dir, 'user.avsc');
    fs.writeFileSync(f, JSON.stringify(schema, null, 2));
    const body = type.toBuffer({ name: 'cy', age: 7 });
    const headers = { 'flume.avro.schema.url': `file://${f}`, 'flume.avro.schema.literal': '"junk"' };
    const byUrl = collect(serializer(), [createEvent(body, headers)]);
    expect(await readContainer(byUrl)).toHaveLength(1);
    const byStatic = collect(serializer({ schemaURL: f }), [createEvent(body)]);
    expect(await readContainer(byStatic)).toHaveLength(1);
    expect(() => serializer().write(createEvent(body))).toThrow(/Could not find schema/);
    expect(() => serializer().write(createEvent(body, { 'flume.avro.schema.url': 'http://x/s.avsc' }))).toThrow(/only file: URLs/);
  });
});
