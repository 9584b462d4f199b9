/**
 * A one-pass Produce request for kafkajs 2.2.4 (the sink's and the channel's producer path), installed beside the
 * replacements of kafkajs-fast.ts. kafkajs builds a Produce request (v3; v4–v7 reuse v3's body) through a chain of
 * Encoders: each record in its own buffer, then the records copied into the batch body, the body into the batch, the
 * batch into the partition, the partition into the topic, the topic into the request and the request into its frame
 * (seven copies of every byte, each Encoder growing by doubling). `node --cpu-prof` on the kafka-sink bench scenario
 * put that chain, with the garbage it makes, at about 40 % of the sink agent's CPU.
 *
 * Here the request's size is computed first (plain numbers), then every record is written straight from the messages
 * into one buffer, with room reserved in front for the request header that protocol/request.js adds (the fast
 * protocol/request.js below writes it there instead of copying). The bytes are exactly kafkajs': same fields, same
 * timestamps rule (kafkajs' own, including its string sort of message timestamps), same CRC-32C over the batch body,
 * and compressed batches go through kafkajs' codec registry (gzip and ours in codecs.ts) as kafkajs does.
 * Everything else stays kafkajs': partitioning, metadata, leader lookup, connections (TLS, SASL, GSSAPI), retries,
 * the idempotent producer's sequence numbers, and the response decoding. A request this encoder does not cover
 * (a timestamp delta beyond 2^52, an unknown compression value) is encoded by kafkajs' original module.
 * test/components/kafka/produce-fast.test.ts compares the bytes with kafkajs' original modules.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { putVarint, varintSize } from '../shared/varint.js';
import { crc32c, kafkajsSrc, loadOriginal, seed, zigzag } from './kafkajs-fast.js';

const require = createRequire(import.meta.url);

interface LongLike {
  getHighBits(): number;
  getLowBits(): number;
}
interface LongStatic {
  fromValue(v: unknown): LongLike;
  fromInt(v: number): LongLike;
}
interface EncoderLike {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
}
interface Codec {
  compress(encoder: EncoderLike): Promise<Buffer>;
}
/** What kafkajs' internals this module uses (loaded from kafkajs' own files, injected for tests). */
export interface KafkajsParts {
  Long: LongStatic;
  Encoder: { prototype: object };
  lookupCodec: (type: number) => Codec;
}

interface ProduceMessage {
  key?: unknown;
  value?: unknown;
  headers?: Record<string, unknown> | null;
  timestamp?: unknown;
}
interface PartitionData {
  partition: number;
  firstSequence?: number;
  messages: ProduceMessage[];
}
interface TopicData {
  topic: string;
  partitions: PartitionData[];
}
export interface ProduceArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: unknown;
  producerEpoch?: number;
  compression?: number;
  topicData: TopicData[];
}
interface ProduceRequest {
  apiKey: number;
  apiVersion: number;
  apiName: string;
  expectResponse: () => boolean;
  encode: () => Promise<EncoderLike>;
}

/** Bytes kept in front of every payload for the request header: size, api key/version, correlation id, client id. */
export const HEADROOM = 270;
const PRODUCE_API_KEY = 0;
const MAGIC = 2;
const TRANSACTIONAL = 16;

/** Payload encoder → the whole buffer it is a view of (the header room precedes it). */
const framed = new WeakMap<object, Buffer>();

const varSize = (z: number): number => (z < 0x80 ? 1 : z < 0x4000 ? 2 : z < 0x200000 ? 3 : z < 0x10000000 ? 4 : varintSize(z));

