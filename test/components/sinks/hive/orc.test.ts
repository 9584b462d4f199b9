import { describe, expect, it } from 'vitest';
import { formatNanos } from '../../../../src/components/sinks/hive/orc/columns.js';
import { compressStream } from '../../../../src/components/sinks/hive/orc/compress.js';
import { ByteSink } from '../../../../src/components/sinks/hive/orc/protobuf.js';
import { IntRleV2, boolRle, byteRle } from '../../../../src/components/sinks/hive/orc/rle.js';
import { parseHiveType, typeString } from '../../../../src/components/sinks/hive/orc/types.js';
import { OrcWriter } from '../../../../src/components/sinks/hive/orc/writer.js';

const hex = (b: Buffer) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');

function rle(values: number[], signed = false): string {
  const out = new ByteSink();
  const w = new IntRleV2(out, signed);
  for (const v of values) w.write(BigInt(v));
  w.flush();
  return hex(out.view());
}

describe('ORC encodings (examples of specification/ORCv1.md)', () => {
  it('integer RLE v2: short repeat, direct, fixed delta', () => {
    expect(rle([10000, 10000, 10000, 10000, 10000])).toBe('0a 27 10');
    expect(rle([23713, 43806, 57005, 48879])).toBe('5e 03 5c a1 ab 1e de ad be ef');
    // 0..99: one DELTA run, width 0, base 0, delta +1
    expect(rle(Array.from({ length: 100 }, (_, i) => i))).toBe('c0 63 00 02');
    // signed: zigzag in the direct run (-1 → 1, 1 → 2)
    expect(rle([-1, 1], true)).toBe('42 01 60');
  });
  it('integer RLE v2 splits runs at 512 values', () => {
    const s = rle(Array.from({ length: 1000 }, () => 7));
    expect(s).toBe('c1 ff 07 00 c1 e7 07 00');
  });
  it('byte and boolean RLE', () => {
    const a = new ByteSink();
    byteRle(a, new Uint8Array(100));
    expect(hex(a.view())).toBe('61 00');
    const b = new ByteSink();
    byteRle(b, Uint8Array.from([0x44, 0x45]));
    expect(hex(b.view())).toBe('fe 44 45');
    const c = new ByteSink();
    boolRle(c, [true, false, false, false, false, false, false, false, true]);
    expect(hex(c.view())).toBe('fe 80 80');
  });
  it('timestamp nanos drop trailing zeros', () => {
    expect(formatNanos(0)).toBe(0);
    expect(formatNanos(1000)).toBe(0x0a);
    expect(formatNanos(100000)).toBe(0x0c);
    expect(formatNanos(123)).toBe(123 * 8);
  });
  it('zlib chunk headers: compressed and original chunks', () => {
    const z = compressStream(Buffer.alloc(1000, 0x41), 'ZLIB');
    const len = z[0] | (z[1] << 8) | (z[2] << 16);
    expect(len & 1).toBe(0);
    expect(len >> 1).toBe(z.length - 3);
    const raw = compressStream(Buffer.from([1, 2, 3, 4, 5]), 'ZLIB');
    expect(hex(raw.subarray(0, 3))).toBe('0b 00 00');
  });
});

describe('Hive type strings', () => {
  it('parses the types streaming tables use', () => {
    const t = parseHiveType('struct<a:INT,b:varchar(10),c:decimal(12,3),d:char(2),e:struct<x:bigint>>');
    expect(typeString(t)).toBe('struct<a:int,b:varchar(10),c:decimal(12,3),d:char(2),e:struct<x:bigint>>');
    expect(parseHiveType('decimal').scale).toBe(0);
  });
  it('rejects types the writer cannot write, with FLUME_HIVE_TYPE', () => {
    expect(() => parseHiveType('array<int>')).toThrow(expect.objectContaining({ code: 'FLUME_HIVE_TYPE' }));
    expect(() => parseHiveType('map<string,int>')).toThrow(/unsupported type map/);
    expect(() => parseHiveType('varchar')).toThrow(/needs a length/);
  });
});

describe('OrcWriter file layout', () => {
  it('starts with ORC, ends with the postscript and its length', () => {
    const w = new OrcWriter(parseHiveType('struct<a:int>'));
    w.addRow([1]);
    const f = w.finish();
    expect(f.subarray(0, 3).toString()).toBe('ORC');
    const psLen = f[f.length - 1];
    expect(f.subarray(f.length - 1 - 3, f.length - 1).toString()).toBe('ORC');
    expect(psLen).toBeLessThan(256);
  });
});
