/**
 * Client side of AvroSourceProtocol (Flume's NettyAvroRpcClient over Avro's Requestor + NettyTransceiver): serials
 * count from 1, the first request carries the handshake with Flume's protocol hash (a Flume server answers BOTH at
 * once), NONE makes us resend with our protocol text. appendBatch slices the list into batch-size chunks, one RPC each;
 * any status but OK fails the whole call (the sink rolls back; chunks already accepted are sent again: duplicates,
 * as in Flume).
 */
import type { Event } from '../../../core/event.js';
import { RpcConnection } from '../client.js';
import { RpcError } from '../errors.js';
import type { ConnectOptions } from '../transport.js';
import { AvroReader, AvroWriter } from './binary.js';
import { framePack, PackDecoder } from './framing.js';
import {
  appendBatchRequest,
  appendRequest,
  FLUME_PROTOCOL_HASH,
  IN_ORDER_META,
  Match,
  PROTOCOL_TEXT,
  readCallResult,
  readHandshakeResponse,
  writeHandshakeRequest,
  type Status,
} from './protocol.js';

export interface AvroClientOptions extends ConnectOptions {
  requestTimeoutMs: number;
  batchSize: number;
}

/** Batches at least this large are encoded into a buffer kept for the next one (see AvroRpcClient.scratch). */
const SCRATCH_MIN_BYTES = 64 * 1024;

export class AvroRpcClient {
  private serial = 0;
  /**
   * The buffer the last large batch was encoded into, once written: the next batch is encoded into it when it fits.
   * A fresh megabyte per batch (1,000 events of 1 KiB) is external memory V8 counts towards its next young-generation
   * collection, one every 32 MiB; a sink sending 300 MB/s would collect ten times a second for these buffers alone.
   */
  private scratch: Buffer | undefined;
  private handshaken = false;
  /** The server said it answers this connection's requests in order (IN_ORDER_META): batches may be pipelined. */
  private inOrder = false;
  private sendText = false;
  private remoteHash: Buffer = FLUME_PROTOCOL_HASH;
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly conn: RpcConnection,
    private readonly o: AvroClientOptions,
  ) {}

  static async connect(o: AvroClientOptions): Promise<AvroRpcClient> {
    const decoder = new PackDecoder();
    const conn = await RpcConnection.open(o, (chunk) => decoder.push(chunk).map((p) => ({ id: p.serial, data: p.data })));
    return new AvroRpcClient(conn, o);
  }

  get active(): boolean {
    return this.conn.active;
  }

  get peer(): string {
    return this.conn.peer;
  }

  /**
   * Batches the sink may have unanswered on this connection: any number once a flume-ts avro source said in its
   * handshake that it answers in order; one before the handshake and with any other server (Flume's avro source
   * may store two batches of one connection in either order).
   */
  get maxInFlight(): number {
    return this.inOrder ? Number.POSITIVE_INFINITY : 1;
  }

  close(): void {
    this.conn.close();
  }

  private handshake(): Buffer {
    return writeHandshakeRequest(new AvroWriter(), {
      clientHash: FLUME_PROTOCOL_HASH,
      clientProtocol: this.sendText ? PROTOCOL_TEXT : null,
      serverHash: this.remoteHash,
    }).toBuffer();
  }

  /**
   * One call, handshaking first if needed. Until a handshake has succeeded calls wait for each other, like Avro's
   * handshake lock; after it they run side by side (several batches in flight, answers matched by serial).
   */
  private call(encode: (handshake: Buffer | undefined, scratch: Buffer | undefined) => Buffer): Promise<Status> {
    const run = async (): Promise<Status> => {
      for (let attempt = 0; attempt < 2; attempt++) {
        const hs = this.handshaken ? undefined : this.handshake();
        const serial = ++this.serial;
        // the scratch buffer is this call's until the stream has written it; on any failure it is simply not kept
        const scratch = this.scratch;
        this.scratch = undefined;
        const frame = encode(hs, scratch);
        const own = scratch !== undefined && frame.buffer === scratch.buffer ? scratch : frame;
        let written = false;
        const data = await this.conn.request(serial, framePack(serial, frame), this.o.requestTimeoutMs, () => (written = true));
        if (written && own.length >= SCRATCH_MIN_BYTES) this.scratch = own;
        const r = new AvroReader(data);
        if (!this.handshaken) {
          const h = readHandshakeResponse(r);
          if (h.serverHash) this.remoteHash = h.serverHash;
          this.inOrder = h.meta.has(IN_ORDER_META);
          if (h.match === Match.NONE) {
            this.sendText = true;
            continue;
          }
          this.handshaken = true;
        }
        const res = readCallResult(r);
        if (res.error !== undefined) throw new RpcError(`${this.peer} answered with an error: ${res.error}`);
        return res.status!;
      }
      throw new RpcError(`${this.peer} does not accept Flume's AvroSourceProtocol (handshake match NONE twice)`);
    };
    if (this.handshaken) return run();
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  async append(event: Event): Promise<void> {
    const st = await this.call((hs) => appendRequest(event, hs, 12));
    if (st !== 'OK') throw new RpcError(`${this.peer}: Avro RPC call returned Status: ${st}`);
  }

  async appendBatch(events: readonly Event[]): Promise<void> {
    const size = this.o.batchSize;
    for (let i = 0; i < events.length; i += size) {
      const chunk = i === 0 && events.length <= size ? events : events.slice(i, i + size);
      const st = await this.call((hs, scratch) => appendBatchRequest(chunk, hs, 12, scratch));
      if (st !== 'OK') throw new RpcError(`${this.peer}: Avro RPC call returned Status: ${st}`);
    }
  }
}
