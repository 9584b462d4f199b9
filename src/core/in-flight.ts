import type { Transaction } from './channel.js';
import { EventDeliveryError, errorMessage } from './errors.js';
import type { CounterGroup } from '../monitoring/counters.js';

/** A batch taken in its own transaction, handed on, and not yet committed or rolled back. */
export interface InFlightBatch {
  tx: Transaction;
  n: number;
  /** Resolves when the batch is delivered (the peer answered OK, the write returned). */
  done: Promise<void>;
}

/**
 * The batches a sink has handed on before the ones before them were delivered (the avro sink's batches-in-flight,
 * file_roll's sink.batchesInFlight), oldest first. Each is committed when it is delivered, in the order taken. When
 * one fails, `onFailure` runs first (close the connection, cut the file back), the later ones settle (those delivered
 * are committed), and every failed one is rolled back newest first, which puts their events back at the head of the
 * channel in the order they were taken; the call throws EventDeliveryError once.
 */
export class BatchesInFlight<B extends InFlightBatch = InFlightBatch> {
  private readonly q: B[] = [];

  constructor(
    private readonly sink: string,
    private readonly counter: CounterGroup,
    private readonly onFailure: (failed: readonly B[], err: unknown) => void | Promise<void>,
  ) {}

  get size(): number {
    return this.q.length;
  }

  add(b: B): void {
    b.done.catch(() => {}); // observed by settle()
    this.q.push(b);
  }

  /** Waits for the oldest batches until at most `left` are undelivered, committing each; throws for a failed one. */
  async settle(left: number): Promise<void> {
    while (this.q.length > left) {
      const b = this.q[0]!;
      try {
        await b.done;
      } catch (err) {
        await this.fail(this.q.splice(0), err);
      }
      this.q.shift();
      await this.commit(b);
    }
  }

  private async commit(b: B): Promise<void> {
    try {
      await b.tx.commit();
    } catch (err) {
      await b.tx.rollback();
      this.counter.increment('EventWriteFail');
      throw new EventDeliveryError(`sink ${this.sink}: failed to commit ${b.n} event(s), rolled back for retry: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    this.counter.add('EventDrainSuccessCount', b.n);
  }

  /** `batches[0]` (oldest first, none of them in the queue) failed with `err`: see the class. */
  async fail(batches: B[], err: unknown): Promise<never> {
    for (const b of batches) b.done.catch(() => {});
    await this.onFailure(batches, err);
    const outcomes = await Promise.allSettled(batches.map((b) => b.done));
    const rollback: B[] = [];
    let n = 0;
    for (let i = 0; i < batches.length; i++) {
      if (i > 0 && outcomes[i]!.status === 'fulfilled') await this.commit(batches[i]!).catch(() => {});
      else {
        rollback.push(batches[i]!);
        n += batches[i]!.n;
      }
    }
    for (const b of rollback.reverse()) {
      await b.tx.rollback();
      this.counter.increment('EventWriteFail');
    }
    if (err instanceof EventDeliveryError) throw err;
    throw new EventDeliveryError(`sink ${this.sink}: failed to deliver ${n} event(s), rolled back for retry: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}
