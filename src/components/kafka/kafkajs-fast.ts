/**
 * Faster drop-in replacements for three internal modules of kafkajs 2.2.4, installed into Node's CommonJS module cache
 * before kafkajs is first loaded (kafkajs requires them at its own load time and keeps the reference). Each writes
 * exactly the bytes (and builds exactly the objects) of the module it replaces; test/components/kafka/kafkajs-fast
 * compares them with the originals. Measured with `node --cpu-prof` on the Kafka sink, these three took about a quarter
 * of the sink's CPU (plus much of the garbage collection):
 *
 * - producer/groupMessagesPerPartition.js: the original copies the partition's whole array for every message
 *   (`[...current, message]`), quadratic in the batch size; this one appends.
 * - protocol/recordBatch/record/v0: the original builds each record through a 512-byte zero-filled Encoder, Long
 *   objects for the timestamp varlong and one Encoder per header; this one computes the record's size with plain
 *   numbers and writes it into one exactly sized buffer. Records whose deltas are not safe integers go to the original.
 * - protocol/recordBatch/crc32C: the record batch checksum, byte at a time in the original; slicing-by-8 here.
 * - protocol/recordBatch/record/v0/decoder.js (the consumer's side): the original computes every record's offset and
 *   timestamp through Long objects parsed from strings; this one with plain numbers while they are safe integers
 *   (any other record goes to the original), giving the same strings.
 */
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { putVarint, varintSize } from '../shared/varint.js';
import { fetchFastModules } from './fetch-decoder.js';

const require = createRequire(import.meta.url);

type Headers = Record<string, unknown>;
interface RecordInput {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: unknown;
  value?: unknown;
  headers?: Headers;
}
/** What kafkajs' RecordBatch reads from an encoded record: `buf` (checked to be a Buffer), `buffer` and `size()`. */
export interface EncodedRecord {
  buf: Buffer;
  buffer: Buffer;
  offset: number;
  size(): number;
}

/** Zig-zag of a safe integer, as a non-negative number (the varint/varlong encodings of Kafka). */
export const zigzag = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);

const varSize = varintSize;
const writeVar = putVarint;

export const asBytes = (v: unknown): Buffer | null =>
  v === null || v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8');
const bytesSize = (b: Buffer | null): number => (b === null ? 1 : varSize(b.length * 2) + b.length);

function writeBytes(buf: Buffer, at: number, b: Buffer | null): number {
  if (b === null) return writeVar(buf, at, 1); // zig-zag(-1)
  at = writeVar(buf, at, b.length * 2);
  b.copy(buf, at);
  return at + b.length;
}

/** The headers flattened as kafkajs does (an array value gives one header per element), as byte pairs. */
export function flatHeaders(headers: Headers): Array<[Buffer | null, Buffer | null]> {
  const out: Array<[Buffer | null, Buffer | null]> = [];
  for (const k of Object.keys(headers)) {
    const v = headers[k];
    const key = Buffer.from(k, 'utf8');
    if (Array.isArray(v)) for (const x of v) out.push([key, asBytes(x)]);
    else out.push([key, asBytes(v)]);
  }
  return out;
}

/** One record (Kafka record v0 inside a v2 batch), byte for byte as kafkajs' Record v0 writes it. */
export function makeRecord(original: (r: RecordInput) => EncodedRecord) {
  return (r: RecordInput): EncodedRecord => {
    const offsetDelta = r.offsetDelta ?? 0;
    const timestampDelta = r.timestampDelta ?? 0;
    if (!Number.isSafeInteger(timestampDelta) || Math.abs(timestampDelta) >= 2 ** 52 || !Number.isInteger(offsetDelta)) {
      return original(r);
    }
    const key = asBytes(r.key);
    const value = asBytes(r.value);
    const hs = r.headers ? flatHeaders(r.headers) : [];
    let body = 1 + varSize(zigzag(timestampDelta)) + varSize(zigzag(offsetDelta)) + bytesSize(key) + bytesSize(value);
    body += varSize(hs.length * 2);
    for (const [k, v] of hs) body += bytesSize(k) + bytesSize(v);
    const total = varSize(body * 2) + body;
    const buf = Buffer.allocUnsafe(total);
    let at = writeVar(buf, 0, body * 2);
    buf[at++] = 0; // attributes
    at = writeVar(buf, at, zigzag(timestampDelta));
    at = writeVar(buf, at, zigzag(offsetDelta));
    at = writeBytes(buf, at, key);
    at = writeBytes(buf, at, value);
    at = writeVar(buf, at, hs.length * 2);
    for (const [k, v] of hs) at = writeBytes(buf, writeBytes(buf, at, k), v);
    return { buf, buffer: buf, offset: total, size: () => total };
  };
}

