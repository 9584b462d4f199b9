/**
 * Flume's SpillableMemoryChannel: a memory queue that spills to an overflow file channel when it is full, and a drain
 * order (runs of memory / overflow counts) so that takes return events in the order their puts were committed.
 * A transaction's takes come from one side only: the side at the head of the drain order when it first takes; when
 * the head switches side, take() returns nothing more in that transaction (as Flume's doTake returns null).
 */
import { AbstractChannel, BasicTransaction, type Transaction } from '../../../core/channel.js';
import { Deque } from '../../../core/deque.js';
import { bodyLength, type Event } from '../../../core/event.js';
import { ChannelFullError, errorMessage } from '../../../core/errors.js';
import type { Logger } from '../../../core/logging.js';
import { Waiters } from '../../../core/waiters.js';
import type { FileChannel } from '../file/channel.js';
import { DrainOrder } from './drain-order.js';

export interface SpillableOptions {
  memoryCapacity: number;
  overflowCapacity: number;
  /** Seconds a put commit waits for memory space before it spills (0 once overflow is active). */
  overflowTimeoutSeconds: number;
  /** Fraction (0..1) of free memory at which spilling stops. */
  overflowDeactivationThreshold: number;
  /** Byte capacity in avgEventSize slots (Flume's int byteCapacity). */
  byteSlots: number;
  avgEventSize: number;
  /** The overflow channel; undefined when overflow is disabled (overflowCapacity < 1). */
  overflow: FileChannel | undefined;
  logger: Logger;
}

export class SpillableMemoryChannel extends AbstractChannel {
  readonly transactionCapacity: number;
  /** @internal */ readonly memQueue = new Deque<Event>(1024);
  /** @internal */ readonly drainOrder = new DrainOrder();
  /** @internal */ readonly opts: SpillableOptions;
  /** Free memory slots (Flume's memQueRemaining): taken-but-uncommitted events still hold theirs. */
  /** @internal */ memRemaining: number;
  /** @internal */ bytesRemaining: number;
  /** @internal */ overflowActivated = false;
  /** Largest memory queue seen (Flume's maxMemQueueSize). */
  maxMemQueueSize = 0;
  /** @internal */ readonly space = new Waiters();
  private readonly log: Logger;

  constructor(name: string, opts: SpillableOptions, transactionCapacity: number) {
    super(name);
    this.opts = opts;
    this.transactionCapacity = transactionCapacity;
    this.memRemaining = opts.memoryCapacity;
    this.bytesRemaining = opts.byteSlots;
    this.log = opts.logger;
  }

  get overflowDisabled(): boolean {
    return this.opts.overflow === undefined;
  }

  capacity(): number {
    return this.opts.memoryCapacity + (this.overflowDisabled ? 0 : this.opts.overflowCapacity);
  }

  size(): number {
    return this.memQueue.length + this.drainOrder.overflowCount;
  }

  /** Events in the memory queue (Flume's queueSize()). */
  queueSize(): number {
    return this.memQueue.length;
  }

  override async start(): Promise<void> {
    const ov = this.opts.overflow;
    if (ov) {
      await ov.start();
      // events left in the overflow by the previous run drain first
      if (this.drainOrder.isEmpty) this.drainOrder.putOverflow(ov.size());
    }
    await super.start();
    this.counter.set('ChannelSize', this.size());
  }

  override async stop(): Promise<void> {
    this.counter.set('ChannelSize', this.size());
    if (this.opts.overflow) await this.opts.overflow.stop();
    await super.stop();
  }

  begin(): Transaction {
    return new SpillableTransaction(this);
  }

  /** Body size in avgEventSize slots, at least one. */
  /** @internal */ slots(e: Event): number {
    return Math.ceil(Math.max(bodyLength(e), 1) / this.opts.avgEventSize);
  }

  /** Waits up to `seconds` until `ok()` holds; false on timeout. */
  /** @internal */ async waitSpace(ok: () => boolean, seconds: number): Promise<boolean> {
    const deadline = Date.now() + seconds * 1000;
    while (!ok()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await this.space.wait(left);
    }
    return true;
  }

  /** @internal */ commitPutsToPrimary(puts: readonly Event[]): void {
    for (const e of puts) this.memQueue.push(e);
    this.drainOrder.putPrimary(puts.length);
    if (this.memQueue.length > this.maxMemQueueSize) this.maxMemQueueSize = this.memQueue.length;
    this.afterPut(puts.length);
  }

  /** Commits the puts to the overflow; a full overflow is retried once after overflowTimeout, as in Flume. */
  /** @internal */ async commitPutsToOverflow(puts: readonly Event[]): Promise<void> {
    const ov = this.opts.overflow!;
    for (let attempt = 0; ; attempt++) {
      const tx = ov.begin();
      try {
        tx.putAll(puts);
        await tx.commit();
        break;
      } catch (err) {
        await tx.rollback().catch(() => {});
        if (attempt > 0 || !(err instanceof ChannelFullError)) throw err;
        this.log.warn({ channel: this.name, err: errorMessage(err) }, 'Overflow is full; retrying once after overflowTimeout');
        await new Promise((r) => setTimeout(r, this.opts.overflowTimeoutSeconds * 1000));
      }
    }
    this.drainOrder.putOverflow(puts.length);
    this.afterPut(puts.length);
  }

  private afterPut(n: number): void {
    this.counter.add('EventPutSuccessCount', n);
    this.counter.set('ChannelSize', this.size());
    this.notifyAvailable();
  }

