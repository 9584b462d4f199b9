import { describe, expect, it } from 'vitest';
import avro from 'avsc';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseContext, configure, create, parseWithParts } from '../../support/context.js';
import { createEvent, type Event } from '../../../src/core/event.js';
import type { EventSerializer } from '../../../src/core/serializer.js';
import { textSerializer } from '../../../src/components/serializers/text.js';
import { headerAndTextSerializer } from '../../../src/components/serializers/header_and_text.js';
import { avroEventSerializer, avroLong, crc32 } from '../../../src/components/serializers/avro_event.js';
import { uncompress } from 'snappyjs';
import { fileURLToPath } from 'node:url';
import { fileRollSink } from '../../../src/components/sinks/file_roll.js';
import { hdfsSink } from '../../../src/components/sinks/hdfs/index.js';
import { serializerFactory } from '../../../src/config/parts.js';
import { javaMapToString } from '../../../src/components/shared/java-hashmap.js';
import { builtinRegistry } from '../../../src/components/registry.js';

// The events and expected bytes below come from Flume 1.11's own classes (EventSerializerFactory with a
// ByteArrayOutputStream: afterCreate, write e0, write e1, flush, write e2, flush, beforeClose), run under Java 17.
const bin = Buffer.from(Array.from({ length: 20 }, (_, i) => (i * 13 - 7) & 0xff));
const events = (): Event[] => [
  createEvent('hello'),
  createEvent('Hello world!\r', { timestamp: '1700000000000', host: '10.0.0.1' }),
  createEvent(bin),
];
/** The problems validation reports for a file_roll sink's serializer part (`sink.serializer` = type, options). */
function serializerProblems(type: string, options: Record<string, string>) {
  const raw: Record<string, string> = { 'sink.directory': tmpdir(), 'sink.serializer': type };
  for (const [k, v] of Object.entries(options)) raw[`sink.serializer.${k}`] = v;
  return parseWithParts(fileRollSink, raw, 'sink k1').diagnostics.filter((d) => d.severity !== 'info');
}

const JAVA_SYNC = '7c1d2716e2297b68b506b4e97503a3b1';

function runFlumeSequence(s: EventSerializer): Buffer {
  const [e0, e1, e2] = events();
  const parts = [s.afterCreate?.(), s.write(e0!), s.write(e1!), s.flush?.(), s.write(e2!), s.flush?.(), s.beforeClose?.()];
  return Buffer.concat(parts.filter((b): b is Buffer => b !== undefined));
}

describe('java HashMap order', () => {
  it('matches HashMap.toString() from Java 17', () => {
    const m = (keys: string[]) => javaMapToString(Object.fromEntries(keys.map((k) => [k, `v${k.length}`])));
    expect(m(['timestamp', 'host'])).toBe('{host=v4, timestamp=v9}');
    expect(m(['host', 'timestamp', 'id'])).toBe('{host=v4, id=v2, timestamp=v9}');
    expect(m(['a', 'b', 'c', 'x-foo', 'x-bar', 'keep'])).toBe('{x-foo=v5, a=v1, b=v1, c=v1, keep=v4, x-bar=v5}');
    expect(m(Array.from({ length: 14 }, (_, i) => `k${i + 1}`))).toBe(
      '{k1=v2, k2=v2, k3=v2, k4=v2, k5=v2, k11=v3, k6=v2, k10=v3, k7=v2, k13=v3, k8=v2, k12=v3, k9=v2, k14=v3}',
    );
    expect(m(['datacenter', 'Flume', 'topic', 'key', 'zz', 'état'])).toBe('{zz=v2, état=v4, topic=v5, datacenter=v10, Flume=v5, key=v3}');
    expect(javaMapToString({})).toBe('{}');
  });
});

