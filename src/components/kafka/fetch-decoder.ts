/**
 * The consumer's side of kafkajs 2.2.4, decoded in one pass (installed by kafkajs-fast.ts into Node's module cache
 * before kafkajs loads, like the producer's replacements):
 *
 * - protocol/requests/fetch/v4/decodeMessages.js (every Fetch version ≥ 4 uses it): a partition's record set of
 *   RecordBatch v2 is read straight from the response buffer. Each record becomes one `FetchedRecord`: the positions
 *   of its key, value and headers in the buffer and its offset and timestamp as plain numbers, nothing else. No
 *   Decoder, Long, sub-buffer or header object is made per record; kafkajs' message fields (`offset`, `timestamp`,
 *   `key`, `value`, `headers`, `batchContext`…) are getters that build them on demand, the same values as kafkajs'
 *   decoder gives. Compressed batches are inflated with kafkajs' codec table (ours included, codecs.ts) and read the
 *   same way. Anything else — a legacy MessageSet (magic 0/1), offsets or timestamps beyond safe integers, a record
 *   that does not parse — is given to kafkajs' own decodeMessages for the whole record set, so the result is always
 *   what kafkajs would have decoded. A truncated last batch (the broker cuts fetches at maxBytes) ends the set, as in
 *   kafkajs.
 * - consumer/batch.js: the Batch a fetch makes per partition compared every message's offset with the fetched offset
 *   through Long objects parsed from strings; with FetchedRecords it compares numbers (and keeps the array when
 *   nothing is filtered). Its methods stay kafkajs' own.
 *
 * The Kafka source and channel read FetchedRecords' numbers and positions directly (see `recordFields`).
 */
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The context kafkajs attaches to each record of a batch (`batchContext`), with the same field values. */
export interface BatchContext {
  firstOffset: string;
  firstTimestamp: string;
  partitionLeaderEpoch: number;
  inTransaction: boolean;
  isControlBatch: boolean;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  maxTimestamp: string;
  timestampType: number;
  magicByte: number;
}

type HeaderValue = Buffer | null;
type Headers = Record<string, HeaderValue | HeaderValue[]>;

/** A zig-zag varint/varlong of at most 7 bytes: sets `varEnd`; undefined when longer or cut. */
let varEnd = 0;
function readVar(buf: Buffer, at: number, end: number): number | undefined {
  let z = 0;
  let mul = 1;
  for (let i = 0; i < 7 && at < end; i++) {
    const b = buf[at++]!;
    z += (b & 0x7f) * mul;
    if (b < 0x80) {
      varEnd = at;
      return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    }
    mul *= 128;
  }
  return undefined;
}

/** One record of a fetched batch: positions in `buf` (−1 start = null) and numbers; kafkajs' fields on demand. */
export class FetchedRecord {
  readonly buf: Buffer;
  readonly batchContext: BatchContext;
  readonly attributes: number;
  readonly offsetNum: number;
  /** Milliseconds (LogAppendTime batches: the batch's max timestamp, as kafkajs reports). */
  readonly timestampNum: number;
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly valueStart: number;
  readonly valueEnd: number;
  readonly headersStart: number;
  readonly headerCount: number;
  private cachedHeaders: Headers | undefined = undefined;

  constructor(buf: Buffer, ctx: BatchContext, attributes: number, offset: number, timestamp: number, pos: Int32Array) {
    this.buf = buf;
    this.batchContext = ctx;
    this.attributes = attributes;
    this.offsetNum = offset;
    this.timestampNum = timestamp;
    this.keyStart = pos[0]!;
    this.keyEnd = pos[1]!;
    this.valueStart = pos[2]!;
    this.valueEnd = pos[3]!;
    this.headersStart = pos[4]!;
    this.headerCount = pos[5]!;
  }

  get magicByte(): number {
    return this.batchContext.magicByte;
  }
  get isControlRecord(): boolean {
    return this.batchContext.isControlBatch;
  }
  get offset(): string {
    return String(this.offsetNum);
  }
  get timestamp(): string {
    const c = this.batchContext;
    return c.timestampType === LOG_APPEND_TIME && c.maxTimestamp ? c.maxTimestamp : String(this.timestampNum);
  }
  get key(): Buffer | null {
    return this.keyStart < 0 ? null : this.buf.subarray(this.keyStart, this.keyEnd);
  }
  get value(): Buffer | null {
    return this.valueStart < 0 ? null : this.buf.subarray(this.valueStart, this.valueEnd);
  }
  /** kafkajs' header object: name → value, or the values in order when a name repeats. */
  get headers(): Headers {
    if (this.cachedHeaders) return this.cachedHeaders;
    const out: Headers = {};
    const buf = this.buf;
    let at = this.headersStart;
    for (let i = 0; i < this.headerCount; i++) {
      const kl = readVar(buf, at, buf.length)!;
      at = varEnd;
      const name = String(kl < 0 ? null : buf.toString('utf8', at, at + kl));
      if (kl > 0) at += kl;
      const vl = readVar(buf, at, buf.length)!;
      at = varEnd;
      const v = vl < 0 ? null : buf.subarray(at, at + vl);
      if (vl > 0) at += vl;
      const prev = out[name];
      out[name] = prev === undefined ? v : Array.isArray(prev) ? prev.concat([v]) : [prev, v];
    }
    this.cachedHeaders = out;
    return out;
  }
}