  /** Flume's takeCommit bookkeeping: deactivates spilling once enough memory is free, frees memory slots. */
  /** @internal */ afterTake(n: number, fromMemory: boolean, takeSlots: number): void {
    const cap = this.opts.memoryCapacity;
    const free = cap === 0 ? 0 : (cap - this.memQueue.length + n) / cap;
    if (this.overflowActivated && free >= this.opts.overflowDeactivationThreshold) {
      this.overflowActivated = false;
      this.log.info({ channel: this.name }, 'Overflow Deactivated');
    }
    if (fromMemory) {
      this.memRemaining += n;
      this.bytesRemaining += takeSlots;
      this.space.wakeAll();
    }
    this.counter.add('EventTakeSuccessCount', n);
    this.counter.set('ChannelSize', this.size());
  }

  /** @internal */ wakeTakers(): void {
    this.notifyAvailable();
  }

  /** @internal */ activateOverflow(): void {
    if (!this.overflowActivated) this.log.info({ channel: this.name }, 'Overflow Activated');
    this.overflowActivated = true;
  }
}

class SpillableTransaction extends BasicTransaction {
  private readonly ch: SpillableMemoryChannel;
  private puts: Event[] = [];
  private putSlots = 0;
  private takes: Event[] = [];
  private takeSlots = 0;
  private takeCount = 0;
  /** Which side this transaction takes from, fixed at its first take. */
  private side: 'memory' | 'overflow' | undefined;
  private overflowTx: Transaction | undefined;

  constructor(ch: SpillableMemoryChannel) {
    super(ch.name);
    this.ch = ch;
  }

  protected doPut(events: readonly Event[]): void {
    this.ch.counter.add('EventPutAttemptCount', events.length);
    for (const e of events) {
      this.puts.push(e);
      this.putSlots += this.ch.slots(e);
    }
  }

  protected async doTake(max: number): Promise<Event[]> {
    this.ch.counter.increment('EventTakeAttemptCount');
    const order = this.ch.drainOrder;
    const front = order.front();
    if (front === 0) return [];
    if (this.side === undefined) {
      this.side = front < 0 ? 'overflow' : 'memory';
      if (this.side === 'overflow') this.overflowTx = this.ch.opts.overflow!.begin();
    }
    if (this.side === 'memory') {
      if (front < 0) return []; // the head is in the overflow now: the next transaction takes from there
      const out: Event[] = [];
      this.ch.memQueue.shiftInto(out, Math.min(max, front));
      order.takePrimary(out.length);
      for (const e of out) {
        this.takes.push(e);
        this.takeSlots += this.ch.slots(e);
      }
      this.takeCount += out.length;
      return out;
    }
    if (front > 0) return [];
    const room = this.ch.transactionCapacity - this.takeCount;
    const n = Math.min(max, -front, room);
    if (n <= 0) return [];
    // reserve the run before awaiting, so that a concurrent transaction cannot count the same events
    order.takeOverflow(n);
    let got: Event[];
    try {
      got = await this.overflowTx!.take(n);
    } catch (err) {
      order.putFirstOverflow(n);
      throw err;
    }
    if (got.length < n) order.putFirstOverflow(n - got.length);
    this.takeCount += got.length;
    return got;
  }

  protected async doCommit(): Promise<void> {
    if (this.puts.length > 0) await this.putCommit();
    if (this.side !== undefined) {
      if (this.overflowTx) await this.overflowTx.commit();
      this.ch.afterTake(this.takeCount, this.side === 'memory', this.takeSlots);
    }
  }

  /** Memory if it has room within overflowTimeout (0 while spilling), else the overflow; Flume's putCommit. */
  private async putCommit(): Promise<void> {
    const ch = this.ch;
    const n = this.puts.length;
    const o = ch.opts;
    let toOverflow = o.memoryCapacity === 0;
    if (!toOverflow) {
      const timeout = ch.overflowActivated ? 0 : o.overflowTimeoutSeconds;
      if (!(await ch.waitSpace(() => ch.memRemaining >= n, timeout))) {
        if (ch.overflowDisabled) {
          throw new ChannelFullError(
            "Spillable Memory Channel's memory capacity has been reached and overflow is disabled. " +
              `Consider increasing memoryCapacity (channel ${ch.name}).`,
          );
        }
        toOverflow = true;
      } else {
        ch.memRemaining -= n; // reserved before the byte wait, as Flume's semaphore
        if (!(await ch.waitSpace(() => ch.bytesRemaining >= this.putSlots, o.overflowTimeoutSeconds))) {
          ch.memRemaining += n;
          ch.space.wakeAll();
          if (ch.overflowDisabled) {
            throw new ChannelFullError(
              `Spillable Memory Channel's memory capacity has been reached.  ${ch.bytesRemaining * o.avgEventSize} bytes are free and ` +
                `overflow is disabled. Consider increasing byteCapacity or capacity (channel ${ch.name}).`,
            );
          }
          toOverflow = true;
        } else {
          ch.bytesRemaining -= this.putSlots;
        }
      }
      if (toOverflow) ch.activateOverflow();
    }
    if (!toOverflow) {
      ch.commitPutsToPrimary(this.puts);
      return;
    }
    if (ch.overflowDisabled) {
      throw new ChannelFullError(`Spillable Memory Channel ${ch.name} has memoryCapacity 0 and no overflow`);
    }
    await ch.commitPutsToOverflow(this.puts);
  }

  protected async doRollback(): Promise<void> {
    const ch = this.ch;
    this.puts = [];
    if (this.side === 'overflow') {
      await this.overflowTx!.rollback();
      if (this.takeCount > 0) ch.drainOrder.putFirstOverflow(this.takeCount);
    } else if (this.side === 'memory' && this.takes.length > 0) {
      ch.memQueue.unshiftAll(this.takes);
      ch.drainOrder.putFirstPrimary(this.takes.length);
    }
    this.takes = [];
    this.takeCount = 0;
    ch.counter.set('ChannelSize', ch.size());
    if (this.side !== undefined) ch.wakeTakers();
  }
}