describe('text serializer', () => {
  it('writes body + \\n, exactly as BodyTextEventSerializer', () => {
    expect(runFlumeSequence(create(textSerializer, {})).toString('hex')).toBe(
      '68656c6c6f0a48656c6c6f20776f726c64210d0af90613202d3a4754616e7b8895a2afbcc9d6e3f00a',
    );
  });
  it('appendNewline=false', () => {
    expect(runFlumeSequence(create(textSerializer, { appendNewline: 'false' }))).toEqual(
      Buffer.concat([Buffer.from('helloHello world!\r'), bin]),
    );
  });
});

describe('header_and_text serializer', () => {
  it('writes {headers} body\\n, exactly as HeaderAndBodyTextEventSerializer', () => {
    expect(runFlumeSequence(create(headerAndTextSerializer, {})).toString('hex')).toBe(
      '7b7d2068656c6c6f0a7b686f73743d31302e302e302e312c2074696d657374616d703d313730303030303030303030307d2048656c6c6f20776f726c64210d0a7b7d20f90613202d3a4754616e7b8895a2afbcc9d6e3f00a',
    );
  });
  it('appendNewline=false', () => {
    const s = create(headerAndTextSerializer, { appendNewline: 'false' });
    expect(s.write(createEvent('b', { k: 'v' }))!.toString()).toBe('{k=v} b');
  });
});

