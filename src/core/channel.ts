import type { Event } from './event.js';
import type { Lifecycle } from './lifecycle.js';
import { TransactionStateError } from './errors.js';
import { Waiters } from './waiters.js';
import { channelCounter, type CounterGroup, javaDouble } from '../monitoring/counters.js';

/**
 * A channel transaction, as Flume's BasicTransactionSemantics but without thread-locals: `begin()` hands out an open
 * transaction. Puts and takes work on batches (one promise per batch, none per event).
 *
 * - `put`/`putAll` stage events; they throw ChannelError when the transaction's capacity is exceeded.
 * - `take(max)` returns up to `max` events available now (it never waits: sinks wait on `Channel.waitForEvents`).
 * - `commit()` makes puts visible and takes permanent; it may wait up to keep-alive for space, and throws
 *   ChannelError / ChannelFullError if it cannot (the caller must then roll back).
 * - `rollback()` discards puts and returns takes to the head of the channel in order.
 */
export interface Transaction {
  readonly state: TxState;
  put(event: Event): void;
  putAll(events: readonly Event[]): void;
  take(max: number): Promise<Event[]>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export type TxState = 'OPEN' | 'COMMITTED' | 'ROLLED_BACK';

export interface Channel extends Lifecycle {
  readonly name: string;
  readonly counter: CounterGroup;
  /** Max puts / takes per transaction (Flume's transactionCapacity); used by the batch-size check. */
  readonly transactionCapacity: number;
  /** Events survive a restart: no need to drain the channel on shutdown. */
  readonly durable?: boolean;
  begin(): Transaction;
  size(): number;
  /** Resolves as soon as events may be available to take, or after `timeoutMs`. */
  waitForEvents(timeoutMs: number): Promise<void>;
  /**
   * For a producer that can wait without losing anything (a source reading a flow-controlled stream: TCP, RPC):
   * undefined when it should go on putting now, else a promise that resolves when it should. A channel that holds its
   * events in process memory asks such producers to wait for its consumers while it is already well ahead of them
   * and they are taking (see MemoryChannel.pace); puts themselves never change: a producer that does not ask, or a
   * channel whose consumers stop taking, fills the channel up to its capacity as before.
   */
  pace?(): Promise<void> | undefined;
  /**
   * On reload, a channel whose name and type are unchanged takes the settings of `fresh` (a new, never started channel
   * of its type built from the new configuration) and keeps its contents, as Flume re-configures the cached channel
   * object. Resolves false when it cannot (the runtime then replaces it with `fresh`).
   */
  reconfigureFrom?(fresh: Channel): Promise<boolean>;
}

/** Enforces the transaction state machine; subclasses implement the do* hooks. */
export abstract class BasicTransaction implements Transaction {
  state: TxState = 'OPEN';
  protected readonly channelName: string;

  constructor(channelName: string) {
    this.channelName = channelName;
  }

  protected abstract doPut(events: readonly Event[]): void;
  protected abstract doTake(max: number): Promise<Event[]> | Event[];
  protected abstract doCommit(): Promise<void> | void;
  protected abstract doRollback(): Promise<void> | void;

  private check(op: string): void {
    if (this.state !== 'OPEN') {
      throw new TransactionStateError(
        `channel ${this.channelName}: ${op} called on a transaction that is ${this.state}; begin a new transaction`,
      );
    }
  }

  put(event: Event): void {
    this.check('put');
    this.doPut([event]);
  }

  putAll(events: readonly Event[]): void {
    this.check('put');
    if (events.length > 0) this.doPut(events);
  }

  async take(max: number): Promise<Event[]> {
    this.check('take');
    if (max <= 0) return [];
    return this.doTake(max);
  }

  async commit(): Promise<void> {
    this.check('commit');
    await this.doCommit();
    this.state = 'COMMITTED';
  }

  async rollback(): Promise<void> {
    if (this.state === 'ROLLED_BACK') return;
    if (this.state === 'COMMITTED') {
      throw new TransactionStateError(`channel ${this.channelName}: rollback called after commit`);
    }
    this.state = 'ROLLED_BACK';
    await this.doRollback();
  }
}

/** Common channel plumbing: counters, lifecycle and the "events arrived" wake-up used by sink runners. */
export abstract class AbstractChannel implements Channel {
  readonly name: string;
  readonly counter: CounterGroup;
  abstract readonly transactionCapacity: number;
  private readonly arrivals = new Waiters();

  constructor(name: string, extraCounters: readonly string[] = []) {
    this.name = name;
    this.counter = channelCounter(name, extraCounters);
    this.counter.gauge('ChannelFillPercentage', () => {
      const cap = this.capacity();
      return javaDouble(cap === 0 ? Number.MAX_VALUE : (this.size() / cap) * 100);
    });
  }

  abstract begin(): Transaction;
  abstract size(): number;
  abstract capacity(): number;

  async start(): Promise<void> {
    this.counter.start();
    this.counter.set('ChannelCapacity', this.capacity());
    this.counter.set('ChannelSize', this.size());
  }

  async stop(): Promise<void> {
    this.counter.stop();
    this.notifyAvailable();
  }

  /** Call after a commit of puts or a rollback of takes. */
  protected notifyAvailable(): void {
    this.arrivals.wakeAll();
  }

  waitForEvents(timeoutMs: number): Promise<void> {
    return this.size() > 0 ? Promise.resolve() : this.arrivals.wait(timeoutMs);
  }
}

/** Runs `work` in a transaction: commit on success, rollback (and rethrow) on failure. */
export async function withTransaction<T>(channel: Channel, work: (tx: Transaction) => Promise<T> | T): Promise<T> {
  const tx = channel.begin();
  try {
    const result = await work(tx);
    await tx.commit();
    return result;
  } catch (err) {
    if (tx.state === 'OPEN') await tx.rollback();
    throw err;
  }
}
