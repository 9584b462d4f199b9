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

/**
 * Pacing (MemoryChannel.pace): a producer that can wait is asked to while a consumer took within the last
 * PACE_STALL_MS and the channel holds at least PACE_MIN_EVENTS events and PACE_BATCHES of the largest take a consumer
 * asked for (never more than the capacity), or, with large events, bodies of PACE_BYTES or more (queued and taken but
 * not committed) and at least PACE_BYTES_BATCHES of the largest take still queued (a sink finds a whole batch).
 * bench/results/2026-12-02-pacing.md and 2026-12-03-pace-bytes.md have the measurements behind these figures.
 */
export const PACE_MIN_EVENTS = 10_000;
export const PACE_BATCHES = 4;
export const PACE_BYTES = 2 * 2 ** 20;
export const PACE_BYTES_BATCHES = 1;
export const PACE_STALL_MS = 500;
/** PACE_BYTES in Flume's 100-byte body slots (what the channel counts its bytes in). */
const PACE_SLOTS = Math.ceil(PACE_BYTES / 100);
/** FLUME_TS_MEMORY_CHANNEL_PACING=0 turns pacing off (a channel full up to its capacity under load, as in Flume). */
const pacingOn = (): boolean => process.env.FLUME_TS_MEMORY_CHANNEL_PACING !== '0';

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
  /** Pacing: producers waiting for the next take, when takes were last committed, the largest take asked for. */
  private readonly taken = new Waiters();
  private readonly pacing = pacingOn();
  private lastTakeAt = Number.NEGATIVE_INFINITY;
  private largestTake = 0;

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
    if (n > this.largestTake) this.largestTake = n;
    // a waiting producer may read on while the consumer writes what it took
    this.taken.wakeAll();
  }

  /** The number of queued events from which producers that can wait are asked to (see pace()). */
  paceLevel(): number {
    return Math.min(this.opts.capacity, Math.max(PACE_MIN_EVENTS, PACE_BATCHES * this.largestTake));
  }

  /** Whether the channel is far enough ahead of its consumers for a producer that can wait to (see pace()). */
  private ahead(): boolean {
    const n = this.queue.length;
    if (n >= this.paceLevel()) return true;
    // large events: PACE_BYTES of bodies in the channel and its open takes, and a whole take still queued
    return this.byteSlots - this.bytesRemaining >= PACE_SLOTS && n >= Math.min(this.opts.capacity, PACE_BYTES_BATCHES * this.largestTake);
  }

  /**
   * Flow-controlled sources ask before they read on (Channel.pace). Every event in this channel is a live object of
   * the process, and a full channel is what the garbage collector copies and promotes: with 100,000 queued 512-byte
   * lines a file_roll flow used 1.55× the CPU per event and twice the memory of the same flow held near 10,000, and
   * with 4 KiB lines 10,000 events are 40 MiB of bodies (the same flow held at 2,000 events: 1.4× the events per
   * second at 0.7× the CPU per event; two-tier Avro at 1 KiB held at 2 MiB: 1.25× at batch 100). So while the channel
   * is already `paceLevel()` events or PACE_BYTES ahead of its consumers and they are taking, such a source waits for
   * the next take instead of reading ahead; the throughput is the consumers' either way. When no consumer has
   * committed a take for PACE_STALL_MS (a sink failing and rolling back, backing off or stopped) nobody waits and the
   * channel fills up to its capacity as in Flume; sources that cannot wait (UDP) never ask; puts and commits are
   * unchanged.
   */
  pace(): Promise<void> | undefined {
    if (!this.pacing || !this.ahead() || Date.now() - this.lastTakeAt >= PACE_STALL_MS) return undefined;
    return this.paceWait();
  }

  /** Until the channel is below the pace level again (small takes do not each let a whole read in), or stalled. */
  private async paceWait(): Promise<void> {
    for (;;) {
      const idle = Date.now() - this.lastTakeAt;
      if (idle >= PACE_STALL_MS) return;
      await this.taken.wait(PACE_STALL_MS - idle);
      if (!this.ahead()) return;
    }
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
    if (takes.length > 0) this.lastTakeAt = Date.now();
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
  notes:
    'byteCapacity default is 80% of the V8 heap limit instead of the JVM heap. Pacing: while its sinks are taking, the ' +
    'channel asks the sources that can wait (netcat, syslogtcp, multiport_syslogtcp, avro, thrift, http, exec, spooldir, ' +
    'TAILDIR) to wait once it holds ' +
    '10,000 events (or 4 of the largest take, at most capacity) instead of reading ahead up to capacity, so a sink that ' +
    'is slower than its source no longer keeps the whole capacity in memory (ChannelFillPercentage then stays near that ' +
    'level instead of 100 %). When no take has been committed for 500 ms (a failing or stopped sink) the channel fills ' +
    'up to capacity as in Flume; UDP sources are never paced (docs/operations.md, "Channel pacing").',
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
