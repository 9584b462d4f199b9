import type { Channel } from './channel.js';
import type { Lifecycle, Status } from './lifecycle.js';
import type { CounterGroup } from '../monitoring/counters.js';

/**
 * A sink takes events from its channel inside a transaction and delivers them. `process()` returns READY when it
 * delivered something, BACKOFF when the channel was empty, and throws (after rolling back) when delivery failed.
 */
export interface Sink extends Lifecycle {
  readonly name: string;
  readonly channel: Channel;
  readonly counter: CounterGroup;
  process(): Promise<Status>;
}
