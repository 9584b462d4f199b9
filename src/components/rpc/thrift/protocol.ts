/**
 * Thrift's compact and binary protocols, only as much as Flume's ThriftSourceProtocol needs (flume.thrift):
 *
 *   struct ThriftFlumeEvent { 1: required map<string,string> headers, 2: required binary body }
 *   enum Status { OK, FAILED, ERROR, UNKNOWN }
 *   service ThriftSourceProtocol { Status append(1: ThriftFlumeEvent event), Status appendBatch(1: list<ThriftFlumeEvent> events) }
 *
 * Messages travel in Thrift's framed transport (TFastFramedTransport: a 4-byte big-endian length per message).
 * Hand-written rather than the `thrift` npm package: the service is two calls and one struct; this code decodes a batch
 * with zero-copy bodies, encodes it into one buffer, bounds every length by the frame, and pulls in no dependencies.
 * Readers skip fields they do not know, as generated Thrift code does.
 */
import type { Event } from '../../../core/event.js';
import { RpcProtocolError } from '../errors.js';
import { ByteQueue } from '../byte-queue.js';

/** TType ids (binary protocol numbering; the compact reader maps its own ids onto these). */
export const enum T {
  STOP = 0,
  BOOL = 2,
  BYTE = 3,
  DOUBLE = 4,
  I16 = 6,
  I32 = 8,
  I64 = 10,
  STRING = 11,
  STRUCT = 12,
  MAP = 13,
  SET = 14,
  LIST = 15,
}

export const enum MsgType {
  CALL = 1,
  REPLY = 2,
  EXCEPTION = 3,
  ONEWAY = 4,
}

export type ThriftStatus = 'OK' | 'FAILED' | 'ERROR' | 'UNKNOWN';
export const THRIFT_STATUSES: readonly ThriftStatus[] = ['OK', 'FAILED', 'ERROR', 'UNKNOWN'];

export type ProtocolName = 'compact' | 'binary';

// compact type ids → TType
const C2T: Record<number, T> = {
  1: T.BOOL,
  2: T.BOOL,
  3: T.BYTE,
  4: T.I16,
  5: T.I32,
  6: T.I64,
  7: T.DOUBLE,
  8: T.STRING,
  9: T.LIST,
  10: T.SET,
  11: T.MAP,
  12: T.STRUCT,
};
const T2C: Partial<Record<T, number>> = {
  [T.BOOL]: 1,
  [T.BYTE]: 3,
  [T.I16]: 4,
  [T.I32]: 5,
  [T.I64]: 6,
  [T.DOUBLE]: 7,
  [T.STRING]: 8,
  [T.LIST]: 9,
  [T.SET]: 10,
  [T.MAP]: 11,
  [T.STRUCT]: 12,
};

export interface MessageHeader {
  name: string;
  type: number;
  seqid: number;
}

interface Field {
  type: T;
  id: number;
  /** compact booleans carry their value in the field header */
  bool?: boolean;
}

const MAX_DEPTH = 64;

/** A reader over one framed message. */
export abstract class TReader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  protected need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.buf.length)
      throw new RpcProtocolError(`truncated Thrift ${what} (${n} bytes needed, ${this.buf.length - this.pos} left)`);
  }

  byte(): number {
    this.need(1, 'byte');
    return this.buf[this.pos++]!;
  }

  abstract messageBegin(): MessageHeader;
  abstract structBegin(): void;
  abstract structEnd(): void;
  abstract field(): Field;
  abstract mapBegin(): { k: T; v: T; size: number };
  abstract listBegin(): { e: T; size: number };
  abstract i32(): number;
  abstract i64(): void;
  abstract i16(): number;
  abstract binary(): Buffer;
  abstract bool(): boolean;
  abstract double(): void;

  string(): string {
    const b = this.binary();
    return b.toString('utf8');
  }

  protected checkSize(size: number, minItem: number, what: string): void {
    if (size < 0 || size * minItem > this.buf.length - this.pos) {
      throw new RpcProtocolError(`Thrift ${what} of ${size} items cannot fit in the ${this.buf.length - this.pos} bytes left`);
    }
  }

  skip(type: T, depth = 0, f?: Field): void {
    if (depth > MAX_DEPTH) throw new RpcProtocolError('Thrift structure nested too deeply');
    switch (type) {
      case T.BOOL:
        if (f?.bool === undefined) this.bool();
        return;
      case T.BYTE:
        this.byte();
        return;
      case T.I16:
        this.i16();
        return;
      case T.I32:
        this.i32();
        return;
      case T.I64:
        this.i64();
        return;
      case T.DOUBLE:
        this.double();
        return;
      case T.STRING:
        this.binary();
        return;
      case T.STRUCT: {
        this.structBegin();
        for (let fld = this.field(); fld.type !== T.STOP; fld = this.field()) this.skip(fld.type, depth + 1, fld);
        this.structEnd();
        return;
      }
      case T.MAP: {
        const m = this.mapBegin();
        for (let i = 0; i < m.size; i++) {
          this.skip(m.k, depth + 1);
          this.skip(m.v, depth + 1);
        }
        return;
      }
      case T.SET:
      case T.LIST: {
        const l = this.listBegin();
        for (let i = 0; i < l.size; i++) this.skip(l.e, depth + 1);
        return;
      }
      default:
        throw new RpcProtocolError(`unknown Thrift type ${type}`);
    }
  }
}

