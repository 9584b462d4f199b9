/**
 * Flume's StressSource (core/source/StressSource.java): events of `size` bytes (every byte 0x7F, no headers), one or
 * `batchSize` per channel transaction, as fast as the channel takes them or at most maxEventsPerSecond (Guava's
 * RateLimiter: the wait for a batch is paid by the next one, and up to one second of unused rate is kept).
 *
 * Counters as Flume keeps them: events.total counts every event attempted (also refused ones), events.successful
 * the committed ones, events.failed the refused ones. The source stops (returns BACKOFF) once events.total reached
 * maxTotalEvents or events.successful reached maxSuccessfulEvents (-1 = no limit); a refused batch is not retried
 * but still counts towards events.total, exactly as in Flume. Beyond Flume, the counters are visible in /metrics
 * (a SOURCE group with Flume's SourceCounter names plus events.total/successful/failed).
 */
import { defineComponent, prop } from '../../config/spec.js';
import type { ChannelProcessor, PollableSource } from '../../core/source.js';
import type { Event } from '../../core/event.js';
import type { Status } from '../../core/lifecycle.js';
import type { Logger } from '../../core/logging.js';
import { ChannelError, errorMessage } from '../../core/errors.js';
import { sourceCounter, type CounterGroup } from '../../monitoring/counters.js';

export interface StressOptions {
  size: number;
  maxTotalEvents: number;
  maxSuccessfulEvents: number;
  batchSize: number;
  maxEventsPerSecond: number;
  backoffSleepIncrement: number;
  maxBackoffSleep: number;
}

/** Guava's SmoothBursty RateLimiter (maxBurstSeconds = 1). */
export class RateLimiter {
  private nextFree = 0;
  private stored = 0;
  private readonly interval: number;
  private readonly maxStored: number;
  constructor(
    perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.interval = 1000 / perSecond;
    this.maxStored = perSecond;
  }

  /** Reserves `permits` and returns how many ms the caller must wait first. */
  reserve(permits: number): number {
    const now = this.now();
    if (now > this.nextFree) {
      this.stored = Math.min(this.maxStored, this.stored + (now - this.nextFree) / this.interval);
      this.nextFree = now;
    }
    const wait = this.nextFree - now;
    const fromStored = Math.min(permits, this.stored);
    this.nextFree += (permits - fromStored) * this.interval;
    this.stored -= fromStored;
    return Math.max(0, wait);
  }

  async acquire(permits: number): Promise<void> {
    const wait = this.reserve(permits);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

export class StressSource implements PollableSource {
  readonly mode = 'pollable';
  readonly name: string;
  readonly counter: CounterGroup;
  readonly backoffSleepIncrement: number;
  readonly maxBackoffSleep: number;
  private readonly body: Buffer;
  private readonly limiter?: RateLimiter;
  private lastSent = 0;

  constructor(
    name: string,
    private readonly o: StressOptions,
    private readonly processor: ChannelProcessor,
    private readonly logger: Logger,
  ) {
    this.name = name;
    this.counter = sourceCounter(name, ['events.total', 'events.successful', 'events.failed']);
    this.backoffSleepIncrement = o.backoffSleepIncrement;
    this.maxBackoffSleep = o.maxBackoffSleep;
    this.body = Buffer.alloc(o.size, 0x7f);
    if (o.maxEventsPerSecond > 0) this.limiter = new RateLimiter(o.maxEventsPerSecond);
  }

  async start(): Promise<void> {
    this.counter.start();
    this.lastSent = 0;
    this.logger.info('Stress source doStart finished');
  }

  async stop(): Promise<void> {
    this.counter.stop();
    const c = this.counter;
    this.logger.info(
      { total: c.get('events.total'), successful: c.get('events.successful'), failed: c.get('events.failed') },
      'Stress source do stop.',
    );
  }

  private events(n: number): Event[] {
    const out: Event[] = new Array(n);
    // one shared body, as Flume shares one byte array; fresh headers, since interceptors may change them
    for (let i = 0; i < n; i++) out[i] = { headers: {}, body: this.body };
    return out;
  }

  async process(): Promise<Status> {
    const c = this.counter;
    const total = c.add('events.total', this.lastSent);
    this.lastSent = 0;
    const { maxTotalEvents, maxSuccessfulEvents, batchSize } = this.o;
    const done = maxTotalEvents >= 0 && total >= maxTotalEvents;
    if (done || (maxSuccessfulEvents >= 0 && c.get('events.successful') >= maxSuccessfulEvents)) return 'BACKOFF';
    let n = batchSize;
    if (batchSize > 1 && maxTotalEvents >= 0 && maxTotalEvents - total < batchSize) n = maxTotalEvents - total;
    this.lastSent = n;
    try {
      if (this.limiter) await this.limiter.acquire(n);
      if (n === 1 && batchSize === 1) await this.processor.processEvent(this.events(1)[0]!);
      else await this.processor.processEventBatch(this.events(n));
    } catch (err) {
      if (!(err instanceof ChannelError)) throw err;
      c.add('events.failed', n);
      c.increment('ChannelWriteFail');
      this.logger.debug({ err: errorMessage(err) }, 'stress: channel refused the batch');
      return 'BACKOFF';
    }
    c.add('events.successful', n);
    c.increment(batchSize === 1 ? 'AppendAcceptedCount' : 'AppendBatchAcceptedCount');
    c.add('EventAcceptedCount', n);
    return 'READY';
  }
}

export const stressSource = defineComponent({
  kind: 'source',
  type: 'org.apache.flume.source.StressSource',
  summary: 'Generates fixed-size events as fast as the channel takes them (or at a set rate), for load tests and benchmarks.',
  notes:
    "Flume has no short alias for it: type must be the class name. Semantics and counters as Flume's (events.total " +
    'counts refused events too; a refused batch is not retried). Beyond Flume, its counters are in /metrics as a ' +
    'SOURCE group. batchSize must be ≥ 1 (Flume fails at the first poll with 0).',
  properties: {
    size: prop.int({ default: 500, min: 0, doc: 'Body size in bytes (every byte 0x7F).' }),
    maxTotalEvents: prop.long({ default: -1, doc: 'Stop after this many events were attempted (-1 = no limit).' }),
    maxSuccessfulEvents: prop.long({ default: -1, doc: 'Stop after this many events were committed (-1 = no limit).' }),
    batchSize: prop.int({ default: 1, min: 1, doc: 'Events per channel transaction.' }),
    maxEventsPerSecond: prop.int({ default: 0, doc: 'Rate limit in events per second (0 or less = unlimited).' }),
    backoffSleepIncrement: prop.long({ default: 1000, min: 0, doc: 'Back-off step (ms) when the channel is full or the source is done.' }),
    maxBackoffSleep: prop.long({ default: 5000, min: 0, doc: 'Maximum back-off (ms).' }),
  },
  batchSize: (c) => c.batchSize,
  create: (c, ctx) => new StressSource(ctx.name, c, ctx.processor, ctx.logger),
});
