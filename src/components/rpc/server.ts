/**
 * A TCP server for a framed request/response protocol (Avro's Netty packs, Thrift's framed transport): it accepts
 * connections (IP filter first), layers zlib/TLS, feeds bytes to a per-connection session and writes the answers.
 * Requests of one connection are handled in order; reading pauses while a backlog waits. A protocol error (garbage,
 * an oversized or impossible frame) or a failing handler closes that connection with a log line; the server keeps
 * serving the others.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../core/logging.js';
import { errorMessage } from '../../core/errors.js';
import { RpcError, RpcProtocolError } from './errors.js';
import { ipAllowed, type IpRule } from './ipfilter.js';
import { wrapServerSocket, type StreamLayers } from './transport.js';

export interface RpcSession<Req> {
  /** Consumes bytes, returns complete requests; throws RpcProtocolError on bad input. */
  push(chunk: Buffer): Req[];
  /** Bytes held for an incomplete request. */
  readonly buffered: number;
  /** Handles one request; resolves to the bytes to send back (null for none). */
  handle(req: Req): Promise<Buffer | null>;
}

export interface RpcServerOptions<Req> {
  bind: string;
  port: number;
  logger: Logger;
  /** What we are, for log lines ("avro source r1"). */
  label: string;
  layers: StreamLayers;
  ipRules?: readonly IpRule[];
  newSession(peer: string): RpcSession<Req>;
  onConnectionCount?(n: number): void;
  /**
   * An authentication step on each new connection before any request (thrift's SASL): resolves with the bytes that
   * followed it, leaving the stream paused; a rejection closes the connection with a log line.
   */
  handshake?(stream: Duplex, peer: string): Promise<Buffer>;
}

const MAX_QUEUED = 4;
const TLS_HANDSHAKE_TIMEOUT_MS = 30_000;

export class RpcServer<Req> {
  private server?: net.Server;
  private readonly conns = new Set<net.Socket>();
  private readonly o: RpcServerOptions<Req>;
  private active = 0;

  constructor(o: RpcServerOptions<Req>) {
    this.o = o;
  }

  get connections(): number {
    return this.active;
  }

  /** The bound port (useful with port 0). */
  get port(): number {
    const a = this.server?.address();
    return typeof a === 'object' && a ? a.port : this.o.port;
  }

  listen(): Promise<void> {
    const srv = net.createServer({ noDelay: true, keepAlive: true }, (s) => void this.accept(s));
    this.server = srv;
    return new Promise((resolve, reject) => {
      const onErr = (err: Error) =>
        reject(new RpcError(`${this.o.label}: cannot listen on ${this.o.bind}:${this.o.port}: ${err.message}`, { cause: err }));
      srv.once('error', onErr);
      srv.listen({ host: this.o.bind, port: this.o.port, backlog: 1024 }, () => {
        srv.removeListener('error', onErr);
        srv.on('error', (err) => this.o.logger.error({ err: errorMessage(err) }, `${this.o.label}: server socket error`));
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    const srv = this.server;
    this.server = undefined;
    for (const s of this.conns) s.destroy();
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
  }

  private count(delta: number): void {
    this.active += delta;
    this.o.onConnectionCount?.(this.active);
  }

  /** The handshake option's step: bytes that followed it, undefined without one, false when the connection was closed. */
  private async authenticate(stream: Duplex, sock: net.Socket, peer: string): Promise<Buffer | undefined | false> {
    if (!this.o.handshake) return undefined;
    try {
      return await this.o.handshake(stream, peer);
    } catch (err) {
      this.o.logger.warn({ peer, err: errorMessage(err) }, `${this.o.label}: connection from ${peer} closed: ${errorMessage(err)}`);
      stream.destroy();
      sock.destroy();
      return false;
    }
  }

  private async accept(sock: net.Socket): Promise<void> {
    const { logger, label } = this.o;
    const peer = `${sock.remoteAddress}:${sock.remotePort}`;
    this.conns.add(sock);
    sock.on('close', () => this.conns.delete(sock));
    sock.on('error', () => {});
    const plain = this.o.layers.deflateLevel === undefined && !this.o.layers.tls;
    if (this.o.ipRules) {
      sock.pause();
      const ok = await ipAllowed(this.o.ipRules, sock.remoteAddress ?? '');
      if (!ok) {
        logger.info({ peer }, `${label}: connection from ${peer} rejected by ipFilterRules`);
        sock.destroy();
        return;
      }
    }
    let stream: Duplex;
    try {
      const p = wrapServerSocket(sock, this.o.layers, TLS_HANDSHAKE_TIMEOUT_MS);
      if (!plain) sock.resume();
      stream = await p;
    } catch (err) {
      logger.warn({ peer, err: errorMessage(err) }, `${label}: connection from ${peer} closed: ${errorMessage(err)}`);
      sock.destroy();
      return;
    }
    const early = await this.authenticate(stream, sock, peer);
    if (early === false) return;
    this.count(1);
    logger.debug({ peer }, `${label}: connection from ${peer}`);
    const session = this.o.newSession(peer);
    const queue: Req[] = [];
    let busy = false;
    let closed = false;
    let paused = false;
    const fail = (why: string, err?: unknown) => {
      if (closed) return;
      closed = true;
      logger.warn(
        { peer, err: err === undefined ? undefined : errorMessage(err) },
        `${label}: closing the connection from ${peer}: ${why}`,
      );
      stream.destroy();
      sock.destroy();
    };
    const run = async () => {
      if (busy) return;
      busy = true;
      try {
        while (queue.length > 0 && !closed) {
          const req = queue.shift()!;
          let out: Buffer | null;
          try {
            out = await session.handle(req);
          } catch (err) {
            return fail(err instanceof RpcProtocolError ? errorMessage(err) : `request failed: ${errorMessage(err)}`, err);
          }
          if (closed) return;
          // a client that sends but never reads its answers must not grow our write buffer without bound
          if (out && !stream.write(out) && !closed) {
            await new Promise<void>((resolve) => {
              const done = () => {
                stream.removeListener('drain', done);
                stream.removeListener('close', done);
                resolve();
              };
              stream.once('drain', done);
              stream.once('close', done);
            });
          }
          if (paused && queue.length < MAX_QUEUED) {
            paused = false;
            stream.resume();
          }
        }
      } finally {
        busy = false;
      }
    };
    stream.on('data', (chunk: Buffer) => {
      if (closed) return;
      let reqs: Req[];
      try {
        reqs = session.push(chunk);
      } catch (err) {
        return fail(errorMessage(err), err);
      }
      if (reqs.length === 0) return;
      for (const r of reqs) queue.push(r);
      if (queue.length >= MAX_QUEUED && !paused) {
        paused = true;
        stream.pause();
      }
      void run();
    });
    stream.on('error', (err) => {
      if (!closed) logger.debug({ peer, err: errorMessage(err) }, `${label}: connection from ${peer}: ${errorMessage(err)}`);
    });
    stream.on('close', () => {
      this.count(-1);
      if (!closed && session.buffered > 0) {
        logger.warn(
          { peer, bytes: session.buffered },
          `${label}: ${peer} disconnected in the middle of a request (${session.buffered} bytes of an incomplete frame dropped; the client will resend)`,
        );
      } else {
        logger.debug({ peer }, `${label}: ${peer} disconnected`);
      }
      closed = true;
    });
    if (early && early.length > 0) stream.unshift(early);
    if (this.o.handshake) stream.resume();
    else if (plain && sock.isPaused()) sock.resume();
  }
}