export class CompactReader extends TReader {
  private lastField: number[] = [];
  private last = 0;

  varint(): number {
    let n = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      if (shift < 28) n |= (b & 0x7f) << shift;
      else n += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) break;
      shift += 7;
      if (shift > 63) throw new RpcProtocolError('malformed Thrift varint');
    }
    return n;
  }

  private zigzag(): number {
    const n = this.varint() >>> 0;
    return (n >>> 1) ^ -(n & 1);
  }

  messageBegin(): MessageHeader {
    const id = this.byte();
    if (id !== 0x82)
      throw new RpcProtocolError(
        `not a Thrift compact message (protocol id 0x${id.toString(16)}, expected 0x82); is the peer using protocol = binary?`,
      );
    const vt = this.byte();
    if ((vt & 0x1f) !== 1) throw new RpcProtocolError(`unsupported Thrift compact version ${vt & 0x1f}`);
    const seqid = this.varint() | 0;
    const name = this.string();
    return { name, type: (vt >> 5) & 0x07, seqid };
  }

  structBegin(): void {
    this.lastField.push(this.last);
    this.last = 0;
  }

  structEnd(): void {
    this.last = this.lastField.pop() ?? 0;
  }

  field(): Field {
    const b = this.byte();
    const ct = b & 0x0f;
    if (ct === 0) return { type: T.STOP, id: 0 };
    const delta = b >> 4;
    const id = delta === 0 ? this.zigzag() : this.last + delta;
    this.last = id;
    const type = C2T[ct];
    if (type === undefined) throw new RpcProtocolError(`unknown Thrift compact type ${ct}`);
    return ct === 1 || ct === 2 ? { type, id, bool: ct === 1 } : { type, id };
  }

  private elemType(ct: number): T {
    const t = C2T[ct];
    if (t === undefined) throw new RpcProtocolError(`unknown Thrift compact element type ${ct}`);
    return t;
  }

  mapBegin(): { k: T; v: T; size: number } {
    const size = this.varint();
    if (size === 0) return { k: T.STRING, v: T.STRING, size: 0 };
    const kv = this.byte();
    this.checkSize(size, 2, 'map');
    return { k: this.elemType(kv >> 4), v: this.elemType(kv & 0x0f), size };
  }

  listBegin(): { e: T; size: number } {
    const b = this.byte();
    let size = (b >> 4) & 0x0f;
    if (size === 15) size = this.varint();
    this.checkSize(size, 1, 'list');
    return { e: this.elemType(b & 0x0f), size };
  }

  i32(): number {
    return this.zigzag();
  }

  i16(): number {
    return this.zigzag();
  }

  i64(): void {
    this.varint();
  }

  double(): void {
    this.need(8, 'double');
    this.pos += 8;
  }

  bool(): boolean {
    return this.byte() === 1;
  }

  binary(): Buffer {
    const n = this.varint();
    this.need(n, 'binary');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

export class BinaryReader extends TReader {
  i32(): number {
    this.need(4, 'i32');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  i16(): number {
    this.need(2, 'i16');
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  i64(): void {
    this.need(8, 'i64');
    this.pos += 8;
  }

  double(): void {
    this.i64();
  }

  bool(): boolean {
    return this.byte() !== 0;
  }

  binary(): Buffer {
    const n = this.i32();
    this.need(n, 'binary');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  messageBegin(): MessageHeader {
    const first = this.i32();
    if (first < 0) {
      if ((first & 0xffff0000) !== (0x80010000 | 0))
        throw new RpcProtocolError(`bad Thrift binary version 0x${(first >>> 0).toString(16)}; is the peer using protocol = compact?`);
      const name = this.string();
      return { name, type: first & 0xff, seqid: this.i32() };
    }
    // old, non-strict header: name, type byte, seqid
    this.pos -= 4;
    if (first > this.buf.length - this.pos - 4)
      throw new RpcProtocolError(`not a Thrift binary message (first word ${first}); is the peer using protocol = compact?`);
    const name = this.string();
    const type = this.byte();
    return { name, type, seqid: this.i32() };
  }

  structBegin(): void {}
  structEnd(): void {}

  field(): Field {
    const type = this.byte() as T;
    if (type === T.STOP) return { type, id: 0 };
    return { type, id: this.i16() };
  }

  mapBegin(): { k: T; v: T; size: number } {
    const k = this.byte() as T;
    const v = this.byte() as T;
    const size = this.i32();
    this.checkSize(size, 2, 'map');
    return { k, v, size };
  }

  listBegin(): { e: T; size: number } {
    const e = this.byte() as T;
    const size = this.i32();
    this.checkSize(size, 1, 'list');
    return { e, size };
  }
}

export function reader(protocol: ProtocolName, buf: Buffer): TReader {
  return protocol === 'compact' ? new CompactReader(buf) : new BinaryReader(buf);
}

/** A growable writer with 4 bytes of headroom for the frame length. */
export abstract class TWriter {
  protected buf: Buffer;
  pos = 4;

  constructor(estimate = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(estimate, 64));
  }

  protected ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  abstract messageBegin(name: string, type: MsgType, seqid: number): void;
  abstract structBegin(): void;
  abstract structEnd(): void;
  abstract fieldBegin(type: T, id: number): void;
  fieldStop(): void {
    this.byte(0);
  }
  abstract mapBegin(k: T, v: T, size: number): void;
  abstract listBegin(e: T, size: number): void;
  abstract i32(v: number): void;
  abstract binary(b: Buffer): void;
  abstract string(s: string): void;

  /** The framed message: 4-byte big-endian length, then the message. */
  frame(): Buffer {
    this.buf.writeUInt32BE(this.pos - 4, 0);
    return this.buf.subarray(0, this.pos);
  }
}

export class CompactWriter extends TWriter {
  private lastField: number[] = [];
  private last = 0;

  varint(n: number): void {
    this.ensure(5);
    n >>>= 0;
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
  }

  messageBegin(name: string, type: MsgType, seqid: number): void {
    this.byte(0x82);
    this.byte(1 | (type << 5));
    this.varint(seqid);
    this.string(name);
  }

  structBegin(): void {
    this.lastField.push(this.last);
    this.last = 0;
  }

  structEnd(): void {
    this.last = this.lastField.pop() ?? 0;
  }

  fieldBegin(type: T, id: number): void {
    const ct = T2C[type]!;
    const delta = id - this.last;
    if (delta > 0 && delta <= 15) this.byte((delta << 4) | ct);
    else {
      this.byte(ct);
      this.varint((id << 1) ^ (id >> 31));
    }
    this.last = id;
  }

  mapBegin(k: T, v: T, size: number): void {
    if (size === 0) {
      this.byte(0);
      return;
    }
    this.varint(size);
    this.byte((T2C[k]! << 4) | T2C[v]!);
  }

  listBegin(e: T, size: number): void {
    if (size < 15) this.byte((size << 4) | T2C[e]!);
    else {
      this.byte(0xf0 | T2C[e]!);
      this.varint(size);
    }
  }

  i32(v: number): void {
    this.varint((v << 1) ^ (v >> 31));
  }

  binary(b: Buffer): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.pos += b.copy(this.buf, this.pos);
  }

  string(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.varint(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
  }
}

export class BinaryWriter extends TWriter {
  i32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.pos);
    this.pos += 4;
  }

  messageBegin(name: string, type: MsgType, seqid: number): void {
    this.i32(0x80010000 | type | 0);
    this.string(name);
    this.i32(seqid);
  }

  structBegin(): void {}
  structEnd(): void {}

  fieldBegin(type: T, id: number): void {
    this.byte(type);
    this.ensure(2);
    this.buf.writeInt16BE(id, this.pos);
    this.pos += 2;
  }

  mapBegin(k: T, v: T, size: number): void {
    this.byte(k);
    this.byte(v);
    this.i32(size);
  }

  listBegin(e: T, size: number): void {
    this.byte(e);
    this.i32(size);
  }

  binary(b: Buffer): void {
    this.i32(b.length);
    this.ensure(b.length);
    this.pos += b.copy(this.buf, this.pos);
  }

  string(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.i32(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
  }
}

export function writer(protocol: ProtocolName, estimate?: number): TWriter {
  return protocol === 'compact' ? new CompactWriter(estimate) : new BinaryWriter(estimate);
}

// ---- ThriftFlumeEvent and the service calls ----

function writeEvent(w: TWriter, e: Event): void {
  w.structBegin();
  const keys = Object.keys(e.headers);
  w.fieldBegin(T.MAP, 1);
  w.mapBegin(T.STRING, T.STRING, keys.length);
  for (const k of keys) {
    w.string(k);
    w.string(e.headers[k]!);
  }
  w.fieldBegin(T.STRING, 2);
  w.binary(e.body);
  w.fieldStop();
  w.structEnd();
}

function readEvent(r: TReader): Event {
  const headers: Record<string, string> = {};
  let body: Buffer | undefined;
  let sawHeaders = false;
  r.structBegin();
  for (let f = r.field(); f.type !== T.STOP; f = r.field()) {
    if (f.id === 1 && f.type === T.MAP) {
      const m = r.mapBegin();
      if (m.size > 0 && (m.k !== T.STRING || m.v !== T.STRING))
        throw new RpcProtocolError('ThriftFlumeEvent.headers is not map<string,string>');
      for (let i = 0; i < m.size; i++) {
        const k = r.string();
        const v = r.string();
        if (k === '__proto__') Object.defineProperty(headers, k, { value: v, enumerable: true, writable: true, configurable: true });
        else headers[k] = v;
      }
      sawHeaders = true;
    } else if (f.id === 2 && f.type === T.STRING) {
      body = r.binary();
    } else {
      r.skip(f.type, 1, f);
    }
  }
  r.structEnd();
  // both fields are `required` in flume.thrift: Java's validate() rejects an event without them
  if (!sawHeaders) throw new RpcProtocolError("Required field 'headers' was not present in a ThriftFlumeEvent");
  if (body === undefined) throw new RpcProtocolError("Required field 'body' was not present in a ThriftFlumeEvent");
  return { headers, body };
}

function estimate(events: readonly Event[]): number {
  let n = 64;
  for (const e of events) n += e.body.length + 32 + 48 * Object.keys(e.headers).length;
  return n;
}

/** A framed `appendBatch` (or `append` when `single`) call. */
export function encodeCall(protocol: ProtocolName, seqid: number, events: readonly Event[], single = false): Buffer {
  const w = writer(protocol, estimate(events));
  w.messageBegin(single ? 'append' : 'appendBatch', MsgType.CALL, seqid);
  w.structBegin();
  if (single) {
    w.fieldBegin(T.STRUCT, 1);
    writeEvent(w, events[0]!);
  } else {
    w.fieldBegin(T.LIST, 1);
    w.listBegin(T.STRUCT, events.length);
    for (const e of events) writeEvent(w, e);
  }
  w.fieldStop();
  w.structEnd();
  return w.frame();
}

export interface Call {
  header: MessageHeader;
  events?: Event[];
}

/** Reads a call; `events` is unset for a method we do not serve. */
export function decodeCall(protocol: ProtocolName, frame: Buffer): Call {
  const r = reader(protocol, frame);
  const header = r.messageBegin();
  if (header.type !== MsgType.CALL && header.type !== MsgType.ONEWAY)
    throw new RpcProtocolError(`expected a Thrift call, got message type ${header.type}`);
  if (header.name !== 'append' && header.name !== 'appendBatch') {
    r.skip(T.STRUCT);
    return { header };
  }
  let events: Event[] | undefined;
  r.structBegin();
  for (let f = r.field(); f.type !== T.STOP; f = r.field()) {
    if (f.id === 1 && header.name === 'appendBatch' && f.type === T.LIST) {
      const l = r.listBegin();
      if (l.size > 0 && l.e !== T.STRUCT) throw new RpcProtocolError('appendBatch events is not a list of structs');
      events = [];
      for (let i = 0; i < l.size; i++) events.push(readEvent(r));
    } else if (f.id === 1 && header.name === 'append' && f.type === T.STRUCT) {
      events = [readEvent(r)];
    } else {
      r.skip(f.type, 1, f);
    }
  }
  r.structEnd();
  // a missing argument is an empty call to the generated Java processor (a null event); we refuse it
  if (!events) throw new RpcProtocolError(`Thrift ${header.name} call without its events argument`);
  return { header, events };
}

/** A framed reply: result struct { 0: Status success }. */
export function encodeReply(protocol: ProtocolName, header: MessageHeader, status: ThriftStatus): Buffer {
  const w = writer(protocol, 64);
  w.messageBegin(header.name, MsgType.REPLY, header.seqid);
  w.structBegin();
  w.fieldBegin(T.I32, 0);
  w.i32(THRIFT_STATUSES.indexOf(status));
  w.fieldStop();
  w.structEnd();
  return w.frame();
}

/** A framed TApplicationException { 1: string message, 2: i32 type } (type 1 = UNKNOWN_METHOD). */
export function encodeException(protocol: ProtocolName, header: MessageHeader, message: string, type = 1): Buffer {
  const w = writer(protocol, 64 + message.length * 3);
  w.messageBegin(header.name, MsgType.EXCEPTION, header.seqid);
  w.structBegin();
  w.fieldBegin(T.STRING, 1);
  w.string(message);
  w.fieldBegin(T.I32, 2);
  w.i32(type);
  w.fieldStop();
  w.structEnd();
  return w.frame();
}

export interface ReplyResult {
  seqid: number;
  status?: ThriftStatus;
  error?: string;
}

/** Reads a reply (or a TApplicationException). */
export function decodeReply(protocol: ProtocolName, frame: Buffer): ReplyResult {
  const r = reader(protocol, frame);
  const h = r.messageBegin();
  let status: ThriftStatus | undefined;
  let message: string | undefined;
  r.structBegin();
  for (let f = r.field(); f.type !== T.STOP; f = r.field()) {
    if (h.type === MsgType.REPLY && f.id === 0 && f.type === T.I32) status = THRIFT_STATUSES[r.i32()] ?? 'UNKNOWN';
    else if (h.type === MsgType.EXCEPTION && f.id === 1 && f.type === T.STRING) message = r.string();
    else r.skip(f.type, 1, f);
  }
  r.structEnd();
  if (h.type === MsgType.EXCEPTION) return { seqid: h.seqid, error: message ?? 'TApplicationException' };
  if (h.type !== MsgType.REPLY) throw new RpcProtocolError(`expected a Thrift reply, got message type ${h.type}`);
  if (status === undefined) return { seqid: h.seqid, error: `${h.name} failed: unknown result` };
  return { seqid: h.seqid, status };
}

/** Thrift's framed transport: 4-byte big-endian length + message. */
export class FrameDecoder {
  private readonly bytes = new ByteQueue();
  private want = -1;

  constructor(private readonly maxFrame: number) {}

  get buffered(): number {
    return this.bytes.length;
  }

  push(chunk: Buffer): Buffer[] {
    this.bytes.push(chunk);
    const out: Buffer[] = [];
    for (;;) {
      if (this.want < 0) {
        if (this.bytes.length < 4) return out;
        const n = this.bytes.take(4).readInt32BE(0);
        if (n < 0 || n > this.maxFrame) {
          throw new RpcProtocolError(
            `Thrift frame size (${n}) larger than max length (${this.maxFrame}) or negative; not a framed Thrift peer, or a corrupt stream`,
          );
        }
        this.want = n;
      }
      if (this.bytes.length < this.want) return out;
      out.push(this.bytes.take(this.want));
      this.want = -1;
    }
  }
}
