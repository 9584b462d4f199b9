import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CODEC, SequenceFileWriter, SYNC_INTERVAL, vlong } from '../../../../src/components/sinks/hdfs/sequence-file.js';

const SYNC = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

/** Hadoop's WritableUtils.readVLong, for reading our output back. */
function readVLong(b: Buffer, at: number): [number, number] {
  const first = (b[at]! << 24) >> 24;
  if (first >= -112) return [first, 1];
  const neg = first < -120;
  const len = neg ? -(first + 120) : -(first + 112);
  let v = 0n;
  for (let i = 0; i < len; i++) v = (v << 8n) | BigInt(b[at + 1 + i]!);
  return [Number(neg ? ~v : v), len + 1];
}

describe('vlong (WritableUtils.writeVLong)', () => {
  it.each([
    [0, '00'],
    [127, '7f'],
    [-112, '90'],
    [128, '8f80'],
    [255, '8fff'],
    [256, '8e0100'],
    [-113, '8770'],
    [1_000_000, '8d0f4240'],
    [-1, 'ff'],
  ])('%d → %s', (n, hex) => {
    expect(vlong(n).toString('hex')).toBe(hex);
    expect(readVLong(vlong(n), 0)[0]).toBe(n);
  });
});

describe('SequenceFileWriter', () => {
  it('writes the version-6 header with LongWritable/BytesWritable and the sync marker', () => {
    const w = new SequenceFileWriter({ valueClass: 'BytesWritable', sync: SYNC });
    const h = w.take();
    const expected = Buffer.concat([
      Buffer.from('SEQ\x06', 'latin1'),
      Buffer.from([33]),
      Buffer.from('org.apache.hadoop.io.LongWritable'),
      Buffer.from([34]),
      Buffer.from('org.apache.hadoop.io.BytesWritable'),
      Buffer.from([0, 0]),
      Buffer.from([0, 0, 0, 0]),
      SYNC,
    ]);
    expect(h.equals(expected)).toBe(true);
  });

  it('writes records as recordLength, keyLength, key, value and a sync point per flush', () => {
    const w = new SequenceFileWriter({ valueClass: 'BytesWritable', sync: SYNC });
    const headerLen = w.take().length;
    w.append(1700000000000, Buffer.from('hello'));
    w.syncPoint();
    w.syncPoint(); // nothing new: no second marker
    const b = w.take();
    expect(b.readInt32BE(0)).toBe(8 + 4 + 5);
    expect(b.readInt32BE(4)).toBe(8);
    expect(b.readBigInt64BE(8)).toBe(1700000000000n);
    expect(b.readInt32BE(16)).toBe(5);
    expect(b.subarray(20, 25).toString()).toBe('hello');
    expect(b.readInt32BE(25)).toBe(-1);
    expect(b.subarray(29, 45).equals(SYNC)).toBe(true);
    expect(b.length).toBe(45);
    expect(headerLen).toBeGreaterThan(0);
  });

  it('writes Text values with a vint length', () => {
    const w = new SequenceFileWriter({ valueClass: 'Text', sync: SYNC });
    expect(w.take().includes(Buffer.from('org.apache.hadoop.io.Text'))).toBe(true);
    w.append(1, Buffer.from('héllo'));
    const b = w.take();
    expect(b.readInt32BE(0)).toBe(8 + 1 + 6);
    expect(b[16]).toBe(6);
    expect(b.subarray(17).toString()).toBe('héllo');
  });

  it('inserts a sync marker every SYNC_INTERVAL bytes', () => {
    const w = new SequenceFileWriter({ valueClass: 'BytesWritable', sync: SYNC });
    const body = Buffer.alloc(1000, 0x61);
    for (let i = 0; i < 250; i++) w.append(i, body);
    const b = w.take();
    const markers = [];
    for (let i = b.indexOf(SYNC, 1); i >= 0; i = b.indexOf(SYNC, i + 1)) markers.push(i);
    // the header's marker plus one after each ~100 KB
    expect(markers.length).toBe(1 + Math.floor((250 * 1020) / SYNC_INTERVAL));
  });

  it('block-compresses with DefaultCodec: marker, count, four zlib buffers', () => {
    const w = new SequenceFileWriter({ valueClass: 'BytesWritable', sync: SYNC, codec: DEFAULT_CODEC });
    const h = w.take();
    expect(h.includes(Buffer.from('org.apache.hadoop.io.compress.DefaultCodec'))).toBe(true);
    expect(h.subarray(4 + 34 + 35, 4 + 34 + 35 + 2).toString('hex')).toBe('0101');
    w.append(5, Buffer.from('a'));
    w.append(6, Buffer.from('bc'));
    w.syncPoint();
    const b = w.take();
    expect(b.readInt32BE(0)).toBe(-1);
    expect(b.subarray(4, 20).equals(SYNC)).toBe(true);
    let at = 20;
    const [count, n0] = readVLong(b, at);
    expect(count).toBe(2);
    at += n0;
    const parts: Buffer[] = [];
    for (let i = 0; i < 4; i++) {
      const [len, n] = readVLong(b, at);
      at += n;
      parts.push(inflateSync(b.subarray(at, at + len)));
      at += len;
    }
    expect(at).toBe(b.length);
    expect(parts[0]!.toString('hex')).toBe('0808');
    expect(parts[1]!.readBigInt64BE(8)).toBe(6n);
    expect(parts[2]!.toString('hex')).toBe('0506');
    expect(parts[3]!.toString('hex')).toBe('00000001' + '61' + '00000002' + '6263');
  });
});