function putVar(buf: Buffer, at: number, z: number): number {
  if (z >= 0x100000000) return putVarint(buf, at, z);
  while (z > 0x7f) {
    buf[at++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[at++] = z;
  return at;
}

/** -1 for null, else the byte length of the value as kafkajs writes it (a Buffer as is, anything else as its String). */
const byteLen = (v: unknown): number =>
  v === null || v === undefined ? -1 : Buffer.isBuffer(v) ? v.length : Buffer.byteLength(String(v), 'utf8');
const bytesSize = (n: number): number => (n < 0 ? 1 : varSize(n * 2) + n);

function putBytes(buf: Buffer, at: number, v: unknown, n: number): number {
  if (n < 0) {
    buf[at] = 1; // zig-zag(-1)
    return at + 1;
  }
  at = putVar(buf, at, n * 2);
  if (Buffer.isBuffer(v)) buf.set(v, at);
  else buf.write(String(v), at, n, 'utf8');
  return at + n;
}

/** Header count and bytes of a record's headers (an array value gives one header per element, as kafkajs). */
function headersSize(h: Record<string, unknown> | null | undefined): number {
  if (!h) return 1;
  let count = 0;
  let size = 0;
  for (const k of Object.keys(h)) {
    const v = h[k];
    const kn = bytesSize(Buffer.byteLength(k, 'utf8'));
    if (Array.isArray(v)) {
      for (const x of v) size += kn + bytesSize(byteLen(x));
      count += v.length;
    } else {
      size += kn + bytesSize(byteLen(v));
      count++;
    }
  }
  return varSize(count * 2) + size;
}

function putHeaders(buf: Buffer, at: number, h: Record<string, unknown> | null | undefined): number {
  if (!h) {
    buf[at] = 0;
    return at + 1;
  }
  let count = 0;
  for (const k of Object.keys(h)) {
    const v = h[k];
    count += Array.isArray(v) ? v.length : 1;
  }
  at = putVar(buf, at, count * 2);
  for (const k of Object.keys(h)) {
    const v = h[k];
    const kn = Buffer.byteLength(k, 'utf8');
    if (Array.isArray(v)) {
      for (const x of v) at = putBytes(buf, putBytes(buf, at, k, kn), x, byteLen(x));
    } else at = putBytes(buf, putBytes(buf, at, k, kn), v, byteLen(v));
  }
  return at;
}

/** One partition's batch, planned: timestamps as kafkajs picks them, each record's body size, the records' total. */
interface PlannedBatch {
  partition: number;
  firstSequence: number;
  messages: ProduceMessage[];
  dateNow: number;
  firstTimestamp: unknown;
  maxTimestamp: unknown;
  deltas: number[] | undefined; // undefined: every delta is 0 (no message timestamps)
  bodies: number[];
  recordsSize: number;
  compressed?: Buffer;
}

/** kafkajs' rule: message timestamps (string-sorted), else Date.now(); each delta = (timestamp || now) - first. */
function planBatch(p: PartitionData): PlannedBatch | undefined {
  const dateNow = Date.now();
  const { messages } = p;
  const stamps: unknown[] = [];
  for (const m of messages) if (m.timestamp !== null && m.timestamp !== undefined) stamps.push(m.timestamp);
  stamps.sort();
  const firstTimestamp = stamps.length === 0 ? dateNow : stamps[0];
  const maxTimestamp = stamps.length === 0 ? dateNow : stamps[stamps.length - 1];
  let deltas: number[] | undefined;
  if (stamps.length > 0) {
    deltas = new Array<number>(messages.length);
    for (let i = 0; i < messages.length; i++) {
      const d = ((messages[i]!.timestamp || dateNow) as number) - (firstTimestamp as number);
      if (!Number.isSafeInteger(d) || Math.abs(d) >= 2 ** 52) return undefined;
      deltas[i] = d;
    }
  }
  const bodies = new Array<number>(messages.length);
  let recordsSize = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const td = deltas === undefined ? 0 : deltas[i]!;
    const body =
      1 + varSize(zigzag(td)) + varSize(i * 2) + bytesSize(byteLen(m.key)) + bytesSize(byteLen(m.value)) + headersSize(m.headers);
    bodies[i] = body;
    recordsSize += varSize(body * 2) + body;
  }
  const firstSequence = p.firstSequence ?? 0;
  return { partition: p.partition, firstSequence, messages, dateNow, firstTimestamp, maxTimestamp, deltas, bodies, recordsSize };
}

/** Writes the planned batch's records (no count) at `at`; returns the position after them. */
function putRecords(buf: Buffer, at: number, b: PlannedBatch): number {
  const { messages, bodies, deltas } = b;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const body = bodies[i]!;
    at = putVar(buf, at, body * 2);
    buf[at++] = 0; // attributes
    at = putVar(buf, at, deltas === undefined ? 0 : zigzag(deltas[i]!));
    at = putVar(buf, at, i * 2);
    at = putBytes(buf, at, m.key, byteLen(m.key));
    at = putBytes(buf, at, m.value, byteLen(m.value));
    at = putHeaders(buf, at, m.headers);
  }
  return at;
}