interface DecoderLike {
  buffer: Buffer;
  offset: number;
}
interface BatchContext {
  firstOffset?: string;
  firstTimestamp?: string;
  magicByte?: number;
  isControlBatch?: boolean;
  timestampType?: number;
  maxTimestamp?: string;
}
const LOG_APPEND_TIME = 1;

/** A zig-zag varint/varlong at `at`: [value, next position], or undefined past 7 bytes (not a safe integer then). */
function readVar(buf: Buffer, at: number): [number, number] | undefined {
  let z = 0;
  let mul = 1;
  for (let i = 0; i < 7; i++) {
    const b = buf[at++];
    if (b === undefined) return undefined;
    z += (b & 0x7f) * mul;
    if (b < 0x80) return [z % 2 === 0 ? z / 2 : -(z + 1) / 2, at];
    mul *= 128;
  }
  return undefined;
}

/** One record read from a decoder, as kafkajs' record v0 decoder returns it. */
export function makeRecordDecoder(original: (d: DecoderLike, ctx?: BatchContext) => unknown) {
  return (decoder: DecoderLike, ctx: BatchContext = {}): unknown => {
    const firstOffset = Number(ctx.firstOffset);
    const firstTimestamp = Number(ctx.firstTimestamp);
    const r =
      Number.isSafeInteger(firstOffset) && Number.isSafeInteger(firstTimestamp)
        ? fastRecord(decoder, ctx, firstOffset, firstTimestamp)
        : undefined;
    return r ?? original(decoder, ctx);
  };
}

function fastRecord(decoder: DecoderLike, ctx: BatchContext, firstOffset: number, firstTimestamp: number): unknown {
  const buf = decoder.buffer;
  let at = decoder.offset;
  if (at >= buf.length) return undefined;
  const attributes = buf.readInt8(at++);
  const ts = readVar(buf, at);
  if (!ts) return undefined;
  const od = readVar(buf, ts[1]);
  if (!od) return undefined;
  at = od[1];
  const bytes = (): Buffer | null | undefined => {
    const l = readVar(buf, at);
    if (!l) return undefined;
    at = l[1];
    if (l[0] === -1) return null;
    const b = buf.subarray(at, at + l[0]);
    at += l[0];
    return b;
  };
  const key = bytes();
  const value = bytes();
  const n = readVar(buf, at);
  if (key === undefined || value === undefined || !n) return undefined;
  at = n[1];
  const headers: Record<string, unknown> = {};
  for (let i = 0; i < n[0]; i++) {
    const k = bytes();
    const v = bytes();
    if (k === undefined || v === undefined) return undefined;
    const name = String(k === null ? null : k.toString('utf8'));
    const prev = headers[name];
    headers[name] = prev === undefined ? v : Array.isArray(prev) ? prev.concat([v]) : [prev, v];
  }
  const timestamp = ctx.timestampType === LOG_APPEND_TIME && ctx.maxTimestamp ? ctx.maxTimestamp : String(firstTimestamp + ts[0]);
  decoder.offset = at;
  return {
    magicByte: ctx.magicByte,
    attributes,
    timestamp,
    offset: String(firstOffset + od[0]),
    key,
    value,
    headers,
    isControlRecord: ctx.isControlBatch ?? false,
    batchContext: ctx,
  };
}

/** Partition → messages in their order, as kafkajs' groupMessagesPerPartition, in linear time. */
export function groupMessagesPerPartition(o: {
  topic: string;
  partitionMetadata: unknown[];
  messages: unknown[];
  partitioner: (a: { topic: string; partitionMetadata: unknown[]; message: unknown }) => number;
}): Record<number, unknown[]> {
  const { topic, partitionMetadata, messages, partitioner } = o;
  if (partitionMetadata.length === 0) return {};
  const result: Record<number, unknown[]> = {};
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (result[partition] ??= []).push(message);
  }
  return result;
}

