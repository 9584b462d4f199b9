/**
 * Flume's MemoryChannel (core/channel/MemoryChannel.java): a bounded in-process queue with transactions. A put never
 * blocks; commit waits up to keep-alive for queue and byte space and otherwise fails with Flume's messages; rollback
 * returns takes to the head in order. Contents are lost when the process exits, as in Flume.
 */
import v8 from 'node:v8';
import { defineComponent, prop } from '../../config/spec.js';
import { AbstractChannel, BasicTransaction, type Channel, type Transaction } from '../../core/channel.js';
import { Deque } from '../../core/deque.js';
import { bodyLength, type Event } from '../../core/event.js';
import { ChannelError, ChannelFullError } from '../../core/errors.js';
import { Waiters } from '../../core/waiters.js';

export interface MemoryChannelOptions {
  capacity: number;
  transactionCapacity: number;
  keepAliveSeconds: number;
  /** Body bytes the channel may hold (Flume's byteCapacity minus the header buffer); Infinity for no limit. */
  byteCapacity: number;
  byteCapacityBufferPercentage: number;
}

/** Flume counts bytes in 100-byte slots of the body: ceil(max(len,1)/100). */
const slots = (e: Event): number => Math.ceil(Math.max(bodyLength(e), 1) / 100);

export class MemoryChannel extends AbstractChannel {
  transactionCapacity: number;
  private readonly queue = new Deque<Event>(1024);
  private opts: MemoryChannelOptions;
  /** Flume's queueRemaining: capacity minus queued and taken-but-uncommitted events. */
  private queueRemaining: number;
  /** Flume's bytesRemaining, in 100-byte slots. */
  private bytesRemaining: number;
  private byteSlots: number;
  private readonly space = new Waiters();

  constructor(name: string, opts: MemoryChannelOptions) {
    super(name);
    this.opts = opts;
    this.transactionCapacity = opts.transactionCapacity;
    this.queueRemaining = opts.capacity;
    const s = Math.floor((opts.byteCapacity * (1 - opts.byteCapacityBufferPercentage / 100)) / 100);
    this.byteSlots = !Number.isFinite(s) || s < 1 ? Number.MAX_SAFE_INTEGER : s;
    this.bytesRemaining = this.byteSlots;
  }

  capacity(): number {
    return this.opts.capacity;
  }

  /**
   * Flume's MemoryChannel.configure on the cached channel at reload: the queue keeps its events; a larger capacity
   * frees slots at once, a smaller one waits up to keep-alive for the free slots it takes away, else the resize is
   * aborted with Flume's warning (the old capacity stays). The byte capacity is resized the same way.
   */
  async reconfigureFrom(fresh: Channel): Promise<boolean> {
    if (!(fresh instanceof MemoryChannel)) return false;
    const next = fresh.opts;
    this.transactionCapacity = next.transactionCapacity;
    const deadline = Date.now() + next.keepAliveSeconds * 1000;
    const shrink = async (need: number, free: () => number) => {
      while (free() < need && Date.now() < deadline) await this.space.wait(deadline - Date.now());
      return free() >= need;
    };
    let capacity = this.opts.capacity;
    const diff = next.capacity - capacity;
    if (diff >= 0 || (await shrink(-diff, () => this.queueRemaining))) {
      this.queueRemaining += diff;
      capacity = next.capacity;
    } else this.logWarn("Couldn't acquire permits to downsize the queue, resizing has been aborted");
    const byteDiff = fresh.byteSlots - this.byteSlots;
    if (byteDiff >= 0 || (await shrink(-byteDiff, () => this.bytesRemaining))) {
      this.bytesRemaining += byteDiff;
      this.byteSlots = fresh.byteSlots;
    } else this.logWarn("Couldn't acquire permits to downsize the byte capacity, resizing has been aborted");
    this.opts = { ...next, capacity };
    this.counter.set('ChannelCapacity', capacity);
    this.space.wakeAll();
    return true;
  }

  /** The logger the runtime gives the channel (set by the factory). */
  logger?: { warn(msg: string): void };

  private logWarn(msg: string): void {
    this.logger?.warn(msg);
  }

  size(): number {
    return this.queue.length;
  }

  begin(): Transaction {
    return new MemoryTransaction(this);
  }

  /** @internal */ takeInto(out: Event[], n: number): void {
    this.queue.shiftInto(out, n);
  }