function putInt64(buf: Buffer, at: number, v: LongLike): number {
  buf.writeInt32BE(v.getHighBits(), at);
  buf.writeInt32BE(v.getLowBits(), at + 4);
  return at + 8;
}

/** Fixed bytes of a partition entry before the records: partition, set size, offset, length, epoch, magic, crc, body header. */
const PARTITION_OVERHEAD = 4 + 4 + 8 + 4 + 4 + 1 + 4 + (2 + 4 + 8 + 8 + 8 + 2 + 4) + 4;

interface Plan {
  args: ProduceArgs;
  topics: Array<{ name: Buffer; batches: PlannedBatch[] }>;
  size: number;
}

async function plan(args: ProduceArgs, parts: KafkajsParts): Promise<Plan | undefined> {
  const compression = args.compression ?? 0;
  if (!Number.isInteger(compression) || compression < 0 || compression > 4) return undefined;
  const tid = args.transactionalId;
  let size = (tid === null || tid === undefined ? 2 : 2 + Buffer.byteLength(tid, 'utf8')) + 2 + 4 + 4;
  const topics: Plan['topics'] = [];
  for (const t of args.topicData) {
    const name = Buffer.from(t.topic, 'utf8');
    size += 2 + name.length + 4;
    const batches: PlannedBatch[] = [];
    for (const p of t.partitions) {
      const b = planBatch(p);
      if (!b) return undefined;
      if (compression !== 0) {
        const raw = Buffer.allocUnsafe(b.recordsSize);
        putRecords(raw, 0, b);
        const enc = Object.assign(Object.create(parts.Encoder.prototype) as EncoderLike, { buf: raw, offset: raw.length });
        b.compressed = await parts.lookupCodec(compression).compress(enc);
      }
      size += PARTITION_OVERHEAD + (b.compressed ? b.compressed.length : b.recordsSize);
      batches.push(b);
    }
    topics.push({ name, batches });
  }
  return { args, topics, size };
}

function putBatch(buf: Buffer, at: number, b: PlannedBatch, a: ProduceArgs, parts: KafkajsParts): number {
  const compression = a.compression ?? 0;
  const recordsLen = b.compressed ? b.compressed.length : b.recordsSize;
  const bodyLen = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4 + recordsLen;
  const batchLen = 4 + 1 + 4 + bodyLen;
  buf.writeInt32BE(b.partition, at);
  buf.writeInt32BE(8 + 4 + batchLen, at + 4);
  buf.writeInt32BE(0, at + 8); // firstOffset (int64 0)
  buf.writeInt32BE(0, at + 12);
  buf.writeInt32BE(batchLen, at + 16);
  buf.writeInt32BE(0, at + 20); // partitionLeaderEpoch
  buf[at + 24] = MAGIC;
  const crcAt = at + 25;
  const bodyAt = at + 29;
  at = bodyAt;
  buf.writeInt16BE((compression & 7) | (a.transactionalId ? TRANSACTIONAL : 0), at);
  buf.writeInt32BE(b.messages.length - 1, at + 2); // lastOffsetDelta
  at = putInt64(buf, at + 6, parts.Long.fromValue(b.firstTimestamp));
  at = putInt64(buf, at, parts.Long.fromValue(b.maxTimestamp));
  at = putInt64(buf, at, parts.Long.fromValue(a.producerId ?? parts.Long.fromInt(-1)));
  buf.writeInt16BE(a.producerEpoch ?? 0, at);
  buf.writeInt32BE(b.firstSequence, at + 2);
  buf.writeInt32BE(b.messages.length, at + 6);
  at += 10;
  if (b.compressed) {
    buf.set(b.compressed, at);
    at += b.compressed.length;
  } else at = putRecords(buf, at, b);
  buf.writeUInt32BE(crc32c(buf.subarray(bodyAt, at)), crcAt);
  return at;
}

