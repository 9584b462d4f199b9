/**
 * Flume's AbstractRpcSink on top of BatchingSink: take up to batch-size, send, commit only after the peer answered OK.
 * On any failure the connection is destroyed, the transaction rolled back (BatchingSink) and EventDeliveryError
 * thrown; the next process() connects again. The connection is also rebuilt every reset-connection-interval seconds.
 */
import type { Channel } from '../../core/channel.js';
import type { Event } from '../../core/event.js';
import type { Status } from '../../core/lifecycle.js';
import type { Logger } from '../../core/logging.js';
import { BatchingSink } from '../../core/abstract-sink.js';
import { errorMessage } from '../../core/errors.js';

export interface RpcClientLike {
  readonly active: boolean;
  appendBatch(events: readonly Event[]): Promise<void>;
  close(): void;
}

export interface RpcSinkOptions {
  kind: string;
  hostname: string;
  port: number;
  batchSize: number;
  resetIntervalS: number;
  connect(): Promise<RpcClientLike>;
}

export class RpcSink extends BatchingSink {
  private client: RpcClientLike | undefined;
  private resetFlag = false;
  private resetTimer: NodeJS.Timeout | undefined;
  private readonly o: RpcSinkOptions;

  constructor(name: string, channel: Channel, logger: Logger, o: RpcSinkOptions) {
    super(name, channel, logger, o.batchSize);
    this.o = o;
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
    this.destroyConnection();
    await super.stop();
  }

  override async process(): Promise<Status> {
    if (this.resetFlag) {
      this.resetFlag = false;
      this.logger.info(`${this.o.kind} sink ${this.name}: reset-connection-interval reached; reconnecting`);
      this.destroyConnection();
      try {
        await this.createConnection();
      } catch (err) {
        this.logger.error({ err: errorMessage(err) }, `${this.o.kind} sink ${this.name}: error while trying to expire connection`);
      }
    }
    return super.process();
  }

  protected async deliver(events: Event[]): Promise<void> {
    try {
      if (this.client && !this.client.active) this.destroyConnection();
      await this.createConnection();
      await this.client!.appendBatch(events);
    } catch (err) {
      this.destroyConnection();
      throw err;
    }
  }
}
