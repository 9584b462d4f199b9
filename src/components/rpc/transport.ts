/**
 * Byte streams under the RPC framing: plain TCP, zlib (Flume's `compression-type = deflate`), TLS, and TLS inside zlib.
 *
 * Flume adds Netty's JZlibEncoder/JZlibDecoder (ZLIB wrapper; every write ends with a sync flush) first in the
 * pipeline and the SslHandler last, before Avro's frame codec, so on the wire it is socket → zlib → TLS → frames:
 * with both options on, the TLS records are themselves deflated. We layer the streams the same way.
 */
import net from 'node:net';
import tls from 'node:tls';
import zlib from 'node:zlib';
import { Duplex } from 'node:stream';
import { RpcError } from './errors.js';

/** A zlib stream in each direction over a socket; each write is deflated and sync-flushed, like JZlibEncoder. */
export class ZlibDuplex extends Duplex {
  private readonly deflate: zlib.Deflate;
  private readonly inflate: zlib.Inflate;
  private readonly sock: Duplex;

  constructor(sock: Duplex, level: number) {
    super({ allowHalfOpen: false });
    this.sock = sock;
    this.deflate = zlib.createDeflate({ level });
    this.inflate = zlib.createInflate({ flush: zlib.constants.Z_SYNC_FLUSH });
    this.deflate.pipe(sock);
    sock.pipe(this.inflate);
    this.inflate.on('data', (c: Buffer) => {
      if (!this.push(c)) this.inflate.pause();
    });
    this.inflate.on('end', () => this.push(null));
    const fail = (err: Error) => this.destroy(err);
    this.inflate.on('error', (err) => fail(new RpcError(`corrupt deflate stream from the peer: ${err.message}`, { cause: err })));
    this.deflate.on('error', fail);
    sock.on('error', fail);
    sock.on('close', () => {
      if (!this.destroyed) this.destroy();
    });
  }

  override _read(): void {
    this.inflate.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.deflate.write(chunk);
    this.deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.deflate.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.deflate.destroy();
    this.inflate.destroy();
    this.sock.destroy();
    cb(err);
  }
}

export interface StreamLayers {
  /** zlib level when deflate is on. */
  deflateLevel?: number;
  /** Server: secure context options; client: connection options. */
  tls?: tls.SecureContextOptions | tls.ConnectionOptions;
}

/** Wraps an accepted socket; resolves when the TLS handshake (if any) is done. */
export function wrapServerSocket(sock: net.Socket, layers: StreamLayers, timeoutMs: number): Promise<Duplex> {
  let stream: Duplex = sock;
  if (layers.deflateLevel !== undefined) stream = new ZlibDuplex(sock, layers.deflateLevel);
  if (!layers.tls) return Promise.resolve(stream);
  const ctx = tls.createSecureContext(layers.tls as tls.SecureContextOptions);
  const t = new tls.TLSSocket(stream as net.Socket, { isServer: true, secureContext: ctx });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      t.destroy();
      reject(new RpcError(`TLS handshake not done after ${timeoutMs} ms`));
    }, timeoutMs);
    t.once('secure', () => {
      clearTimeout(timer);
      t.removeListener('error', onErr);
      resolve(t);
    });
    const onErr = (err: Error) => {
      clearTimeout(timer);
      t.destroy();
      stream.destroy();
      reject(new RpcError(`TLS handshake failed: ${err.message}`, { cause: err }));
    };
    t.once('error', onErr);
  });
}

export interface ConnectOptions extends StreamLayers {
  host: string;
  port: number;
  connectTimeoutMs: number;
}

/** Connects (TCP, then TLS if configured) within the connect timeout. TCP_NODELAY and keep-alive as Netty does. */
export function connectStream(o: ConnectOptions): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    let done = false;
    const sock = net.connect({ host: o.host, port: o.port, noDelay: true, keepAlive: true });
    let top: Duplex = sock;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        top.destroy();
        sock.destroy();
        reject(err);
      } else {
        top.removeListener('error', onErr);
        resolve(top);
      }
    };
    const onErr = (err: Error) => finish(new RpcError(`cannot connect to ${o.host}:${o.port}: ${err.message}`, { cause: err }));
    const timer = setTimeout(
      () => finish(new RpcError(`cannot connect to ${o.host}:${o.port}: no connection after ${o.connectTimeoutMs} ms (connect-timeout)`)),
      o.connectTimeoutMs,
    );
    sock.once('error', onErr);
    sock.once('connect', () => {
      sock.removeListener('error', onErr);
      let stream: Duplex = sock;
      if (o.deflateLevel !== undefined) stream = new ZlibDuplex(sock, o.deflateLevel);
      if (!o.tls) {
        top = stream;
        return finish();
      }
      const t = tls.connect({
        ...(o.tls as tls.ConnectionOptions),
        socket: stream as net.Socket,
        servername: net.isIP(o.host) ? undefined : o.host,
      });
      top = t;
      t.once('error', onErr);
      t.once('secureConnect', () => finish());
    });
  });
}
