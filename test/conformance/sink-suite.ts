/**
 * The sink conformance suite, written once and run against every sink:
 *  - rollback on failure: when the destination fails, process() throws and every taken event is back in the channel;
 *    once the destination recovers, all of them are delivered;
 *  - no loss on restart: a sink stopped in the middle of a stream and replaced by a new instance on the same channel
 *    leaves nothing behind (at-least-once: an event may be delivered twice, never zero times).
 * Adding a sink is one entry (test/conformance/sinks.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../src/core/channel.js';
import type { Sink } from '../../src/core/sink.js';
import { createEvent } from '../../src/core/event.js';
import { EventDeliveryError } from '../../src/core/errors.js';
import { memory } from '../support/context.js';

export interface SinkHandle {
  /** A new, started sink instance on the channel, writing to the same destination. */
  newSink(): Promise<Sink>;
  /**
   * Bodies delivered so far, or undefined when the destination cannot be read back (null, logger: counters used).
   * `expected`: how many distinct bodies the test expects (a destination read asynchronously may wait for them).
   */
  delivered(expected: number): Promise<string[] | undefined>;
  /** Makes the destination fail (true) or work again (false); absent when it cannot fail. */
  fail?(on: boolean): Promise<void> | void;
  stop(): Promise<void>;
}

export interface SinkUnderTest {
  name: string;
  /** Sets up a destination for sinks taking from `channel`. */
  setup(channel: Channel): Promise<SinkHandle>;
  /**
   * How a failed delivery shows: an EventDeliveryError (default), or BACKOFF after a rollback (Flume's HttpSink); or
   * `{ none: why }` for a sink whose destination cannot fail in-process (the rollback case is then not defined).
   */
  failure?: 'throws' | 'backoff' | { none: string };
}

const bodies = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

async function put(ch: Channel, bs: readonly string[]): Promise<void> {
  for (let i = 0; i < bs.length; i += ch.transactionCapacity) {
    const tx = ch.begin();
    tx.putAll(bs.slice(i, i + ch.transactionCapacity).map((b) => createEvent(b)));
    await tx.commit();
  }
}

/**
 * Runs process() until the channel is empty and the sink says BACKOFF (bounded): a sink that keeps batches in flight
 * (the avro sink's batches-in-flight) commits its last ones on the call that finds the channel empty.
 */
async function pump(sink: Sink, ch: Channel): Promise<void> {
  const end = Date.now() + 20_000;
  while (Date.now() < end) if ((await sink.process()) === 'BACKOFF' && ch.size() === 0) break;
  expect(ch.size()).toBe(0);
}

/**
 * The first process() that reports the failed delivery: the first call for most sinks, a later one for a sink with
 * batches in flight (it learns of the failure when it waits for the answer); at most three calls.
 */
async function failingProcess(sink: Sink): Promise<unknown> {
  for (let i = 0; i < 3; i++) {
    try {
      if ((await sink.process()) === 'BACKOFF') return 'BACKOFF';
    } catch (err) {
      return err;
    }
  }
  return 'READY';
}

const drained = (sinks: readonly Sink[]) => sinks.reduce((n, s) => n + Number(s.counter.snapshot().EventDrainSuccessCount), 0);

export function sinkConformance(s: SinkUnderTest): void {
  describe(`sink conformance: ${s.name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0)) await c();
    });
    const setup = async () => {
      const ch = memory('c1', 10_000, 100);
      await ch.start();
      const h = await s.setup(ch);
      cleanups.push(
        () => h.stop(),
        () => ch.stop(),
      );
      return { ch, h };
    };

    // defined only for sinks whose destination can fail here (the others say why in `failure.none`)
    if (typeof s.failure !== 'object')
      it('rolls back on failure: every taken event is back in the channel, and delivered once the destination recovers', async () => {
        const { ch, h } = await setup();
        if (!h.fail) throw new Error(`${s.name}: the handle has no fail(); declare failure: { none: … } instead`);
        const sink = await h.newSink();
        cleanups.unshift(() => sink.stop());
        const all = bodies('rb', 10);
        await put(ch, all);
        await h.fail(true);
        const outcome = await failingProcess(sink);
        if (s.failure === 'backoff') expect(outcome).toBe('BACKOFF');
        else expect(outcome).toBeInstanceOf(EventDeliveryError);
        expect(ch.size()).toBe(10);
        await h.fail(false);
        await pump(sink, ch);
        const got = await h.delivered(all.length);
        if (got) expect([...new Set(got)].sort()).toEqual([...all].sort());
      });

    it('loses nothing when the sink is stopped mid-stream and a new one takes over', async () => {
      const { ch, h } = await setup();
      const first = await h.newSink();
      const all = bodies('rs', 250);
      await put(ch, all);
      await first.process();
      await first.stop();
      const second = await h.newSink();
      cleanups.unshift(() => second.stop());
      await pump(second, ch);
      const got = await h.delivered(all.length);
      if (got) expect([...new Set(got)].sort()).toEqual([...all].sort());
      else expect(drained([first, second])).toBeGreaterThanOrEqual(all.length);
    });
  });
}
