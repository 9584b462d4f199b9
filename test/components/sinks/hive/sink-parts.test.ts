// The hive sink's pure parts: the DELIMITED and JSON serializers (Flume's spec parsing, Java's String.split, the
// field mapping with skipped fields, LazySimpleSerDe's text conversion), Hive's bucket hash and the declaration's
// checks. The whole sink runs against a real metastore in test/integration/hive/sink.test.ts.
import { describe, expect, it } from 'vitest';
import { Bucketer, murmur3 } from '../../../../src/components/sinks/hive/bucket.js';
import { hiveSink, serializerKind } from '../../../../src/components/sinks/hive/index.js';
import type { TableInfo } from '../../../../src/components/sinks/hive/metastore/client.js';
import { parseHiveType } from '../../../../src/components/sinks/hive/orc/types.js';
import {
  DelimitedSerializer,
  HiveSerializationError,
  JsonSerializer,
  compileJavaSplit,
  parseDelimiterSpec,
  parseSerdeSeparatorSpec,
} from '../../../../src/components/sinks/hive/serializers.js';
import { parseDecimal, parseTimestamp } from '../../../../src/components/sinks/hive/values.js';
import { escapePathName, makePartName } from '../../../../src/components/sinks/hive/writer.js';
import { parseWithParts } from '../../../support/context.js';

const cols = (spec: string) =>
  spec.split(';').map((c) => {
    const [name, type] = c.split(':');
    return { name: name!, type: type! };
  });
const fields = (spec: string) => cols(spec).map((c) => ({ name: c.name, type: parseHiveType(c.type) }));

describe('DELIMITED serializer', () => {
  const schema = 'id:int;ip:string;url:string;status:int';
  it('maps fields to columns, skips empty names, converts text as LazySimpleSerDe', () => {
    const r = new DelimitedSerializer({ delimiter: ',', fieldnames: 'id,,ip,url,status' }).reader(cols(schema), fields(schema));
    expect(r(Buffer.from('7,junk,10.0.0.1,/a,200'))).toEqual([7n, '10.0.0.1', '/a', 200n]);
    expect(r(Buffer.from('x,junk,10.0.0.1,/a,\\N'))).toEqual([null, '10.0.0.1', '/a', null]);
    // fewer fields than names: the missing ones are empty (NULL for numbers)
    expect(r(Buffer.from('9,junk,10.0.0.9'))).toEqual([9n, '10.0.0.9', '', null]);
  });
  it('reorders fields and leaves unnamed columns empty', () => {
    const r = new DelimitedSerializer({ delimiter: '\t', fieldnames: 'status,id' }).reader(cols(schema), fields(schema));
    expect(r(Buffer.from('404\t3'))).toEqual([3n, '', '', 404n]);
  });
  it("refuses names that are no column, with Hive's message", () => {
    expect(() => new DelimitedSerializer({ delimiter: ',', fieldnames: 'id,nope' }).reader(cols(schema), fields(schema))).toThrow(
      "Column 'nope' not found in table for input field 11",
    );
    expect(() =>
      new DelimitedSerializer({ delimiter: ',', fieldnames: 'id,ip,url,status,id' }).reader(cols(schema), fields(schema)),
    ).toThrow('Number of field names exceeds the number of columns in table');
  });
  it("splits as Java's String.split: literal or regex, trailing empty strings dropped", () => {
    expect(compileJavaSplit(',')('a,b,,')).toEqual(['a', 'b']);
    expect(compileJavaSplit('|')('ab')).toEqual(['a', 'b']);
    expect(compileJavaSplit('\\|')('a|b')).toEqual(['a', 'b']);
    expect(compileJavaSplit('\\s+')('a  b\tc')).toEqual(['a', 'b', 'c']);
    expect(compileJavaSplit(',')('')).toEqual(['']);
  });
  it("parses Flume's delimiter and serdeSeparator specs", () => {
    expect(parseDelimiterSpec('"\t"')).toBe('\t');
    expect(parseDelimiterSpec(',')).toBe(',');
    expect(parseSerdeSeparatorSpec("'|'")).toBe('|');
    expect(parseSerdeSeparatorSpec(',')).toBe(',');
    expect(parseSerdeSeparatorSpec('ab')).toBeUndefined();
  });
});

