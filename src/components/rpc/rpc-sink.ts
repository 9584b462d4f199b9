/**
 * Flume's AbstractRpcSink: take up to batch-size, send, commit only after the peer answered OK. On any failure the
 * connection is destroyed, the transaction rolled back and EventDeliveryError thrown; the next process() connects
 * again. The connection is also rebuilt every reset-connection-interval seconds.
 *
 * With `inFlight` above 1 (the avro sink's batches-in-flight) and a client whose peer answers in order
 * (RpcClientLike.maxInFlight: a flume-ts avro source says so in its handshake), a batch is sent before the one before
 * it is answered: each batch is its own take transaction, committed when its answer comes back, in the order they
 * were sent. A peer on the other side of a network link (or an agent busy with its own sink) then costs one round trip
 * per `inFlight` batches instead of one per batch, as Flume users get by putting several sinks on one channel, but
 * over one connection and in order. process() returns once no more than `inFlight - 1` batches are unanswered (with 1:
 * after the commit, as Flume); when the channel is empty, before stop() and before a connection reset it waits for all
 * of them (and says READY if it committed any), so an idle sink holds no open transaction. When a batch fails, the
 * connection is closed, so every later one fails too (or was answered already and is committed); the failed ones are
 * rolled back newest first, which puts their events back at the head of the channel in the order they were taken,
 * and the call throws as it would for one batch.
 */
import type { Channel } from '../../core/channel.js';
import type { Event } from '../../core/event.js';
import type { Status } from '../../core/lifecycle.js';
import type { Logger } from '../../core/logging.js';
import { AbstractSink } from '../../core/abstract-sink.js';
import { errorMessage } from '../../core/errors.js';
import { BatchesInFlight } from '../../core/in-flight.js';

export interface RpcClientLike {
  readonly active: boolean;
  /** Batches that may be unanswered at once on this connection (absent: 1); the sink's inFlight caps it. */
  readonly maxInFlight?: number;
  appendBatch(events: readonly Event[]): Promise<void>;
  close(): void;
}

export interface RpcSinkOptions {
  kind: string;
  hostname: string;
  port: number;
  batchSize: number;
  resetIntervalS: number;
  /** Batches sent and not yet answered, at most (1: one at a time, as Flume). */
  inFlight?: number;
  connect(): Promise<RpcClientLike>;
}

export class RpcSink extends AbstractSink {
  private client: RpcClientLike | undefined;
  /** Sent and not yet answered, oldest first; a failure closes the connection. */
  private readonly sent: BatchesInFlight;
  private readonly inFlight: number;
  private resetFlag = false;
  private resetTimer: NodeJS.Timeout | undefined;
  private readonly o: RpcSinkOptions;

  constructor(name: string, channel: Channel, logger: Logger, o: RpcSinkOptions) {
    super(name, channel, logger, o.batchSize);
    this.o = o;
    this.inFlight = Math.max(1, o.inFlight ?? 1);
    this.sent = new BatchesInFlight(name, this.counter, () => this.destroyConnection());
  }

  override toString(): string {
    return `RpcSink ${this.name} { host: ${this.o.hostname}, port: ${this.o.port} }`;
  }

  /** The live client (for tests). */
  get rpcClient(): RpcClientLike | undefined {
    return this.client;
  }

  private async createConnection(): Promise<void> {
    if (this.client) return;
    try {
      this.client = await this.o.connect();
    } catch (err) {
      this.counter.increment('ConnectionFailedCount');
      throw err;
    }
    this.counter.increment('ConnectionCreatedCount');
    this.logger.info(`${this.o.kind} sink ${this.name}: connected to ${this.o.hostname}:${this.o.port}`);
    if (this.o.resetIntervalS > 0) {
      clearTimeout(this.resetTimer);
      this.resetTimer = setTimeout(() => (this.resetFlag = true), this.o.resetIntervalS * 1000);
      this.resetTimer.unref();
    }
  }

  private destroyConnection(): void {
    if (!this.client) return;
    this.client.close();
    this.client = undefined;
    this.counter.increment('ConnectionClosedCount');
  }

  override async start(): Promise<void> {
    await super.start();
    try {
      await this.createConnection();
    } catch (err) {
      this.logger.warn(
        { err: errorMessage(err) },
        `${this.o.kind} sink ${this.name}: unable to connect to ${this.o.hostname}:${this.o.port} (${errorMessage(err)}); will retry when events arrive`,
      );
      this.destroyConnection();
    }
  }

  override async stop(): Promise<void> {
    clearTimeout(this.resetTimer);
    try {
      await this.sent.settle(0);
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, `${this.o.kind} sink ${this.name}: ${errorMessage(err)}`);
    }
    this.destroyConnection();
    await super.stop();
  }

  async process(): Promise<Status> {
    if (this.resetFlag) {
      await this.sent.settle(0);
      this.resetFlag = false;
      this.logger.info(`${this.o.kind} sink ${this.name}: reset-connection-interval reached; reconnecting`);
      this.destroyConnection();
      try {
        await this.createConnection();
      } catch (err) {
        this.logger.error({ err: errorMessage(err) }, `${this.o.kind} sink ${this.name}: error while trying to expire connection`);
      }
    }
    const tx = this.channel.begin();
    const events = await this.takeBatch(tx);
    if (!events || events.length === 0) {
      if (events) await tx.commit();
      // READY when batches in flight were just committed: events that arrived meanwhile are taken at once
      const waited = this.sent.size;
      await this.sent.settle(0);
      return waited > 0 ? 'READY' : 'BACKOFF';
    }
    if (this.client && !this.client.active) {
      if (this.sent.size > 0) {
        // the connection broke under earlier batches: this one goes back to the channel first, then theirs (newest
        // first), so that the events keep their order; their failure is this call's
        await tx.rollback();
        await this.sent.settle(0);
        return 'READY';
      }
      this.destroyConnection();
    }
    try {
      await this.createConnection();
    } catch (err) {
      await this.sent.fail([{ tx, n: events.length, done: Promise.reject(err) }], err);
    }
    const client = this.client!;
    this.sent.add({ tx, n: events.length, done: client.appendBatch(events) });
    await this.sent.settle(Math.min(this.inFlight, client.maxInFlight ?? 1) - 1);
    return 'READY';
  }
}