describe('avro_event serializer', () => {
  const JAVA_NULL =
    '4f626a0104166176726f2e736368656d618a027b2274797065223a227265636f7264222c226e616d65223a224576656e74222c226669656c6473223a5b7b226e616d65223a2268656164657273222c2274797065223a7b2274797065223a226d6170222c2276616c756573223a22737472696e67227d7d2c7b226e616d65223a22626f6479222c2274797065223a226279746573227d5d7d146176726f2e636f646563086e756c6c00' +
    JAVA_SYNC +
    '047a000a68656c6c6f0408686f73741031302e302e302e311274696d657374616d701a31373030303030303030303030001a48656c6c6f20776f726c64210d' +
    JAVA_SYNC +
    '022c0028f90613202d3a4754616e7b8895a2afbcc9d6e3f0' +
    JAVA_SYNC;
  const JAVA_DEFLATE =
    '4f626a0104166176726f2e736368656d618a027b2274797065223a227265636f7264222c226e616d65223a224576656e74222c226669656c6473223a5b7b226e616d65223a2268656164657273222c2274797065223a7b2274797065223a226d6170222c2276616c756573223a22737472696e67227d7d2c7b226e616d65223a22626f6479222c2274797065223a226279746573227d5d7d146176726f2e636f6465630e6465666c61746500' +
    '6b9f77cb8410d5bbd5086a4a9f5f935a' +
    '046463e0ca48cdc9c967e1c8c82f2e113034d0034143a192ccdcd4e292c4dc0229437303046090f200a95628cf2fca4951e40500' +
    '6b9f77cb8410d5bbd5086a4a9f5f935a' +
    '023263d0f8c926aca06be51e929857dd3175d1fa3d27af3dfe0000' +
    '6b9f77cb8410d5bbd5086a4a9f5f935a';

  it('writes the same bytes as FlumeEventAvroEventSerializer (null codec), but for the random sync marker', () => {
    const s = create(avroEventSerializer, {});
    const out = runFlumeSequence(s);
    const header = create(avroEventSerializer, {}).afterCreate!()!;
    // Each instance has its own sync marker; take it from this file's header.
    const own = out.subarray(header.length - 16, header.length);
    expect(out.toString('hex').split(own.toString('hex')).join(JAVA_SYNC)).toBe(JAVA_NULL);
    expect(header.length).toBe(Buffer.from(JAVA_NULL.slice(0, JAVA_NULL.indexOf(JAVA_SYNC) + 32), 'hex').length);
  });

  it('deflate: same bytes as Flume (zlib level 6, raw deflate)', () => {
    const out = runFlumeSequence(create(avroEventSerializer, { compressionCodec: 'deflate' }));
    const hl = JAVA_DEFLATE.indexOf('6b9f77cb') / 2 + 16;
    const own = out.subarray(hl - 16, hl).toString('hex');
    expect(out.toString('hex').split(own).join('6b9f77cb8410d5bbd5086a4a9f5f935a')).toBe(JAVA_DEFLATE);
  });

  it("is readable with avsc's container-file decoder, for both codecs and many blocks", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'avro-ser-'));
    try {
      for (const codec of ['null', 'deflate']) {
        const s = create(avroEventSerializer, { compressionCodec: codec, syncIntervalBytes: '100' });
        const parts: Buffer[] = [s.afterCreate!()!];
        const want: { headers: Record<string, string>; body: Buffer }[] = [];
        for (let i = 0; i < 50; i++) {
          const e = createEvent(`event ${i} ${'x'.repeat(i)}`, i % 2 ? { n: String(i), other: 'ü' } : {});
          want.push({ headers: { ...e.headers }, body: e.body });
          const b = s.write(e);
          if (b) parts.push(b);
          if (i % 7 === 0) {
            const f = s.flush!();
            if (f) parts.push(f);
          }
        }
        const f = s.flush!();
        if (f) parts.push(f);
        const file = join(dir, `f-${codec}.avro`);
        writeFileSync(file, Buffer.concat(parts));
        const got: { headers: Record<string, string>; body: Buffer }[] = [];
        let meta: { schema?: unknown; codec?: string } = {};
        await new Promise<void>((resolve, reject) => {
          avro
            .createFileDecoder(file)
            .on('metadata', (type: avro.Type, c: string) => {
              meta = { schema: type.schema(), codec: c };
            })
            .on('data', (r: { headers: Record<string, string>; body: Buffer }) => got.push({ headers: { ...r.headers }, body: r.body }))
            .on('end', resolve)
            .on('error', reject);
        });
        expect(meta.codec).toBe(codec);
        expect(got).toEqual(want);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** avsc's decoder with Avro's snappy codec (raw block + big-endian CRC-32 of the uncompressed bytes, checked). */
  function readAvro(file: string): Promise<{ codec: string; records: { headers: Record<string, string>; body: Buffer }[] }> {
    const records: { headers: Record<string, string>; body: Buffer }[] = [];
    let codec = '';
    const snappy = (buf: Buffer, cb: (err: Error | null, out?: Buffer) => void) => {
      const data = uncompress(buf.subarray(0, buf.length - 4));
      cb(crc32(data) === buf.readUInt32BE(buf.length - 4) ? null : new Error('bad CRC'), data);
    };
    return new Promise((resolve, reject) => {
      avro
        .createFileDecoder(file, {
          codecs: {
            null: (b: Buffer, cb: (e: null, o: Buffer) => void) => cb(null, b),
            deflate: (b: Buffer, cb: (e: Error | null, o?: Buffer) => void) => cb(null, require('node:zlib').inflateRawSync(b)),
            snappy,
          },
        })
        .on('metadata', (_t: unknown, c: string) => {
          codec = c;
        })
        .on('data', (r: { headers: Record<string, string>; body: Buffer }) => records.push({ headers: { ...r.headers }, body: r.body }))
        .on('end', () => resolve({ codec, records }))
        .on('error', reject);
    });
  }

  it('snappy: reads a file written by Flume 1.11 (snappy-java), and writes files that read back', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/flume-1.11-snappy.avro', import.meta.url));
    const java = await readAvro(fixture);
    expect(java.codec).toBe('snappy');
    expect(java.records).toHaveLength(100);
    expect(java.records[99]).toEqual({ headers: { i: '99' }, body: Buffer.from(`java event 99 ${'y'.repeat(99)}`) });
    const s = create(avroEventSerializer, { compressionCodec: 'snappy', syncIntervalBytes: '500' });
    const parts: Buffer[] = [s.afterCreate!()!];
    for (let i = 0; i < 100; i++) {
      const b = s.write(createEvent(`ts event ${i} ${'z'.repeat(i)}`, { i: String(i) }));
      if (b) parts.push(b);
    }
    parts.push(s.flush!()!);
    const dir = mkdtempSync(join(tmpdir(), 'avro-snappy-'));
    try {
      writeFileSync(join(dir, 'x.avro'), Buffer.concat(parts));
      const ours = await readAvro(join(dir, 'x.avro'));
      expect(ours.codec).toBe('snappy');
      expect(ours.records.map((r) => r.body.toString())).toEqual(Array.from({ length: 100 }, (_, i) => `ts event ${i} ${'z'.repeat(i)}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('records larger than the block buffer (200 kB bodies) encode correctly', async () => {
    const s = create(avroEventSerializer, {});
    const big = Buffer.alloc(200_000, 0x61);
    const parts = [s.afterCreate!()!, s.write(createEvent(big, { a: '1', b: '2' })), s.write(createEvent('small')), s.flush!()].filter(
      (b): b is Buffer => !!b,
    );
    const dir = mkdtempSync(join(tmpdir(), 'avro-big-'));
    try {
      writeFileSync(join(dir, 'x.avro'), Buffer.concat(parts));
      const got = await readAvro(join(dir, 'x.avro'));
      expect(got.records).toEqual([
        { headers: { a: '1', b: '2' }, body: big },
        { headers: {}, body: Buffer.from('small') },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('crc32 is java.util.zip.CRC32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });

  it('an unknown codec warns and writes uncompressed', () => {
    expect(serializerProblems('avro_event', { compressionCodec: 'zstandard' })).toEqual([
      expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/zstandard.*not supported/) }),
    ]);
    const s = create(avroEventSerializer, { compressionCodec: 'bzip2' });
    expect(s.afterCreate!()!.toString('latin1')).toContain('avro.codec\x08null');
  });

  it('avroLong zig-zag', () => {
    expect([0, -1, 1, 63, 64, -65, 2048000].map((n) => avroLong(n).toString('hex'))).toEqual([
      '00',
      '01',
      '02',
      '7e',
      '8001',
      '8101',
      '8080fa01',
    ]);
  });
});

describe('serializer parts (resolved in the registry, parsed by validation)', () => {
  it('resolves aliases case-insensitively and FQCNs', () => {
    const r = builtinRegistry();
    expect(r.resolve('serializer', 'TEXT')).toBe(textSerializer);
    expect(r.resolve('serializer', 'Header_And_Text')).toBe(headerAndTextSerializer);
    expect(r.resolve('serializer', 'org.apache.flume.serialization.BodyTextEventSerializer$Builder')).toBe(textSerializer);
    expect(r.resolve('serializer', 'org.apache.flume.serialization.HeaderAndBodyTextEventSerializer$Builder')).toBe(
      headerAndTextSerializer,
    );
    expect(r.resolve('serializer', 'org.apache.flume.serialization.FlumeEventAvroEventSerializer$Builder')).toBe(avroEventSerializer);
    expect(r.resolve('serializer', 'nope')).toBeUndefined();
  });
  it('configures from sub-properties and reports unknown types and bad options', () => {
    const hdfs = (serializer: string, extra: Record<string, string> = {}) => ({
      'hdfs.path': 'hdfs://nn/p',
      'hdfs.fileType': 'DataStream',
      serializer,
      ...extra,
    });
    const part = parseWithParts(hdfsSink, hdfs('text', { 'serializer.appendNewline': 'false' }), 'sink k1').parts.serializer!;
    const f = serializerFactory(part, baseContext('k1'));
    expect(f.create().write(createEvent('a'))!.toString()).toBe('a');
    expect(serializerProblems('txet', {})).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/unknown serializer "txet"/), hint: 'did you mean "text"?' }),
    ]);
    expect(serializerProblems('avro_event', { syncIntervalBytes: 'x' })[0]!.message).toMatch(
      /sink\.serializer\.syncIntervalBytes: expected an integer/,
    );
    expect(serializerProblems('text', { appendNewLine: 'false' })[0]).toMatchObject({
      severity: 'warning',
      hint: 'did you mean "appendNewline"?',
    });
    expect(() => configure(hdfsSink, hdfs('nope'))).toThrow(/unknown serializer "nope"/);
  });
});
