/**
 * Hadoop's BZip2Codec and Lz4Codec as flume-ts writes them (see formats.ts for the others):
 * - BZip2Codec: a standard bzip2 stream per compressed unit, made by the system `bzip2` program (no permissively
 *   licensed pure-JavaScript bzip2 compressor exists); Hadoop reads it with its pure-Java bzip2, no native library.
 * - Lz4Codec: Hadoop's BlockCompressorStream framing of raw LZ4 blocks (lz4js, pure JavaScript); Hadoop 3.3+ reads it
 *   with lz4-java, no native library.
 * ZStandardCodec is not offered: Node 20 has no zstd, and Hadoop's reader needs the native libhadoop built with zstd.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { FlumeError } from '../../../core/errors.js';

interface Lz4js {
  compressBound(n: number): number;
  compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
}
let lz4: Lz4js | undefined;

/** A raw LZ4 block holding only literals (for input lz4js does not compress: it returns 0 for tiny blocks). */
function literalBlock(data: Buffer): Buffer {
  const n = data.length;
  const ext: number[] = [];
  if (n >= 15) {
    let rest = n - 15;
    while (rest >= 255) {
      ext.push(255);
      rest -= 255;
    }
    ext.push(rest);
  }
  return Buffer.concat([Buffer.from([Math.min(n, 15) << 4, ...ext]), data]);
}

/** One raw LZ4 block (the format of Hadoop's Lz4Compressor / lz4-java's LZ4Compressor). */
export function lz4Block(data: Buffer): Buffer {
  lz4 ??= createRequire(import.meta.url)('lz4js') as Lz4js;
  if (data.length === 0) return Buffer.from([0]);
  const dst = Buffer.alloc(lz4.compressBound(data.length));
  const n = lz4.compressBlock(data, dst, 0, data.length, new Uint32Array(1 << 16));
  return n > 0 ? dst.subarray(0, n) : literalBlock(data);
}

/** bzip2 -9 of `data` through the system program (synchronous: called once per flushed unit). */
export function bzip2(data: Buffer): Buffer {
  const r = spawnSync('bzip2', ['-c', '-9'], { input: data, maxBuffer: 64 * 1024 * 1024 + data.length * 2 });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : r.stderr.toString().trim();
    throw new FlumeError(
      'FLUME_CODEC',
      `bzip2 compression failed (${why}); hdfs.codeC = bzip2 needs the bzip2 program on PATH (Debian: apt-get install bzip2)`,
    );
  }
  return r.stdout;
}
