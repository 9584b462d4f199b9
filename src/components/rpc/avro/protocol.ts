/**
 * Flume's AvroSourceProtocol over Avro IPC (apache/avro Requestor/Responder, HandshakeRequest/HandshakeResponse
 * schemas, release-1.11.0), as facts; see docs in the inventory §3.1 and §3.3.
 *
 * Request  = [HandshakeRequest, only until the connection is "connected"] + call meta map<bytes> + message name +
 *            parameters.
 * Response = [HandshakeResponse, same rule] + call meta map<bytes> + error flag + (Status | error union ["string"]).
 */
import { createHash } from 'node:crypto';
import type { Event } from '../../../core/event.js';
import { RpcProtocolError } from '../errors.js';
import { type AvroReader, AvroWriter, encodeEvent, encodeEventBatch } from './binary.js';

/** Flume's protocol, as JSON without its licence doc string. Sent when a peer does not know our hash. */
export const PROTOCOL_TEXT =
  '{"protocol":"AvroSourceProtocol","namespace":"org.apache.flume.source.avro","types":[' +
  '{"type":"enum","name":"Status","symbols":["OK","FAILED","UNKNOWN"]},' +
  '{"type":"record","name":"AvroFlumeEvent","fields":[{"name":"headers","type":{"type":"map","values":"string"}},{"name":"body","type":"bytes"}]}],' +
  '"messages":{"append":{"request":[{"name":"event","type":"AvroFlumeEvent"}],"response":"Status"},' +
  '"appendBatch":{"request":[{"name":"events","type":{"type":"array","items":"AvroFlumeEvent"}}],"response":"Status"}}}';

/**
 * The MD5 of `Protocol.toString()` of Flume's generated AvroSourceProtocol (its text includes the licence header as
 * `doc`), measured with flume-ng-sdk 1.11.0 and avro 1.11.0. Real Flume clients and servers send this hash; we use it
 * as our own so that handshakes with Flume complete in one round trip with match BOTH, exactly as Flume↔Flume.
 */
export const FLUME_PROTOCOL_HASH = Buffer.from('86aadae2c45474c0fe93ffd0f2350a65', 'hex');
/** MD5 of PROTOCOL_TEXT, also accepted as a client hash (a client that sent our text). */
export const TEXT_HASH = createHash('md5').update(PROTOCOL_TEXT, 'utf8').digest();

export type Status = 'OK' | 'FAILED' | 'UNKNOWN';
export const STATUSES: readonly Status[] = ['OK', 'FAILED', 'UNKNOWN'];

export const enum Match {
  BOTH = 0,
  CLIENT = 1,
  NONE = 2,
}

export interface HandshakeRequest {
  clientHash: Buffer;
  clientProtocol: string | null;
  serverHash: Buffer;
}

export function readHandshakeRequest(r: AvroReader): HandshakeRequest {
  const clientHash = Buffer.from(r.fixed(16));
  const b1 = r.long();
  if (b1 !== 0 && b1 !== 1) throw new RpcProtocolError(`bad Avro handshake: clientProtocol union branch ${b1}`);
  const clientProtocol = b1 === 1 ? r.string() : null;
  const serverHash = Buffer.from(r.fixed(16));
  const b2 = r.long();
  if (b2 === 1) r.bytesMap();
  else if (b2 !== 0) throw new RpcProtocolError(`bad Avro handshake: meta union branch ${b2}`);
  return { clientHash, clientProtocol, serverHash };
}

/** A client's handshake: like Avro's Requestor, meta is an empty map. */
export function writeHandshakeRequest(w: AvroWriter, h: HandshakeRequest): AvroWriter {
  w.raw(h.clientHash);
  if (h.clientProtocol === null) w.branch(0);
  else w.branch(1).string(h.clientProtocol);
  w.raw(h.serverHash);
  return w.branch(1).bytesMap(new Map());
}

export interface HandshakeResponse {
  match: Match;
  serverProtocol: string | null;
  serverHash: Buffer | null;
  /** The handshake's meta map (empty when null). */
  meta: Map<string, Buffer>;
}

/**
 * Handshake meta key of a flume-ts avro source: it answers the requests of a connection one after the other, in the
 * order they came, so a flume-ts avro sink may send a batch before the one before it is answered (batches-in-flight).
 * Flume's avro source (Avro's Netty server) hands every request to a pool of 16 threads, which may store two batches
 * of one connection in either order: a sink that does not see this key sends one batch at a time. Avro's Java
 * Requestor reads the meta map and ignores keys it has no plugin for.
 */
export const IN_ORDER_META = 'flume-ts.in-order';

