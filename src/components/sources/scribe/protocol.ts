/**
 * Scribe's Thrift service as Flume's ScribeSource serves it (flume-scribe-source's scribe-source.thrift):
 *
 *   enum ResultCode { OK, TRY_LATER }
 *   struct LogEntry { 1: string category, 2: string message }
 *   service Scribe { ResultCode Log(1: list<LogEntry> messages) }
 *
 * over the framed transport with TBinaryProtocol(strictRead = false, strictWrite = false): calls are read with or
 * without the version word, replies are written without it (name, type byte, seqid), as Flume's server does.
 */
import type { Event } from '../../../core/event.js';
import { RpcProtocolError } from '../../rpc/errors.js';
import { BinaryReader, BinaryWriter, MsgType, T, type MessageHeader } from '../../rpc/thrift/protocol.js';

export type ResultCode = 'OK' | 'TRY_LATER';
const RESULT_CODES: readonly ResultCode[] = ['OK', 'TRY_LATER'];

export interface LogEntry {
  category?: string;
  /** Raw message bytes (a Thrift string). */
  message?: Buffer;
}

export interface ScribeCall {
  header: MessageHeader;
  /** undefined for a method other than Log */
  isLog: boolean;
  /** undefined when the call carries no list (Flume's Receiver then answers TRY_LATER) */
  entries?: LogEntry[];
}

/** TBinaryProtocol with strictWrite = false: the old message header (name, type, seqid). */
class NonStrictBinaryWriter extends BinaryWriter {
  override messageBegin(name: string, type: MsgType, seqid: number): void {
    this.string(name);
    this.byte(type);
    this.i32(seqid);
  }
}

function readEntry(r: BinaryReader): LogEntry {
  const e: LogEntry = {};
  r.structBegin();
  for (let f = r.field(); f.type !== T.STOP; f = r.field()) {
    if (f.id === 1 && f.type === T.STRING) e.category = r.string();
    else if (f.id === 2 && f.type === T.STRING) e.message = Buffer.from(r.binary());
    else r.skip(f.type, 1, f);
  }
  r.structEnd();
  return e;
}

/** Reads one framed call. */
export function decodeScribeCall(frame: Buffer): ScribeCall {
  const r = new BinaryReader(frame);
  const header = r.messageBegin();
  if (header.type !== MsgType.CALL && header.type !== MsgType.ONEWAY) {
    throw new RpcProtocolError(`expected a Thrift call, got message type ${header.type}`);
  }
  if (header.name !== 'Log') {
    r.skip(T.STRUCT);
    return { header, isLog: false };
  }
  let entries: LogEntry[] | undefined;
  r.structBegin();
  for (let f = r.field(); f.type !== T.STOP; f = r.field()) {
    if (f.id === 1 && f.type === T.LIST) {
      const l = r.listBegin();
      if (l.size > 0 && l.e !== T.STRUCT) throw new RpcProtocolError('Scribe Log messages is not a list of structs');
      entries = [];
      for (let i = 0; i < l.size; i++) entries.push(readEntry(r));
    } else {
      r.skip(f.type, 1, f);
    }
  }
  r.structEnd();
  return { header, isLog: true, entries };
}

/** A framed Log reply: result struct { 0: ResultCode success }. */
export function encodeScribeReply(header: MessageHeader, code: ResultCode): Buffer {
  const w = new NonStrictBinaryWriter(64);
  w.messageBegin(header.name, MsgType.REPLY, header.seqid);
  w.structBegin();
  w.fieldBegin(T.I32, 0);
  w.i32(RESULT_CODES.indexOf(code));
  w.fieldStop();
  w.structEnd();
  return w.frame();
}

/** A framed TApplicationException UNKNOWN_METHOD, as Thrift's processor answers an unknown method. */
export function encodeUnknownMethod(header: MessageHeader): Buffer {
  const message = `Invalid method name: '${header.name}'`;
  const w = new NonStrictBinaryWriter(64 + message.length * 3);
  w.messageBegin(header.name, MsgType.EXCEPTION, header.seqid);
  w.structBegin();
  w.fieldBegin(T.STRING, 1);
  w.string(message);
  w.fieldBegin(T.I32, 2);
  w.i32(1);
  w.fieldStop();
  w.structEnd();
  return w.frame();
}

/** A framed Log call (strict binary header), for clients and tests. */
export function encodeScribeCall(seqid: number, entries: readonly LogEntry[], strict = true): Buffer {
  const w = strict ? new BinaryWriter(256) : new NonStrictBinaryWriter(256);
  w.messageBegin('Log', MsgType.CALL, seqid);
  w.structBegin();
  w.fieldBegin(T.LIST, 1);
  w.listBegin(T.STRUCT, entries.length);
  for (const e of entries) {
    w.structBegin();
    if (e.category !== undefined) {
      w.fieldBegin(T.STRING, 1);
      w.string(e.category);
    }
    if (e.message !== undefined) {
      w.fieldBegin(T.STRING, 2);
      w.binary(e.message);
    }
    w.fieldStop();
    w.structEnd();
  }
  w.fieldStop();
  w.structEnd();
  return w.frame();
}

/** Reads a Log reply: the result code, or the exception message. */
export function decodeScribeReply(frame: Buffer): { seqid: number; code?: ResultCode; error?: string } {
  const r = new BinaryReader(frame);
  const h = r.messageBegin();
  let code: ResultCode | undefined;
  let error: string | undefined;
  for (let f = r.field(); f.type !== T.STOP; f = r.field()) {
    if (h.type === MsgType.REPLY && f.id === 0 && f.type === T.I32) code = RESULT_CODES[r.i32()];
    else if (h.type === MsgType.EXCEPTION && f.id === 1 && f.type === T.STRING) error = r.string();
    else r.skip(f.type, 1, f);
  }
  return { seqid: h.seqid, code, error };
}

/**
 * The event Flume makes of a LogEntry: body = message.getBytes() of the UTF-8-decoded Thrift string (so invalid
 * UTF-8 becomes U+FFFD, re-encoded as UTF-8), header `category` when the entry has one.
 */
export function entryToEvent(e: LogEntry): Event {
  const headers: Record<string, string> = {};
  if (e.category !== undefined) headers.category = e.category;
  const m = e.message!;
  const body = m.every((b) => b < 0x80) ? m : Buffer.from(m.toString('utf8'), 'utf8');
  return { headers, body };
}
