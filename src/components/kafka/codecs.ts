/**
 * Kafka record-batch codecs kafkajs does not bundle, in the framings Kafka's Java client writes and reads:
 * - snappy: snappy-java's stream framing (magic `\x82SNAPPY\0`, version 1, compatible version 1, then 32 KiB chunks as
 *   big-endian length + raw snappy block); raw snappy blocks (what some non-Java clients write) are read too.
 * - lz4: an LZ4 frame (magic 0x184D2204) with independent 64 KiB blocks, no block or content checksum, and the
 *   descriptor checksum over the descriptor only (Java's Lz4BlockOutputStream for record batches v2).
 * - zstd: standard zstd frames (content size known or not), through the zstd library compiled to WebAssembly.
 * All three are pure JavaScript / WebAssembly: nothing to build, nothing native to download.
 *
 * `installCodecs` registers them in kafkajs's codec table; the Kafka components call it before they create a client.
 */
import { createRequire } from 'node:module';
import { FlumeError } from '../../core/errors.js';
import { snappyjs } from '../shared/lazy.js';

const require = createRequire(import.meta.url);

interface Lz4js {
  compressBound(n: number): number;
  compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
  decompress(src: Uint8Array, maxSize?: number): Uint8Array;
}
interface Xxh32 {
  hash(seed: number, src: Uint8Array, index: number, len: number): number;
}
interface ZstdWasm {
  compress(data: Uint8Array, level?: number): Uint8Array;
  decompress(data: Uint8Array): Uint8Array;
}

/** What kafkajs calls with a record batch body (`encoder.buffer`) and a compressed buffer. */
export interface KafkaCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

const SNAPPY_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const SNAPPY_CHUNK = 32 * 1024;

/** snappy-java's SnappyOutputStream framing of `data`. */
export function snappyCompress(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(16);
  SNAPPY_MAGIC.copy(head, 0);
  head.writeInt32BE(1, 8);
  head.writeInt32BE(1, 12);
  parts.push(head);
  for (let off = 0; off < data.length; off += SNAPPY_CHUNK) {
    const block = snappyjs().compress(data.subarray(off, off + SNAPPY_CHUNK));
    const len = Buffer.alloc(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, Buffer.from(block.buffer, block.byteOffset, block.length));
  }
  return Buffer.concat(parts);
}

/** Reads snappy-java's stream framing, or one raw snappy block when the magic is absent. */
export function snappyDecompress(buf: Buffer): Buffer {
  const toBuf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.length);
  if (buf.length < 16 || !buf.subarray(0, 8).equals(SNAPPY_MAGIC)) return toBuf(snappyjs().uncompress(buf));
  const out: Buffer[] = [];
  let off = 16;
  while (off + 4 <= buf.length) {
    const n = buf.readInt32BE(off);
    off += 4;
    if (n < 0 || off + n > buf.length)
      throw new FlumeError('FLUME_CODEC', `snappy: a chunk of ${n} bytes runs past the end of the ${buf.length}-byte batch`);
    out.push(toBuf(snappyjs().uncompress(buf.subarray(off, off + n))));
    off += n;
  }
  return Buffer.concat(out);
}

const LZ4_MAGIC = 0x184d2204;
const LZ4_BLOCK = 64 * 1024;
let lz4: Lz4js | undefined;
let xxh: Xxh32 | undefined;
let lz4Hash: Uint32Array | undefined;
let lz4Scratch: Buffer | undefined;

/** An LZ4 frame as Kafka's Java producer writes it (independent 64 KiB blocks, no checksums but the header's). */
export function lz4Compress(data: Buffer): Buffer {
  lz4 ??= require('lz4js') as Lz4js;
  xxh ??= require('lz4js/xxh32.js') as Xxh32;
  lz4Hash ??= new Uint32Array(1 << 16);
  lz4Scratch ??= Buffer.alloc(lz4.compressBound(LZ4_BLOCK));
  const parts: Buffer[] = [];
  const head = Buffer.alloc(7);
  head.writeUInt32LE(LZ4_MAGIC, 0);
  head[4] = 0x60; // version 01, block independence
  head[5] = 0x40; // block maximum size 64 KiB
  head[6] = (xxh.hash(0, head, 4, 2) >>> 8) & 0xff;
  parts.push(head);
  for (let off = 0; off < data.length; off += LZ4_BLOCK) {
    const len = Math.min(LZ4_BLOCK, data.length - off);
    lz4Hash.fill(0); // independent blocks: no match may point into the previous block
    const n = lz4.compressBlock(data, lz4Scratch, off, len, lz4Hash);
    const size = Buffer.alloc(4);
    if (n > 0 && n < len) {
      size.writeUInt32LE(n, 0);
      parts.push(size, Buffer.from(lz4Scratch.subarray(0, n)));
    } else {
      size.writeUInt32LE((0x80000000 | len) >>> 0, 0);
      parts.push(size, data.subarray(off, off + len));
    }
  }
  parts.push(Buffer.alloc(4)); // end mark
  return Buffer.concat(parts);
}

export function lz4Decompress(buf: Buffer): Buffer {
  lz4 ??= require('lz4js') as Lz4js;
  const u = lz4.decompress(buf);
  return Buffer.from(u.buffer, u.byteOffset, u.length);
}

let zstd: Promise<ZstdWasm> | undefined;

function zstdLib(): Promise<ZstdWasm> {
  zstd ??= import('@hpcc-js/wasm-zstd').then((m) => m.Zstd.load() as Promise<ZstdWasm>);
  return zstd;
}

export async function zstdCompress(data: Buffer): Promise<Buffer> {
  const u = (await zstdLib()).compress(data, 3);
  return Buffer.from(u); // copy out of the WebAssembly memory
}

export async function zstdDecompress(buf: Buffer): Promise<Buffer> {
  const u = (await zstdLib()).decompress(buf);
  return Buffer.from(u);
}

const CODECS: Record<2 | 3 | 4, KafkaCodec> = {
  2: { compress: async (e) => snappyCompress(e.buffer), decompress: async (b) => snappyDecompress(b) },
  3: { compress: async (e) => lz4Compress(e.buffer), decompress: async (b) => lz4Decompress(b) },
  4: { compress: (e) => zstdCompress(e.buffer), decompress: (b) => zstdDecompress(b) },
};

let installed = false;

/** Registers snappy, lz4 and zstd in kafkajs (its CompressionCodecs table, keyed by CompressionTypes). */
export function installCodecs(kafkajs: { CompressionCodecs: Record<number, () => unknown> }): void {
  if (installed) return;
  for (const [type, codec] of Object.entries(CODECS)) kafkajs.CompressionCodecs[Number(type)] = () => codec;
  installed = true;
}
