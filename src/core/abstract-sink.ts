import type { Channel, Transaction } from './channel.js';
import type { Event } from './event.js';
import type { Status } from './lifecycle.js';
import type { Sink } from './sink.js';
import type { Logger } from './logging.js';
import { ChannelError, EventDeliveryError, errorMessage } from './errors.js';
import { sinkCounter, type CounterGroup } from '../monitoring/counters.js';

/**
 * What every sink that takes from one channel in batches shares: its name, channel, logger, batch size, Flume's sink
 * counters and the counted take. Subclasses write `process()`; most extend BatchingSink instead, which writes it.
 */
export abstract class AbstractSink implements Sink {
  readonly name: string;
  readonly channel: Channel;
  readonly counter: CounterGroup;
  protected readonly logger: Logger;
  protected batchSize: number;

  constructor(name: string, channel: Channel, logger: Logger, batchSize: number, extraCounters: readonly string[] = []) {
    this.name = name;
    this.channel = channel;
    this.logger = logger;
    this.batchSize = batchSize;
    this.counter = sinkCounter(name, extraCounters);
  }

  abstract process(): Promise<Status>;

  async start(): Promise<void> {
    this.counter.start();
  }

  async stop(): Promise<void> {
    this.counter.stop();
  }

  /**
   * Takes up to batchSize events in `tx` and keeps Flume's batch counters. A ChannelError rolls `tx` back, counts
   * ChannelReadFail and returns undefined (Flume's BACKOFF).
   */
  protected async takeBatch(tx: Transaction): Promise<Event[] | undefined> {
    let events: Event[];
    try {
      events = await tx.take(this.batchSize);
    } catch (err) {
      await tx.rollback();
      if (err instanceof ChannelError) {
        this.counter.increment('ChannelReadFail');
        this.logger.warn({ err: errorMessage(err) }, 'Unable to take from the channel; backing off');
        return undefined;
      }
      throw err;
    }
    const n = events.length;
    this.counter.add('EventDrainAttemptCount', n);
    if (n === 0) this.counter.increment('BatchEmptyCount');
    else if (n < this.batchSize) this.counter.increment('BatchUnderflowCount');
    else this.counter.increment('BatchCompleteCount');
    return events;
  }
}

/**
 * The take → deliver → commit loop that every Flume sink repeats, once: it takes what is available up to the batch
 * size (never waits to fill a batch), delivers, commits; on failure it rolls back so nothing is lost, and keeps Flume's
 * sink counters. Subclasses implement `deliver` (and optionally `onIdle`, `start`, `stop`).
 */
export abstract class BatchingSink extends AbstractSink {
  /** Deliver a non-empty batch durably; throw to roll the transaction back. */
  protected abstract deliver(events: Event[]): Promise<void> | void;

  /** Called after an empty take (Flume's BACKOFF path), e.g. to let a file sink roll on time. */
  protected onIdle(): Promise<void> | void {}

  async process(): Promise<Status> {
    const tx = this.channel.begin();
    const events = await this.takeBatch(tx);
    if (!events) return 'BACKOFF';
    const n = events.length;
    try {
      if (n > 0) await this.deliver(events);
      else await this.onIdle();
      await tx.commit();
    } catch (err) {
      await tx.rollback();
      this.counter.increment('EventWriteFail');
      if (err instanceof EventDeliveryError) throw err;
      throw new EventDeliveryError(`sink ${this.name}: failed to deliver ${n} event(s), rolled back for retry: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    this.counter.add('EventDrainSuccessCount', n);
    return n === 0 ? 'BACKOFF' : 'READY';
  }
}
