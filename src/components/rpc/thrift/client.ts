/**
 * Client side of ThriftSourceProtocol (Flume's ThriftRpcClient with the pool of 1 connection ThriftSink uses):
 * framed transport, compact (default) or binary protocol, appendBatch in batch-size chunks; any status but OK fails
 * the call.
 */
import type { Duplex } from 'node:stream';
import type { Event } from '../../../core/event.js';
import { RpcConnection } from '../client.js';
import { RpcError } from '../errors.js';
import type { ConnectOptions } from '../transport.js';
import { decodeReply, encodeCall, FrameDecoder, type ProtocolName } from './protocol.js';
import { DEFAULT_MAX_FRAME } from './session.js';

export interface ThriftClientOptions extends ConnectOptions {
  requestTimeoutMs: number;
  batchSize: number;
  protocol: ProtocolName;
  /** Kerberos: SASL GSSAPI negotiation on the new connection (sasl.ts), before the framed Thrift calls. */
  handshake?: (stream: Duplex) => Promise<void>;
}

export class ThriftRpcClient {
  private seqid = 0;
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly conn: RpcConnection,
    private readonly o: ThriftClientOptions,
  ) {}

  static async connect(o: ThriftClientOptions): Promise<ThriftRpcClient> {
    const decoder = new FrameDecoder(DEFAULT_MAX_FRAME);
    const conn = await RpcConnection.open(
      o,
      (chunk) =>
        decoder.push(chunk).map((frame) => {
          const r = decodeReply(o.protocol, frame);
          return { id: r.seqid, data: frame };
        }),
      o.handshake,
    );
    return new ThriftRpcClient(conn, o);
  }

  get active(): boolean {
    return this.conn.active;
  }

  get peer(): string {
    return this.conn.peer;
  }

  close(): void {
    this.conn.close();
  }

  private call(events: readonly Event[], single: boolean): Promise<void> {
    const run = async () => {
      const seqid = (this.seqid = (this.seqid + 1) | 0);
      const frame = await this.conn.request(seqid, encodeCall(this.o.protocol, seqid, events, single), this.o.requestTimeoutMs);
      const r = decodeReply(this.o.protocol, frame);
      if (r.error !== undefined) throw new RpcError(`${this.peer} answered with an error: ${r.error}`);
      if (r.status !== 'OK') throw new RpcError(`Failed to deliver events. Server ${this.peer} returned status : ${r.status}`);
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  append(event: Event): Promise<void> {
    return this.call([event], true);
  }

  async appendBatch(events: readonly Event[]): Promise<void> {
    const size = this.o.batchSize;
    for (let i = 0; i < events.length; i += size) {
      await this.call(i === 0 && events.length <= size ? events : events.slice(i, i + size), false);
    }
  }
}