  /** @internal */ async commit(puts: Event[], takes: Event[], putSlots: number, takeSlots: number): Promise<void> {
    const change = takes.length - puts.length;
    const deadline = Date.now() + this.opts.keepAliveSeconds * 1000;
    // bytes first, then queue slots, as Flume does
    while (putSlots > this.bytesRemaining) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new ChannelError(
          `Cannot commit transaction. Byte capacity allocated to store event body ${this.byteSlots * 100} reached. ` +
            'Please increase heap space/byte capacity allocated to the channel as the sinks may not be keeping up with the sources',
        );
      }
      await this.space.wait(left);
    }
    this.bytesRemaining -= putSlots;
    if (change < 0) {
      while (-change > this.queueRemaining) {
        const left = deadline - Date.now();
        if (left <= 0) {
          this.bytesRemaining += putSlots;
          this.space.wakeAll();
          throw new ChannelFullError(
            "Space for commit to queue couldn't be acquired. Sinks are likely not keeping up with sources, or the buffer size is too tight",
          );
        }
        await this.space.wait(left);
      }
    }
    this.queueRemaining += change;
    for (let i = 0; i < puts.length; i++) this.queue.push(puts[i]!);
    this.bytesRemaining += takeSlots;
    this.counter.add('EventPutSuccessCount', puts.length);
    this.counter.add('EventTakeSuccessCount', takes.length);
    this.counter.set('ChannelSize', this.queue.length);
    if (change > 0 || takeSlots > 0) this.space.wakeAll();
    if (puts.length > 0) this.notifyAvailable();
  }

  /** @internal */ rollback(takes: Event[]): void {
    if (takes.length === 0) return;
    this.queue.unshiftAll(takes);
    this.counter.set('ChannelSize', this.queue.length);
    this.notifyAvailable();
  }
}

class MemoryTransaction extends BasicTransaction {
  private readonly ch: MemoryChannel;
  private puts: Event[] = [];
  private takes: Event[] = [];
  private putSlots = 0;
  private takeSlots = 0;

  constructor(ch: MemoryChannel) {
    super(ch.name);
    this.ch = ch;
  }

  protected doPut(events: readonly Event[]): void {
    const cap = this.ch.transactionCapacity;
    this.ch.counter.add('EventPutAttemptCount', events.length);
    if (this.puts.length + events.length > cap) {
      throw new ChannelError(
        `Put queue for MemoryTransaction of capacity ${cap} full, consider committing more frequently, increasing capacity or increasing thread count`,
      );
    }
    for (const e of events) {
      this.puts.push(e);
      this.putSlots += slots(e);
    }
  }

  protected doTake(max: number): Event[] {
    const cap = this.ch.transactionCapacity;
    this.ch.counter.increment('EventTakeAttemptCount');
    if (this.takes.length >= cap) {
      throw new ChannelError(
        `Take list for MemoryTransaction, capacity ${cap} full, consider committing more frequently, increasing capacity, or increasing thread count`,
      );
    }
    const out: Event[] = [];
    this.ch.takeInto(out, Math.min(max, cap - this.takes.length));
    for (const e of out) {
      this.takes.push(e);
      this.takeSlots += slots(e);
    }
    return out;
  }

  protected doCommit(): Promise<void> | void {
    if (this.puts.length === 0 && this.takes.length === 0) return;
    return this.ch.commit(this.puts, this.takes, this.putSlots, this.takeSlots);
  }

  protected doRollback(): void {
    this.ch.rollback(this.takes);
    this.puts = [];
    this.takes = [];
  }
}

/** Flume's default byteCapacity is 80% of the JVM heap; ours is 80% of V8's heap limit. */
const defaultByteCapacity = () => Math.floor(v8.getHeapStatistics().heap_size_limit * 0.8);

export const memoryChannel = defineComponent({
  kind: 'channel',
  type: 'memory',
  fqcn: 'org.apache.flume.channel.MemoryChannel',
  summary: 'Events in an in-process queue: fast, lost if the process stops or crashes (as in Flume).',
  notes: 'byteCapacity default is 80% of the V8 heap limit instead of the JVM heap.',
  properties: {
    capacity: prop.int({ default: 100, doc: 'Maximum number of events stored in the channel (≤0 falls back to 100, as in Flume).' }),
    transactionCapacity: prop.int({ default: 100, min: 1, doc: 'Maximum number of events per put or take transaction.' }),
    'keep-alive': prop.int({ default: 3, min: 0, doc: 'Seconds a commit waits for space before failing.' }),
    byteCapacityBufferPercentage: prop.int({ default: 20, min: 0, max: 100, doc: 'Percent of byteCapacity kept as a buffer for headers.' }),
    byteCapacity: prop.long({
      min: 0,
      defaultDoc: '80% of the V8 heap limit',
      doc: 'Maximum total bytes of event bodies in the channel; 0 means no practical limit.',
    }),
  },
  check: (c) =>
    c.transactionCapacity > (c.capacity > 0 ? c.capacity : 100)
      ? [
          {
            prop: 'transactionCapacity',
            message: `transactionCapacity (${c.transactionCapacity}) must be ≤ capacity (${c.capacity})`,
            hint: 'Flume throws IllegalStateException and removes the channel',
          },
        ]
      : c.capacity <= 0
        ? [{ prop: 'capacity', message: `capacity ${c.capacity} is not positive; using 100 as Flume does`, severity: 'warning' }]
        : [],
  transactionCapacity: (c) => c.transactionCapacity,
  create: (c, ctx) => {
    const ch = new MemoryChannel(ctx.name, {
      capacity: c.capacity > 0 ? c.capacity : 100,
      transactionCapacity: c.transactionCapacity,
      keepAliveSeconds: c['keep-alive'],
      byteCapacity: c.byteCapacity === undefined ? defaultByteCapacity() : c.byteCapacity === 0 ? Infinity : c.byteCapacity,
      byteCapacityBufferPercentage: c.byteCapacityBufferPercentage,
    });
    ch.logger = ctx.logger;
    return ch;
  },
});