export function readHandshakeResponse(r: AvroReader): HandshakeResponse {
  const match = r.int();
  if (match < 0 || match > 2) throw new RpcProtocolError(`bad Avro handshake response: match ${match}`);
  const b1 = r.long();
  const serverProtocol = b1 === 1 ? r.string() : null;
  if (b1 !== 0 && b1 !== 1) throw new RpcProtocolError(`bad Avro handshake response: serverProtocol branch ${b1}`);
  const b2 = r.long();
  const serverHash = b2 === 1 ? Buffer.from(r.fixed(16)) : null;
  if (b2 !== 0 && b2 !== 1) throw new RpcProtocolError(`bad Avro handshake response: serverHash branch ${b2}`);
  const b3 = r.long();
  const meta = b3 === 1 ? r.bytesMap() : new Map<string, Buffer>();
  if (b3 !== 0 && b3 !== 1) throw new RpcProtocolError(`bad Avro handshake response: meta branch ${b3}`);
  return { match, serverProtocol, serverHash, meta };
}

/**
 * As Avro's Responder: serverProtocol and serverHash only when the match is not BOTH; meta null unless `meta` is
 * given.
 */
export function writeHandshakeResponse(w: AvroWriter, match: Match, meta?: ReadonlyMap<string, Buffer>): AvroWriter {
  w.int(match);
  if (match === Match.BOTH) w.branch(0).branch(0);
  else w.branch(1).string(PROTOCOL_TEXT).branch(1).raw(FLUME_PROTOCOL_HASH);
  return meta ? w.branch(1).bytesMap(meta) : w.branch(0);
}

/** The response body after any handshake: empty meta, flag false, the Status enum index. */
export function statusResponse(status: Status): Buffer {
  return Buffer.from([0, 0, STATUSES.indexOf(status) * 2]);
}

/** A system error: empty meta, flag true, union branch 0 (string), the message (Avro's `e.toString()`). */
export function errorResponse(message: string): Buffer {
  return new AvroWriter().bytesMap(new Map()).boolean(true).branch(0).string(message).toBuffer();
}

export interface CallResult {
  status?: Status;
  error?: string;
}

/** Reads meta, flag and value/error of a response (after any handshake). */
export function readCallResult(r: AvroReader): CallResult {
  r.bytesMap();
  if (!r.boolean()) {
    const i = r.int();
    const status = STATUSES[i];
    if (!status) throw new RpcProtocolError(`bad Status enum index ${i} in the response`);
    return { status };
  }
  const branch = r.long();
  return { error: branch === 0 ? r.string() : `remote error (union branch ${branch})` };
}

/** Request prefix after any handshake: empty call meta + message name. */
function callPrefix(handshake: Buffer | undefined, message: string): Buffer {
  const w = new AvroWriter();
  if (handshake) w.raw(handshake);
  return w.bytesMap(new Map()).string(message).toBuffer();
}

/** A whole appendBatch request message with `headroom` free bytes in front. */
export function appendBatchRequest(events: readonly Event[], handshake: Buffer | undefined, headroom: number, scratch?: Buffer): Buffer {
  return encodeEventBatch(events, callPrefix(handshake, 'appendBatch'), headroom, scratch);
}

export function appendRequest(event: Event, handshake: Buffer | undefined, headroom: number): Buffer {
  return encodeEvent(event, callPrefix(handshake, 'append'), headroom);
}

/**
 * Whether a client's protocol text describes messages we can read with our decoder: `append(AvroFlumeEvent)` and
 * `appendBatch(array<AvroFlumeEvent>)`, the record being {headers: map<string>, body: bytes} in that order.
 * Returns undefined when compatible, else the reason.
 */
export function incompatibility(text: string): string | undefined {
  let p: any;
  try {
    p = JSON.parse(text);
  } catch (err) {
    return `client protocol is not JSON (${(err as Error).message})`;
  }
  const types = new Map<string, any>();
  for (const t of Array.isArray(p?.types) ? p.types : []) {
    if (t && typeof t.name === 'string') types.set(t.name.split('.').pop()!, t);
  }
  const resolve = (t: any): any => (typeof t === 'string' && types.has(t.split('.').pop()!) ? types.get(t.split('.').pop()!) : t);
  const isEvent = (t: any): boolean => {
    const r = resolve(t);
    if (r?.type !== 'record' || !Array.isArray(r.fields) || r.fields.length !== 2) return false;
    const [h, b] = r.fields.map((f: any) => resolve(f.type));
    return h?.type === 'map' && resolve(h.values) === 'string' && (b === 'bytes' || b?.type === 'bytes');
  };
  const m = p?.messages ?? {};
  const batch = m.appendBatch?.request;
  if (!Array.isArray(batch) || batch.length !== 1) return 'client protocol has no appendBatch(events) message';
  const arr = resolve(batch[0].type);
  if (arr?.type !== 'array' || !isEvent(arr.items)) return 'client appendBatch does not take array<AvroFlumeEvent{headers, body}>';
  const one = m.append?.request;
  if (one !== undefined && (!Array.isArray(one) || one.length !== 1 || !isEvent(one[0].type))) {
    return 'client append does not take AvroFlumeEvent{headers, body}';
  }
  return undefined;
}