describe('JSON serializer', () => {
  const schema = 'id:bigint;name:string;ok:boolean;price:decimal(5,2);ts:timestamp;d:date';
  const r = new JsonSerializer().reader(cols(schema), fields(schema));
  it('names case-insensitively, unknown fields ignored, missing ones NULL', () => {
    expect(r(Buffer.from('{"ID": 5, "Name": "x", "ok": true, "price": "12.345", "extra": 1}'))).toEqual([5n, 'x', true, 1235n, null, null]);
    expect(r(Buffer.from('{"ts": "2026-12-01 10:11:12.5", "d": "2026-12-01"}'))[4]).toEqual(parseTimestamp('2026-12-01 10:11:12.5'));
  });
  it('malformed JSON and non-objects are serialization errors (skipped by the sink)', () => {
    expect(() => r(Buffer.from('{"id": '))).toThrow(HiveSerializationError);
    expect(() => r(Buffer.from('[1]'))).toThrow(HiveSerializationError);
  });
});

describe('values', () => {
  it('decimals round half up and overflow to NULL', () => {
    expect(parseDecimal('1.005', 5, 2)).toBe(101n);
    expect(parseDecimal('-3.1', 5, 2)).toBe(-310n);
    expect(parseDecimal('12345', 5, 2)).toBeNull();
    expect(parseDecimal('1e2', 5, 2)).toBe(10000n);
  });
});

describe('bucket hash', () => {
  it('is MurmurHash3 x86_32 (published test vectors)', () => {
    expect(murmur3(Buffer.alloc(0), 0, 0)).toBe(0);
    expect(murmur3(Buffer.alloc(0), 0, 1) >>> 0).toBe(0x514e28b7);
    const fox = Buffer.from('The quick brown fox jumps over the lazy dog');
    expect(murmur3(fox, fox.length, 0x9747b28c) >>> 0).toBe(0x2fa826cd);
  });
  it('a one-bucket table puts every row in bucket 0', () => {
    const t = { numBuckets: 1, bucketCols: ['id'], parameters: {} } as unknown as TableInfo;
    expect(new Bucketer(t, fields('id:int')).bucketOf([42n])).toBe(0);
  });
  it('refuses bucket columns whose hash is not implemented', () => {
    const t = { numBuckets: 4, bucketCols: ['ts'], parameters: {} } as unknown as TableInfo;
    expect(() => new Bucketer(t, fields('ts:timestamp'))).toThrow(/timestamp bucket column/);
  });
});

describe('partition names', () => {
  it("escapes as Hive's FileUtils.escapePathName", () => {
    expect(makePartName(['Day', 'c'], ['2026-12-01', 'a/b:c'])).toBe('day=2026-12-01/c=a%2Fb%3Ac');
    expect(escapePathName('')).toBe('__HIVE_DEFAULT_PARTITION__');
  });
});

describe('hive declaration', () => {
  const base = { 'hive.metastore': 'thrift://127.0.0.1:9083', 'hive.database': 'logsdb', 'hive.table': 'weblogs' };
  it("Flume's defaults", () => {
    const { config } = parseWithParts(hiveSink, { ...base, serializer: 'JSON' });
    expect(config).toMatchObject({
      'hive.txnsPerBatchAsk': 100,
      heartBeatInterval: 240,
      autoCreatePartitions: true,
      batchSize: 15000,
      maxOpenConnections: 500,
      callTimeout: 10000,
      idleTimeout: 0,
      'serializer.delimiter': ',',
      round: false,
      roundUnit: 'minute',
      roundValue: 1,
      useLocalTimeStamp: false,
    });
  });
  it('serializer aliases and class names; DELIMITED needs fieldnames', () => {
    expect(serializerKind('delimited')).toBe('DELIMITED');
    expect(serializerKind('org.apache.flume.sink.hive.HiveJsonSerializer')).toBe('JSON');
    expect(serializerKind('com.example.Other')).toBeUndefined();
    const { ok, diagnostics } = parseWithParts(hiveSink, { ...base, serializer: 'DELIMITED' });
    expect(ok).toBe(false);
    expect(diagnostics.map((d) => d.message).join('\n')).toContain('serializer.fieldnames is not specified');
  });
});
