// ORC generic compression framing (specification/ORCv1.md "Compression"): a stream is cut into chunks of at
// most `blockSize` bytes; each chunk is deflated independently (raw deflate, no zlib header) and preceded by a
// 3-byte little-endian header holding length*2 + isOriginal. A chunk that does not shrink is stored as is.
import { deflateRawSync } from 'node:zlib';

export type Compression = 'NONE' | 'ZLIB';
export const COMPRESSION_CODE: Record<Compression, number> = { NONE: 0, ZLIB: 1 };
export const DEFAULT_BLOCK_SIZE = 256 * 1024;

function header(len: number, original: boolean): Buffer {
  const v = len * 2 + (original ? 1 : 0);
  return Buffer.from([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff]);
}

/** Frames (and compresses) one complete stream. */
export function compressStream(data: Uint8Array, kind: Compression, blockSize = DEFAULT_BLOCK_SIZE): Buffer {
  if (kind === 'NONE') return Buffer.from(data);
  const parts: Buffer[] = [];
  for (let off = 0; off < data.length; off += blockSize) {
    const chunk = data.subarray(off, Math.min(data.length, off + blockSize));
    const z = deflateRawSync(chunk, { level: 6 });
    if (z.length < chunk.length) parts.push(header(z.length, false), z);
    else parts.push(header(chunk.length, true), Buffer.from(chunk));
  }
  return Buffer.concat(parts);
}
