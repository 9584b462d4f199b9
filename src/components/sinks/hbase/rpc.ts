/**
 * One connection to an HBase server (region server or the one hosting hbase:meta), speaking HBase's RPC protocol
 * (hbase-protocol-shaded RPC.proto): the preamble "HBas" + version 0 + auth SIMPLE (0x50), then an int32-prefixed
 * ConnectionHeader (user, service "ClientService", cell-block codec KeyValueCodec as HBase's client: ./cellblock.ts);
 * then requests `int32 total | delimited RequestHeader | delimited param [| cell block]` and responses `int32 total |
 * delimited ResponseHeader | delimited result [| cell block]`, matched by call_id (several may be in flight). With
 * Kerberos (./sasl.ts) the preamble says KERBEROS and the SASL GSSAPI exchange comes before the ConnectionHeader.
 */
import net from 'node:net';
import os from 'node:os';
import { FlumeError } from '../../../core/errors.js';
import { KEY_VALUE_CODEC, type KeyValue, decodeCellBlock } from './cellblock.js';
import type { Codec, MessageName } from './proto.js';
import { ByteReader, KERBEROS_PREAMBLE, type RpcSecurity, saslHandshake, serverPrincipalOf } from './sasl.js';
import { takeFrames } from './zk.js';

/** The server could not be reached, or the connection broke, or a call timed out: the caller relocates and retries. */
export class HBaseConnectionError extends FlumeError {
  constructor(message: string, cause?: unknown) {
    super('FLUME_HBASE_CONNECTION', message, { cause, retriable: true });
  }
}

/** An exception the server returned (its Java class name is `exceptionClass`). */
export class HBaseRemoteError extends FlumeError {
  constructor(
    readonly exceptionClass: string,
    message: string,
    readonly doNotRetry: boolean,
  ) {
    super('FLUME_HBASE_REMOTE', message, { retriable: !doNotRetry });
  }
}

export const PREAMBLE = Buffer.from([0x48, 0x42, 0x61, 0x73, 0, 0x50]); // "HBas", version 0, AuthMethod.SIMPLE

/** int32 length + ConnectionHeader: the user, ClientService and the cell-block codec (no compression). */
export function connectionHeader(codec: Codec, user: string): Buffer {
  const header = codec.encode('ConnectionHeader', {
    user_info: { effective_user: user },
    service_name: 'ClientService',
    cell_block_codec_class: KEY_VALUE_CODEC,
  });
  const len = Buffer.alloc(4);
  len.writeInt32BE(header.length);
  return Buffer.concat([len, header]);
}

/** Preamble + ConnectionHeader, as the client sends on connect. */
export function connectionPreamble(codec: Codec, user: string): Buffer {
  return Buffer.concat([PREAMBLE, connectionHeader(codec, user)]);
}

/** One request frame; `cellBlock` (the cells the param's mutations count in associated_cell_count) follows the param. */
export function requestFrame(
  codec: Codec,
  callId: number,
  method: string,
  param: MessageName,
  req: object,
  timeoutMs: number,
  cellBlock?: Buffer,
): Buffer {
  const h = { call_id: callId, method_name: method, request_param: true, timeout: timeoutMs };
  const header = codec.encode('RequestHeader', cellBlock ? { ...h, cell_block_meta: { length: cellBlock.length } } : h, true);
  const body = codec.encode(param, req, true);
  const len = Buffer.alloc(4);
  len.writeInt32BE(header.length + body.length + (cellBlock?.length ?? 0));
  return Buffer.concat(cellBlock ? [len, header, body, cellBlock] : [len, header, body]);
}

interface ExceptionResponse {
  exception_class_name?: string;
  stack_trace?: string;
  do_not_retry?: boolean;
}

/** A call's answer: its result message and the cells of its cell block (none without one). */
export interface Reply<T> {
  result: T;
  cells: KeyValue[];
}

/** Decodes one response frame (without its int32 length) into call id, result and cells, or the server's exception. */
export function parseResponse(
  codec: Codec,
  frame: Buffer,
  resultType: (callId: number) => MessageName | undefined,
): { callId: number; result?: unknown; cells?: KeyValue[]; error?: HBaseRemoteError } {
  const { msg: h, next } = codec.decodeDelimited<{
    call_id: number;
    exception?: ExceptionResponse;
    cell_block_meta?: { length?: number };
  }>('ResponseHeader', frame, 0);
  if (h.exception) {
    const cls = h.exception.exception_class_name ?? 'unknown';
    const first = (h.exception.stack_trace ?? '').split('\n')[0] ?? '';
    return { callId: h.call_id, error: new HBaseRemoteError(cls, first || cls, h.exception.do_not_retry === true) };
  }
  const type = resultType(h.call_id);
  if (!type) return { callId: h.call_id };
  const blockLen = h.cell_block_meta?.length ?? 0;
  const cells = blockLen > 0 ? decodeCellBlock(frame.subarray(frame.length - blockLen)) : [];
  return { callId: h.call_id, result: codec.decodeDelimited(type, frame, next).msg, cells };
}

