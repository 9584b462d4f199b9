import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  lz4Compress,
  lz4Decompress,
  snappyCompress,
  snappyDecompress,
  zstdCompress,
  zstdDecompress,
} from '../../../src/components/kafka/codecs.js';

const text = Buffer.from('a line of Flume text, repeated so that it compresses\n'.repeat(5000));
const inputs: Array<[string, Buffer]> = [
  ['empty', Buffer.alloc(0)],
  ['tiny', Buffer.from('x')],
  ['text over several blocks', text],
  ['random (incompressible)', randomBytes(200_000)],
];

describe('Kafka codecs', () => {
  for (const [what, data] of inputs) {
    it(`round-trips ${what} through snappy, lz4 and zstd`, async () => {
      expect(snappyDecompress(snappyCompress(data)).equals(data)).toBe(true);
      expect(lz4Decompress(lz4Compress(data)).equals(data)).toBe(true);
      expect((await zstdDecompress(await zstdCompress(data))).equals(data)).toBe(true);
    });
  }

  it("writes snappy-java's stream framing and also reads a raw snappy block", async () => {
    const c = snappyCompress(text);
    expect(c.subarray(0, 16).toString('hex')).toBe('82534e41505059000000000100000001');
    const { snappyjs } = await import('../../../src/components/shared/lazy.js');
    expect(snappyDecompress(Buffer.from(snappyjs().compress(text))).equals(text)).toBe(true);
  });

  it('writes LZ4 frames with independent blocks that the lz4 tool reads, and reads its frames', () => {
    const c = lz4Compress(text);
    expect(c.readUInt32LE(0)).toBe(0x184d2204);
    expect(c[4]).toBe(0x60);
    const lz = spawnSync('lz4', ['-d', '-c'], { input: c, maxBuffer: 1 << 26 });
    expect(lz.status).toBe(0);
    expect(lz.stdout.equals(text)).toBe(true);
    const back = spawnSync('lz4', ['-c', '-BD', '--no-frame-crc'], { input: text, maxBuffer: 1 << 26 });
    expect(lz4Decompress(back.stdout).equals(text)).toBe(true);
  });

  it('reads zstd frames of unknown content size (streamed, as the Java client writes them)', async () => {
    const z = spawnSync('sh', ['-c', 'cat | zstd -q -c'], { input: text, maxBuffer: 1 << 26 });
    expect(z.status).toBe(0);
    expect((await zstdDecompress(z.stdout)).equals(text)).toBe(true);
  });
});
