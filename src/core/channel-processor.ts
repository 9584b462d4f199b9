/**
 * Flume's ChannelProcessor (core/channel/ChannelProcessor.java): interceptors → selector → one transaction per
 * required channel, in turn (a failure rolls back that channel and is rethrown; channels already committed stay
 * committed, as in Flume) → optional channels best-effort (failures only logged).
 */
import { withTransaction, type Channel } from './channel.js';
import type { Event } from './event.js';
import type { Interceptor } from './interceptor.js';
import type { ChannelSelector } from './selector.js';
import type { ChannelProcessor } from './source.js';
import type { Logger } from './logging.js';
import { ChannelError, errorMessage } from './errors.js';

export class DefaultChannelProcessor implements ChannelProcessor {
  readonly maxBatchSize: number;
  private readonly selector: ChannelSelector;
  private readonly interceptors: readonly Interceptor[];
  private readonly logger: Logger;
  private readonly channels: readonly Channel[];

  constructor(selector: ChannelSelector, interceptors: readonly Interceptor[], logger: Logger) {
    this.selector = selector;
    this.interceptors = interceptors;
    this.logger = logger;
    this.channels = selector.getAllChannels();
    this.maxBatchSize = Math.min(...this.channels.map((c) => c.transactionCapacity));
  }

  pace(): Promise<void> | undefined {
    let wait: Promise<void> | undefined;
    for (const c of this.channels) {
      const p = c.pace?.();
      if (p) wait = wait ? Promise.all([wait, p]).then(() => undefined) : p;
    }
    return wait;
  }

  processEvent(event: Event): Promise<void> {
    return this.processEventBatch([event]);
  }

  async processEventBatch(input: Event[]): Promise<void> {
    let events = input;
    for (const ic of this.interceptors) {
      events = ic.intercept(events);
      if (events.length === 0) return;
    }
    const required = new Map<Channel, Event[]>();
    const optional = new Map<Channel, Event[]>();
    if (this.selector.uniform) {
      for (const c of this.selector.getRequiredChannels(events[0]!)) required.set(c, events);
      for (const c of this.selector.getOptionalChannels(events[0]!)) optional.set(c, events);
    } else
      for (const e of events) {
        for (const c of this.selector.getRequiredChannels(e)) {
          const l = required.get(c);
          if (l) l.push(e);
          else required.set(c, [e]);
        }
        for (const c of this.selector.getOptionalChannels(e)) {
          const l = optional.get(c);
          if (l) l.push(e);
          else optional.set(c, [e]);
        }
      }
    for (const [ch, list] of required) {
      try {
        await putAll(ch, list);
      } catch (err) {
        if (err instanceof ChannelError) throw err;
        throw new ChannelError(`Unable to put batch on required channel: ${ch.name}: ${errorMessage(err)}`, { cause: err });
      }
    }
    for (const [ch, list] of optional) {
      try {
        await putAll(ch, list);
      } catch (err) {
        this.logger.warn({ channel: ch.name, err: errorMessage(err) }, 'Unable to put batch on optional channel');
      }
    }
  }
}

/** One transaction: put every event, commit; roll back on failure. */
const putAll = (ch: Channel, events: Event[]) => withTransaction(ch, (tx) => tx.putAll(events));