interface Pending {
  type: MessageName;
  resolve: (v: Reply<unknown>) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class RpcConnection {
  private sock?: net.Socket;
  private ready?: Promise<void>;
  private buf: Buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** During the SASL exchange: the bytes the server sent. */
  private handshake?: ByteReader;
  closed = false;
  /** When the last call was made or answered (for closing idle connections, as HBase's client does). */
  lastUsed = Date.now();

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly codec: Codec,
    private readonly connectTimeoutMs: number,
    private readonly security?: RpcSecurity,
  ) {}

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** Calls in flight. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  private connect(): Promise<void> {
    this.ready ??= this.open().catch((err: Error) => {
      this.fail(err);
      throw err;
    });
    return this.ready;
  }

  private async open(): Promise<void> {
    const sock = await this.dial();
    if (!this.security) {
      sock.write(connectionPreamble(this.codec, os.userInfo().username || 'flume'));
      return;
    }
    const timer = setTimeout(
      () =>
        this.handshake?.fail(
          new HBaseConnectionError(`HBase server ${this.address}: SASL login not done within ${this.connectTimeoutMs} ms`),
        ),
      this.connectTimeoutMs,
    );
    try {
      const reader = new ByteReader();
      this.handshake = reader;
      sock.write(KERBEROS_PREAMBLE);
      const serverPrincipal = await serverPrincipalOf(this.security.serverPrincipal, this.host);
      await saslHandshake(reader, (b) => sock.write(b), { address: this.address, serverPrincipal, security: this.security });
      this.handshake = undefined;
      const rest = reader.rest();
      sock.write(connectionHeader(this.codec, this.security.login.principal));
      if (rest.length > 0) this.onData(rest);
    } finally {
      clearTimeout(timer);
    }
  }

  private dial(): Promise<net.Socket> {
    return new Promise<net.Socket>((resolve, reject) => {
      const sock = net.connect({ host: this.host, port: this.port });
      this.sock = sock;
      sock.setNoDelay(true);
      const timer = setTimeout(
        () => sock.destroy(new HBaseConnectionError(`not connected within ${this.connectTimeoutMs} ms`)),
        this.connectTimeoutMs,
      );
      sock.once('connect', () => {
        clearTimeout(timer);
        resolve(sock);
      });
      sock.on('data', (d: Buffer) => (this.handshake ? this.handshake.push(d) : this.onData(d)));
      sock.on('error', (err) => {
        clearTimeout(timer);
        const e = new HBaseConnectionError(`HBase server ${this.address}: ${err.message}`, err);
        this.handshake?.fail(e);
        reject(e);
        this.fail(e);
      });
      sock.on('close', () => {
        const e = new HBaseConnectionError(`HBase server ${this.address} closed the connection`);
        this.handshake?.fail(e);
        this.fail(e);
      });
    });
  }

  /** Calls `method` with `req` (a `param` message); resolves with the `result` message or rejects. */
  async call<T>(method: string, param: MessageName, req: object, result: MessageName, timeoutMs: number): Promise<T> {
    return (await this.callCells<T>(method, param, req, result, timeoutMs)).result;
  }

  /** As call, sending `cellBlock` after the param and resolving with the reply's cells too. */
  async callCells<T>(
    method: string,
    param: MessageName,
    req: object,
    result: MessageName,
    timeoutMs: number,
    cellBlock?: Buffer,
  ): Promise<Reply<T>> {
    if (this.closed) throw new HBaseConnectionError(`connection to ${this.address} is closed`);
    this.lastUsed = Date.now();
    await this.connect();
    const id = this.nextId++;
    const frame = requestFrame(this.codec, id, method, param, req, timeoutMs, cellBlock);
    return new Promise<Reply<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new HBaseConnectionError(`HBase server ${this.address}: no answer to ${method} within ${timeoutMs} ms`));
        this.close(); // the connection state is unknown: start afresh
      }, timeoutMs);
      this.pending.set(id, { type: result, resolve: resolve as (v: Reply<unknown>) => void, reject, timer });
      this.sock?.write(frame);
    });
  }

  private onData(d: Buffer): void {
    if (this.closed) return;
    this.lastUsed = Date.now();
    const { frames, rest } = takeFrames(this.buf.length ? Buffer.concat([this.buf, d]) : d);
    this.buf = rest;
    for (const f of frames) {
      let r: ReturnType<typeof parseResponse>;
      try {
        r = parseResponse(this.codec, f, (id) => this.pending.get(id)?.type);
      } catch (err) {
        this.fail(new HBaseConnectionError(`HBase server ${this.address}: undecodable response (${(err as Error).message})`, err));
        return;
      }
      const p = this.pending.get(r.callId);
      if (!p) continue;
      this.pending.delete(r.callId);
      clearTimeout(p.timer);
      if (r.error) p.reject(r.error);
      else p.resolve({ result: r.result, cells: r.cells ?? [] });
    }
  }

  private fail(err: Error): void {
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    this.sock?.destroy();
  }

  close(): void {
    this.fail(new HBaseConnectionError(`connection to ${this.address} closed`));
  }
}
