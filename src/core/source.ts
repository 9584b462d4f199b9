import type { Event } from './event.js';
import type { Lifecycle, Status } from './lifecycle.js';
import type { CounterGroup } from '../monitoring/counters.js';

/**
 * Flume's ChannelProcessor: interceptors → selector → one transaction per required channel; optional channels
 * best-effort. Resolves once every required channel committed; rejects with a ChannelError otherwise.
 */
export interface ChannelProcessor {
  processEvent(event: Event): Promise<void>;
  processEventBatch(events: Event[]): Promise<void>;
  /** The smallest transactionCapacity among the channels this source writes to: the most a batch may hold. */
  readonly maxBatchSize: number;
  /**
   * Asked by a source that reads a flow-controlled stream (it can stop reading without losing anything) before it
   * reads on: undefined to go on now, else a promise to wait for (Channel.pace of the channels it writes to). Sources
   * whose input cannot wait (UDP) never ask.
   */
  pace?(): Promise<void> | undefined;
}

interface SourceBase extends Lifecycle {
  readonly name: string;
  /** Flume's SourceCounter, if this source type keeps one (netcat does not, as in Flume). */
  readonly counter?: CounterGroup;
}

/** Starts its own I/O (sockets, timers) and pushes events through the ChannelProcessor. */
export interface EventDrivenSource extends SourceBase {
  readonly mode: 'eventDriven';
}

/** Polled by a runner, like Flume's PollableSourceRunner with its linear backoff. */
export interface PollableSource extends SourceBase {
  readonly mode: 'pollable';
  readonly backoffSleepIncrement: number;
  readonly maxBackoffSleep: number;
  process(): Promise<Status>;
}

export type Source = EventDrivenSource | PollableSource;
