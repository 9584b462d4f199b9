import type { Lifecycle, Status } from './lifecycle.js';
import type { Sink } from './sink.js';

/** Flume's SinkProcessor: decides which sink of a group processes next (default, failover, load_balance). */
export interface SinkProcessor extends Lifecycle {
  readonly sinks: readonly Sink[];
  process(): Promise<Status>;
}
