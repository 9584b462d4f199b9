// Flume's HiveSink: one channel transaction = one Hive transaction per end point it touches. Events are taken,
// their end point (table + escaped hive.partition values) found, their rows added to that end point's writer; then
// every writer used writes its deltas and commits, and only then the channel transaction commits. Any failure aborts
// the open Hive transactions, closes every writer (their unused transactions aborted) and rolls the channel back.
import { AbstractSink } from '../../../core/abstract-sink.js';
import type { Channel } from '../../../core/channel.js';
import type { Event } from '../../../core/event.js';
import type { Status } from '../../../core/lifecycle.js';
import type { Logger } from '../../../core/logging.js';
import { EventDeliveryError, errorMessage } from '../../../core/errors.js';
import type { BucketPath } from '../../shared/bucket-path.js';
import { type EndPoint, endPointString } from './endpoint.js';
import { EndpointWriter, type WriterDeps } from './writer.js';

export interface HiveSinkOptions {
  metaStoreUri: string;
  database: string;
  table: string;
  /** hive.partition, split on commas, each compiled with the BucketPath escapes */
  partition: BucketPath[] | undefined;
  batchSize: number;
  maxOpenConnections: number;
  /** ms (Flume compares it with milliseconds) */
  idleTimeout: number;
  /** s; 0 = no heartbeats */
  heartBeatInterval: number;
  /** connects the writer dependencies on start and closes them on stop */
  deps: () => Promise<WriterDeps & { close(): void }>;
}

/** Runs tasks one after the other (process() and the heartbeat timer share the writers). */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(f: () => Promise<T>): Promise<T> {
    const r = this.tail.then(f, f);
    this.tail = r.catch(() => undefined);
    return r;
  }
}

export class HiveSink extends AbstractSink {
  private readonly writers = new Map<string, EndpointWriter>();
  private deps: (WriterDeps & { close(): void }) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private heartbeatDue = false;
  private readonly serial = new Serial();

  constructor(
    name: string,
    channel: Channel,
    logger: Logger,
    private readonly o: HiveSinkOptions,
  ) {
    super(name, channel, logger, o.batchSize);
  }

  /** Open writers by end point (tests). */
  get openWriters(): string[] {
    return [...this.writers.keys()];
  }

  override async start(): Promise<void> {
    this.deps = await this.o.deps();
    await super.start();
    if (this.o.heartBeatInterval > 0) {
      this.timer = setInterval(() => {
        this.heartbeatDue = true;
        // an idle sink still keeps its open transaction batches (and their locks) alive
        void this.serial.run(() => this.heartbeatIfDue());
      }, this.o.heartBeatInterval * 1000);
      this.timer.unref();
    }
    this.logger.info(`${this.name}: Hive Sink ${this.name} started`);
  }

  override async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.serial.run(() => this.closeAll());
    this.deps?.close();
    this.deps = undefined;
    await super.stop();
    this.logger.info(`Hive Sink ${this.name} stopped`);
  }

  private async heartbeatIfDue(): Promise<void> {
    if (!this.heartbeatDue) return;
    this.heartbeatDue = false;
    for (const w of this.writers.values()) await w.heartbeat();
  }

  process(): Promise<Status> {
    return this.serial.run(() => this.processNow());
  }

  private async processNow(): Promise<Status> {
    if (this.heartbeatDue) {
      this.heartbeatDue = false;
      for (const w of this.writers.values()) w.setHeartbeatNeeded();
    }
    const tx = this.channel.begin();
    const events = await this.takeBatch(tx);
    if (!events) return 'BACKOFF';
    try {
      if (events.length > 0) await this.drain(events);
      await tx.commit();
    } catch (err) {
      await tx.rollback();
      this.counter.increment('EventWriteFail');
      throw new EventDeliveryError(`sink ${this.name}: ${events.length} event(s) rolled back for retry: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    this.counter.add('EventDrainSuccessCount', events.length);
    return events.length === 0 ? 'BACKOFF' : 'READY';
  }

  /** Writes the events to their end points' current transactions, then commits each of those transactions. */
  private async drain(events: Event[]): Promise<void> {
    const active = new Map<string, EndpointWriter>();
    try {
      for (const e of events) {
        const ep = this.endPoint(e);
        const key = JSON.stringify(ep.partitionVals);
        let w = active.get(key);
        if (!w) {
          w = await this.writerFor(key, ep);
          active.set(key, w);
        }
        w.write(e);
      }
      for (const w of active.values()) await w.flush();
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, `${this.name} : aborting the open Hive transactions and closing every writer`);
      for (const w of this.writers.values()) await w.abort();
      await this.closeAll();
      throw err;
    }
  }

  private endPoint(e: Event): EndPoint {
    const partitionVals = this.o.partition?.map((p) => p.escape(e.headers)) ?? [];
    return { metaStoreUri: this.o.metaStoreUri, database: this.o.database, table: this.o.table, partitionVals };
  }

  private async writerFor(key: string, ep: EndPoint): Promise<EndpointWriter> {
    const w = this.writers.get(key);
    if (w) return w;
    this.logger.info(`${this.name}: Creating Writer to Hive end point : ${endPointString(ep)}`);
    let created: EndpointWriter;
    try {
      created = await EndpointWriter.connect(ep, this.deps!);
    } catch (err) {
      this.counter.increment('ConnectionFailedCount');
      throw err;
    }
    this.counter.increment('ConnectionCreatedCount');
    if (this.writers.size > this.o.maxOpenConnections) {
      if ((await this.closeIdleWriters()) === 0) await this.closeEldestWriter();
    }
    this.writers.set(key, created);
    return created;
  }

  /** Writers unused for longer than idleTimeout (ms, as Flume compares it), closed; returns how many. */
  private async closeIdleWriters(): Promise<number> {
    const now = Date.now();
    const idle = [...this.writers].filter(([, w]) => now - w.lastUsed > this.o.idleTimeout);
    for (const [key, w] of idle) {
      this.logger.info(`${this.name}: Closing idle Writer to Hive end point : ${endPointString(w.ep)}`);
      this.writers.delete(key);
      await this.closeWriter(w);
    }
    return idle.length;
  }

  private async closeEldestWriter(): Promise<void> {
    let eldest: [string, EndpointWriter] | undefined;
    for (const e of this.writers) if (!eldest || e[1].lastUsed < eldest[1].lastUsed) eldest = e;
    if (!eldest) return;
    this.logger.info(`${this.name}: Closing least used Writer to Hive EndPoint : ${endPointString(eldest[1].ep)}`);
    this.writers.delete(eldest[0]);
    await this.closeWriter(eldest[1]);
  }

  private async closeWriter(w: EndpointWriter): Promise<void> {
    try {
      await w.close();
    } catch (err) {
      this.logger.warn({ endPoint: endPointString(w.ep), err: errorMessage(err) }, 'Error closing writer');
    }
    this.counter.increment('ConnectionClosedCount');
  }

  private async closeAll(): Promise<void> {
    const all = [...this.writers.values()];
    this.writers.clear();
    for (const w of all) await this.closeWriter(w);
  }
}
