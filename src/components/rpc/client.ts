/**
 * One client connection of a framed request/response protocol: requests are matched to responses by id (Avro's
 * serial, Thrift's seqid), each with a timeout. Any failure (timeout, reset, garbage from the server) makes the
 * connection inactive and fails every pending call; the owner then closes it and builds a new one, as Flume's
 * AbstractRpcSink does.
 */
import type { Duplex } from 'node:stream';
import { errorMessage } from '../../core/errors.js';
import { RpcError } from './errors.js';
import { connectStream, type ConnectOptions } from './transport.js';

export interface Reply {
  id: number;
  data: Buffer;
}

interface Pending {
  resolve(b: Buffer): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class RpcConnection {
  private readonly pending = new Map<number, Pending>();
  private dead: Error | undefined;
  private answered = 0;

  private constructor(
    private readonly stream: Duplex,
    decode: (chunk: Buffer) => Reply[],
    readonly peer: string,
  ) {
    stream.on('data', (chunk: Buffer) => {
      let replies: Reply[];
      try {
        replies = decode(chunk);
      } catch (err) {
        return this.kill(new RpcError(`${peer} sent bytes that are not a valid response: ${errorMessage(err)}`, { cause: err }));
      }
      for (const r of replies) {
        const p = this.pending.get(r.id);
        if (!p) return this.kill(new RpcError(`${peer} answered request #${r.id}, which is not pending`));
        this.pending.delete(r.id);
        this.answered++;
        clearTimeout(p.timer);
        p.resolve(r.data);
      }
    });
    stream.on('error', (err) => this.kill(new RpcError(`connection to ${peer} failed: ${err.message}`, { cause: err })));
    stream.on('close', () =>
      this.kill(
        new RpcError(
          this.answered === 0
            ? `connection to ${peer} closed by the peer before it answered anything (check that compression-type, ssl and, for thrift, protocol match the receiving source)`
            : `connection to ${peer} closed by the peer`,
        ),
      ),
    );
  }

  /** `handshake`: runs on the connected stream before any request (thrift's SASL GSSAPI, thrift/sasl.ts). */
  static async open(
    o: ConnectOptions,
    decode: (chunk: Buffer) => Reply[],
    handshake?: (s: Duplex) => Promise<void>,
  ): Promise<RpcConnection> {
    const stream = await connectStream(o);
    if (handshake) {
      try {
        await handshake(stream);
      } catch (e) {
        stream.destroy();
        throw e;
      }
    }
    return new RpcConnection(stream, decode, `${o.host}:${o.port}`);
  }

  get active(): boolean {
    return this.dead === undefined;
  }

  /**
   * Sends a framed request and resolves with the matching response's bytes. `onWritten` runs once the stream no longer
   * needs `bytes` (its write callback, without an error): only then may the caller write into them again.
   */
  request(id: number, bytes: Buffer, timeoutMs: number, onWritten?: () => void): Promise<Buffer> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.kill(new RpcError(`no answer from ${this.peer} within ${timeoutMs} ms (request-timeout)`)),
        timeoutMs,
      );
      this.pending.set(id, { resolve, reject, timer });
      this.stream.write(bytes, onWritten && ((err) => err || onWritten()));
    });
  }

  private kill(err: Error): void {
    if (!this.dead) this.dead = err;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(this.dead);
    }
    this.pending.clear();
    this.stream.destroy();
  }

  close(): void {
    this.kill(new RpcError(`connection to ${this.peer} closed`));
  }
}