/** The request payload (what kafkajs' v3 encode() gives) in one buffer, HEADROOM bytes after the buffer's start. */
function write(p: Plan, parts: KafkajsParts): EncoderLike {
  const whole = Buffer.allocUnsafe(HEADROOM + p.size);
  const { args } = p;
  let at = HEADROOM;
  const tid = args.transactionalId;
  if (tid === null || tid === undefined) at = whole.writeInt16BE(-1, at);
  else {
    const n = Buffer.byteLength(tid, 'utf8');
    at = whole.writeInt16BE(n, at);
    at += whole.write(tid, at, n, 'utf8');
  }
  at = whole.writeInt16BE(args.acks, at);
  at = whole.writeInt32BE(args.timeout, at);
  at = whole.writeInt32BE(p.topics.length, at);
  for (const t of p.topics) {
    at = whole.writeInt16BE(t.name.length, at);
    whole.set(t.name, at);
    at = whole.writeInt32BE(t.batches.length, at + t.name.length);
    for (const b of t.batches) at = putBatch(whole, at, b, args, parts);
  }
  const view = whole.subarray(HEADROOM, at);
  const enc = Object.assign(Object.create(parts.Encoder.prototype) as EncoderLike, { buf: view, offset: view.length });
  framed.set(enc, whole);
  return enc;
}

/** protocol/requests/produce/v3/request.js, one pass; `original` encodes what this one does not cover. */
export function makeProduceV3(original: (a: ProduceArgs) => ProduceRequest, parts: KafkajsParts) {
  return (args: ProduceArgs): ProduceRequest => ({
    apiKey: PRODUCE_API_KEY,
    apiVersion: 3,
    apiName: 'Produce',
    expectResponse: () => args.acks !== 0,
    encode: async () => {
      const p = await plan(args, parts);
      return p ? write(p, parts) : original(args).encode();
    },
  });
}

interface CreateRequestArgs {
  correlationId: number;
  clientId: string | null;
  request: { apiKey: number; apiVersion: number; encode: () => Promise<EncoderLike> };
}
type CreateRequest = (a: CreateRequestArgs) => Promise<EncoderLike>;

/** protocol/request.js: the header written into the room a one-pass payload keeps for it; any other payload copied. */
export function makeCreateRequest(original: CreateRequest, parts: KafkajsParts): CreateRequest {
  return async ({ correlationId, clientId, request }) => {
    const payload = await request.encode();
    const whole = framed.get(payload);
    const idLen = clientId === null || clientId === undefined ? -1 : Buffer.byteLength(clientId, 'utf8');
    const head = 4 + 2 + 2 + 4 + 2 + Math.max(idLen, 0);
    if (!whole || head > HEADROOM) {
      return original({ correlationId, clientId, request: { ...request, encode: async () => payload } });
    }
    framed.delete(payload);
    const start = HEADROOM - head;
    const out = whole.subarray(start, HEADROOM + payload.offset);
    out.writeInt32BE(out.length - 4, 0);
    out.writeInt16BE(request.apiKey, 4);
    out.writeInt16BE(request.apiVersion, 6);
    out.writeInt32BE(correlationId, 8);
    out.writeInt16BE(idLen, 12);
    if (idLen > 0) out.write(clientId!, 14, idLen, 'utf8');
    return Object.assign(Object.create(parts.Encoder.prototype) as EncoderLike, { buf: out, offset: out.length });
  };
}

/** kafkajs' Long, Encoder and codec lookup, from its own files. */
export function kafkajsParts(): KafkajsParts {
  const src = kafkajsSrc();
  return {
    Long: require(path.join(src, 'utils/long.js')) as LongStatic,
    Encoder: require(path.join(src, 'protocol/encoder.js')) as { prototype: object },
    lookupCodec: (require(path.join(src, 'protocol/message/compression/index.js')) as { lookupCodec: (t: number) => Codec }).lookupCodec,
  };
}

/**
 * Seeds the two modules into Node's module cache; call only when installKafkajsFastPaths() returned true (kafkajs
 * 2.2.4, not loaded yet). FLUME_TS_KAFKA_FAST_PRODUCE=0 keeps kafkajs' own produce encoding.
 */
export function installFastProduce(): boolean {
  if (process.env.FLUME_TS_KAFKA_FAST_PRODUCE === '0') return false;
  const parts = kafkajsParts();
  const v3 = loadOriginal<(a: ProduceArgs) => ProduceRequest>('protocol/requests/produce/v3/request.js');
  seed('protocol/requests/produce/v3/request.js', makeProduceV3(v3, parts));
  seed('protocol/request.js', makeCreateRequest(loadOriginal<CreateRequest>('protocol/request.js'), parts));
  return true;
}