/** CRC-32C (Castagnoli), slicing-by-8 tables. */
const CRC_TABLES = (() => {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
})();

export function crc32c(buf: Buffer): number {
  const t = CRC_TABLES;
  let crc = -1;
  let i = 0;
  const end8 = buf.length - (buf.length % 8);
  for (; i < end8; i += 8) {
    const a = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    crc =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + buf[i + 4]!]! ^
      t[512 + buf[i + 5]!]! ^
      t[256 + buf[i + 6]!]! ^
      t[buf[i + 7]!]!;
  }
  for (; i < buf.length; i++) crc = t[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** kafkajs' source directory (the package has no "exports" map, so its files resolve by path). */
export function kafkajsSrc(): string {
  return path.join(path.dirname(require.resolve('kafkajs/package.json')), 'src');
}

/** Loads a fresh, uncached copy of one kafkajs file (for the original Record, and for tests). */
export function loadOriginal<T>(rel: string): T {
  const file = path.join(kafkajsSrc(), rel);
  const m = new Module(file) as Module & { _compile(code: string, file: string): void; paths: string[] };
  m.filename = file;
  m.paths = (Module as unknown as { _nodeModulePaths(d: string): string[] })._nodeModulePaths(path.dirname(file));
  m._compile(fs.readFileSync(file, 'utf8'), file);
  return m.exports as T;
}

export function seed(rel: string, exports: unknown): void {
  const file = path.join(kafkajsSrc(), rel);
  const m = new Module(file);
  m.filename = file;
  m.loaded = true;
  m.exports = exports;
  require.cache[file] = m;
}

let installed: boolean | undefined;

/**
 * Puts the replacements into the module cache; true when they are in use (kafkajs was not loaded before, and the
 * kafkajs on disk is the version they were written against). Set FLUME_TS_KAFKAJS_FAST=0 to run kafkajs unchanged.
 */
export function installKafkajsFastPaths(): boolean {
  if (installed !== undefined) return installed;
  installed = false;
  if (process.env.FLUME_TS_KAFKAJS_FAST === '0') return false;
  const src = kafkajsSrc();
  const version = (JSON.parse(fs.readFileSync(path.join(src, '..', 'package.json'), 'utf8')) as { version: string }).version;
  if (version !== '2.2.4' || require.cache[path.join(src, 'producer', 'sendMessages.js')]) return false;
  const original = loadOriginal<(r: RecordInput) => EncodedRecord>('protocol/recordBatch/record/v0/index.js');
  seed('protocol/recordBatch/record/v0/index.js', makeRecord(original));
  seed('producer/groupMessagesPerPartition.js', groupMessagesPerPartition);
  seed('protocol/recordBatch/crc32C/index.js', crc32c);
  const originalDecoder = loadOriginal<(d: DecoderLike, ctx?: BatchContext) => unknown>('protocol/recordBatch/record/v0/decoder.js');
  seed('protocol/recordBatch/record/v0/decoder.js', makeRecordDecoder(originalDecoder));
  // the consumer's fetch decoding and Batch (fetch-decoder.ts)
  for (const [rel, exports] of fetchFastModules(loadOriginal)) seed(rel, exports);
  installed = true;
  return true;
}

type SocketFactory = (o: { host: string; port: number; ssl?: unknown; onConnect: () => void }) => import('node:net').Socket;

/**
 * kafkajs' own socket factory (plain or TLS, keep-alive) with Nagle's algorithm off, as Kafka's Java client sets
 * TCP_NODELAY on every broker connection. With Nagle on (Node's default, which kafkajs keeps), a small request written
 * while an earlier small segment is unacknowledged waits for the broker's delayed ACK (40 ms on Linux).
 */
export function noDelaySocketFactory(): SocketFactory {
  const base = (require(path.join(kafkajsSrc(), 'network', 'socketFactory.js')) as () => SocketFactory)();
  return (o) => {
    const socket = base(o);
    socket.setNoDelay(true);
    return socket;
  };
}