const LOG_APPEND_TIME = 1;
const TIMESTAMP_TYPE_FLAG_MASK = 0x8;
const TRANSACTIONAL_FLAG_MASK = 0x10;
const CONTROL_FLAG_MASK = 0x20;
const MAGIC_OFFSET = 16;
const RECORD_BATCH_OVERHEAD = 49;
const HEADER_SIZE = 61;

interface Codec {
  decompress(b: Buffer): Promise<Buffer>;
}
/** Thrown when the fast path cannot decode a record set the way kafkajs would: kafkajs' decoder takes it. */
const FALLBACK = Symbol('fallback');

const safe = (b: bigint): number => {
  const n = Number(b);
  if (!Number.isSafeInteger(n)) throw FALLBACK;
  return n;
};

function batchContext(set: Buffer, at: number): BatchContext {
  const attributes = set.readInt16BE(at + 21);
  return {
    firstOffset: set.readBigInt64BE(at).toString(),
    firstTimestamp: set.readBigInt64BE(at + 27).toString(),
    partitionLeaderEpoch: set.readInt32BE(at + 12),
    inTransaction: (attributes & TRANSACTIONAL_FLAG_MASK) > 0,
    isControlBatch: (attributes & CONTROL_FLAG_MASK) > 0,
    lastOffsetDelta: set.readInt32BE(at + 23),
    producerId: set.readBigInt64BE(at + 43).toString(),
    producerEpoch: set.readInt16BE(at + 51),
    firstSequence: set.readInt32BE(at + 53),
    maxTimestamp: set.readBigInt64BE(at + 35).toString(),
    timestampType: (attributes & TIMESTAMP_TYPE_FLAG_MASK) > 0 ? LOG_APPEND_TIME : 0,
    magicByte: set.readInt8(at + MAGIC_OFFSET),
  };
}

const scratch = new Int32Array(6);

/** Reads `count` records from buf[at, end) into `out`; throws FALLBACK on anything kafkajs would read differently. */
function readRecords(buf: Buffer, at: number, end: number, count: number, ctx: BatchContext, base: [number, number], out: unknown[]): void {
  const [firstOffset, firstTs] = base;
  const appendTime = ctx.timestampType === LOG_APPEND_TIME && ctx.maxTimestamp ? safe(BigInt(ctx.maxTimestamp)) : undefined;
  const pos = scratch;
  for (let i = 0; i < count; i++) {
    const len = readVar(buf, at, end);
    if (len === undefined || len < 1 || varEnd + len > end) throw FALLBACK;
    const recEnd = varEnd + len;
    let p = varEnd;
    const attributes = buf.readInt8(p++);
    const tsDelta = readVar(buf, p, recEnd);
    if (tsDelta === undefined) throw FALLBACK;
    const offsetDelta = readVar(buf, varEnd, recEnd);
    if (offsetDelta === undefined) throw FALLBACK;
    p = varEnd;
    for (let f = 0; f < 4; f += 2) {
      const l = readVar(buf, p, recEnd);
      if (l === undefined || l < -1 || varEnd + Math.max(l, 0) > recEnd) throw FALLBACK;
      pos[f] = l < 0 ? -1 : varEnd;
      pos[f + 1] = l < 0 ? -1 : varEnd + l;
      p = l < 0 ? varEnd : varEnd + l;
    }
    const hc = readVar(buf, p, recEnd);
    if (hc === undefined || hc < -1) throw FALLBACK;
    pos[4] = varEnd;
    pos[5] = Math.max(hc, 0);
    if (hc > 0) checkHeaders(buf, varEnd, recEnd, hc);
    const ts = appendTime ?? firstTs + tsDelta;
    out.push(new FetchedRecord(buf, ctx, attributes, firstOffset + offsetDelta, ts, pos));
    at = recEnd;
  }
}

/** The headers must parse within the record, as kafkajs' decoder would read them. */
function checkHeaders(buf: Buffer, at: number, end: number, n: number): void {
  for (let i = 0; i < 2 * n; i++) {
    const l = readVar(buf, at, end);
    if (l === undefined || l < -1 || varEnd + Math.max(l, 0) > end) throw FALLBACK;
    at = varEnd + Math.max(l, 0);
  }
}

/** One complete batch at set[at, end): its records into `out`. */
async function readBatch(set: Buffer, at: number, end: number, codecOf: (a: number) => Codec | null, out: unknown[]) {
  if (end - at < HEADER_SIZE || set.readInt8(at + MAGIC_OFFSET) !== 2) throw FALLBACK;
  const ctx = batchContext(set, at);
  const base: [number, number] = [safe(set.readBigInt64BE(at)), safe(set.readBigInt64BE(at + 27))];
  const count = set.readInt32BE(at + 57);
  const codec = codecOf(set.readInt16BE(at + 21));
  if (!codec) {
    if (count > 0) readRecords(set, at + HEADER_SIZE, end, count, ctx, base, out);
    return;
  }
  if (count <= 0) return;
  const inflated = await codec.decompress(set.subarray(at + HEADER_SIZE, end));
  readRecords(inflated, 0, inflated.length, count, ctx, base, out);
}

interface DecoderLike {
  buffer: Buffer;
  offset: number;
}

/** kafkajs' decodeMessages, with RecordBatch v2 record sets read by `readBatch`. */
export function makeDecodeMessages(original: (d: DecoderLike) => Promise<unknown[]>, codecOf: (attributes: number) => Codec | null) {
  return async (decoder: DecoderLike): Promise<unknown[]> => {
    const buf = decoder.buffer;
    const start = decoder.offset;
    if (start + 4 > buf.length) return original(decoder);
    const size = buf.readInt32BE(start);
    const setStart = start + 4;
    if (size <= MAGIC_OFFSET || setStart + size > buf.length || buf.readInt8(setStart + MAGIC_OFFSET) !== 2) {
      return original(decoder);
    }
    const set = buf.subarray(setStart, setStart + size);
    const out: unknown[] = [];
    try {
      let at = 0;
      while (set.length - at >= RECORD_BATCH_OVERHEAD) {
        const length = set.readInt32BE(at + 8);
        if (length < 0) throw FALLBACK;
        if (set.length - at - 12 < length) break; // the partial batch at the end of a fetch
        await readBatch(set, at, at + 12 + length, codecOf, out);
        at += 12 + length;
      }
    } catch (err) {
      if (err !== FALLBACK) throw err;
      decoder.offset = start;
      return original(decoder);
    }
    decoder.offset = setStart + size;
    return out;
  };
}

interface BatchLike {
  fetchedOffset: string;
  topic: string;
  partition: number;
  highWatermark: string;
  rawMessages: unknown[];
  messagesWithinOffset: unknown[];
  messages: unknown[];
}
interface PartitionData {
  partition: number;
  highWatermark: string;
  abortedTransactions?: unknown[];
  messages: unknown[];
}
type BatchCtor = new (topic: string, fetchedOffset: string, p: PartitionData) => BatchLike;

/**
 * kafkajs' Batch constructor; with FetchedRecords and a safe fetched offset its filters compare numbers and keep the
 * array when they drop nothing. Objects made by it have kafkajs' Batch prototype (its methods, instanceof).
 */
export function makeBatch(Original: BatchCtor, filterAborted: (o: { messages: unknown[]; abortedTransactions?: unknown[] }) => unknown[]) {
  function FastBatch(this: BatchLike, topic: string, fetchedOffset: string, p: PartitionData) {
    const messages = p.messages;
    const fo = Number(fetchedOffset);
    if (!Number.isSafeInteger(fo) || !messages.every((m) => m instanceof FetchedRecord)) {
      return new Original(topic, fetchedOffset, p);
    }
    this.fetchedOffset = fetchedOffset;
    this.topic = topic;
    this.partition = p.partition;
    this.highWatermark = p.highWatermark;
    this.rawMessages = messages;
    const records = messages as FetchedRecord[];
    this.messagesWithinOffset = records.every((m) => m.offsetNum >= fo) ? records : records.filter((m) => m.offsetNum >= fo);
    const kept = p.abortedTransactions?.length
      ? (filterAborted({ messages: this.messagesWithinOffset, abortedTransactions: p.abortedTransactions }) as FetchedRecord[])
      : (this.messagesWithinOffset as FetchedRecord[]);
    this.messages = kept.some((m) => m.batchContext.isControlBatch) ? kept.filter((m) => !m.batchContext.isControlBatch) : kept;
    return undefined;
  }
  FastBatch.prototype = Original.prototype;
  return FastBatch as unknown as BatchCtor;
}

/** kafkajs' source directory. */
const kafkajsSrc = (): string => path.join(path.dirname(require.resolve('kafkajs/package.json')), 'src');

/** The module replacements of the consumer's side, by path under kafkajs/src (seeded by kafkajs-fast.ts). */
export function fetchFastModules(loadOriginal: <T>(rel: string) => T): Array<[string, unknown]> {
  const compression = require(path.join(kafkajsSrc(), 'protocol/message/compression/index.js')) as {
    lookupCodecByAttributes(a: number): Codec | null;
  };
  const decodeMessages = loadOriginal<(d: DecoderLike) => Promise<unknown[]>>('protocol/requests/fetch/v4/decodeMessages.js');
  const Batch = loadOriginal<BatchCtor>('consumer/batch.js');
  const filterAborted = require(path.join(kafkajsSrc(), 'consumer/filterAbortedMessages.js')) as Parameters<typeof makeBatch>[1];
  return [
    ['protocol/requests/fetch/v4/decodeMessages.js', makeDecodeMessages(decodeMessages, (a) => compression.lookupCodecByAttributes(a))],
    ['consumer/batch.js', makeBatch(Batch, filterAborted)],
  ];
}
