/**
 * The source conformance suite, written once and run against every source:
 *  - commit before acknowledgement: when a client gets its acknowledgement, the events are committed in the channel;
 *  - back-pressure: while the channel refuses commits, the source acknowledges nothing (a client sees a refusal, a
 *    pollable source does not move on), keeps running, and once the channel has room every event arrives exactly once.
 * A source with neither a client acknowledgement nor a poll (syslog, file and command sources) is a `producer`: the test
 * makes it produce bodies (writes a file, sends without acknowledgement); "acknowledgement" there means every produced
 * event arrives exactly once, and "back-pressure" means that while the channel refuses nothing is committed nor skipped,
 * and once it has room everything arrives exactly once.
 * Adding a source is one entry (test/conformance/sources.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DefaultChannelProcessor } from '../../src/core/channel-processor.js';
import { ReplicatingChannelSelector } from '../../src/components/selectors/replicating.js';
import type { ChannelProcessor } from '../../src/core/source.js';
import type { Status } from '../../src/core/lifecycle.js';
import type { Event } from '../../src/core/event.js';
import { silentLogger } from '../support/context.js';
import { GateChannel } from './gate-channel.js';

/** A source clients push to: `send` resolves true when every body was acknowledged, false when it was refused. */
export interface PushSourceHandle {
  send(bodies: string[]): Promise<boolean>;
  stop(): Promise<void>;
}

/** A source that produces on its own (polled): `expected(n)` are the first n bodies it must produce, in order. */
export interface PollSourceHandle {
  process(): Promise<Status>;
  expected(n: number): string[];
  stop(): Promise<void>;
}

/** A source that produces on its own from an outside input: `produce` hands it bodies (without waiting for them). */
export interface ProducerSourceHandle {
  produce(bodies: string[]): Promise<void>;
  /** How far the source has durably recorded it got (position file, completed files), for sources that record it. */
  progress?(): number;
  stop(): Promise<void>;
}

/**
 * Options every entry may give: `decode` lists the produced bodies an event carries (default: its body as text);
 * `arrivalMs` is how long a produced event may take to be committed (a consumer joining its group; default 5 s).
 */
interface EntryOptions {
  decode?: (e: Event) => string[];
  arrivalMs?: number;
}

export type SourceUnderTest = EntryOptions &
  (
    | { name: string; kind: 'push'; start(processor: ChannelProcessor): Promise<PushSourceHandle> }
    | { name: string; kind: 'poll'; start(processor: ChannelProcessor): Promise<PollSourceHandle> }
    | { name: string; kind: 'producer'; start(processor: ChannelProcessor): Promise<ProducerSourceHandle> }
  );

/** Polls `cond` until it holds or the deadline passes (no idle sleep). */
export async function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const bodies = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

export function sourceConformance(s: SourceUnderTest): void {
  describe(`source conformance: ${s.name}`, () => {
    const stops: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const stop of stops.splice(0)) await stop();
    });
    const setup = async () => {
      const ch = new GateChannel('c1', 100_000, 1000, s.decode);
      await ch.start();
      const processor = new DefaultChannelProcessor(new ReplicatingChannelSelector([ch], []), [], silentLogger);
      stops.push(() => ch.stop());
      return { ch, processor };
    };

    if (s.kind === 'push') {
      it('acknowledges only what is committed', async () => {
        const { ch, processor } = await setup();
        const h = await s.start(processor);
        stops.unshift(() => h.stop());
        for (let round = 0; round < 3; round++) {
          const batch = bodies(`r${round}`, 7);
          expect(await h.send(batch)).toBe(true);
          // at the moment of the acknowledgement, every acknowledged event is committed
          for (const b of batch) expect(ch.committed).toContain(b);
        }
        expect(ch.committed).toHaveLength(21);
      });

      it('refuses while the channel is full, keeps running, and loses nothing once it has room', async () => {
        const { ch, processor } = await setup();
        const h = await s.start(processor);
        stops.unshift(() => h.stop());
        ch.full = true;
        expect(await h.send(bodies('refused', 3))).toBe(false);
        expect(ch.committed).toEqual([]);
        ch.full = false;
        const again = bodies('refused', 3);
        expect(await h.send(again)).toBe(true);
        expect([...ch.committed].sort()).toEqual([...again].sort());
      });
    } else if (s.kind === 'producer') {
      const arrived = (ch: GateChannel, want: string[]) => () => want.every((b) => ch.committed.includes(b));
      it('delivers every produced event exactly once', async () => {
        const { ch, processor } = await setup();
        const h = await s.start(processor);
        stops.unshift(() => h.stop());
        const all: string[] = [];
        for (let round = 0; round < 3; round++) {
          const batch = bodies(`r${round}`, 7);
          all.push(...batch);
          await h.produce(batch);
          await waitFor(arrived(ch, batch), `round ${round} to be committed`, s.arrivalMs);
        }
        expect([...ch.committed].sort()).toEqual([...all].sort());
      });

      it('while the channel refuses commits nothing and skips nothing; afterwards everything arrives exactly once', async () => {
        const { ch, processor } = await setup();
        const h = await s.start(processor);
        stops.unshift(() => h.stop());
        ch.full = true;
        const before = h.progress?.();
        const held = bodies('held', 5);
        await h.produce(held);
        await waitFor(() => ch.refused >= 2, 'the source to try (and retry) the closed channel', s.arrivalMs);
        const more = bodies('more', 4);
        await h.produce(more);
        expect(ch.committed).toEqual([]);
        // the recorded position moves only after a commit
        expect(h.progress?.()).toBe(before);
        ch.full = false;
        await waitFor(arrived(ch, [...held, ...more]), 'the held events once the channel has room', s.arrivalMs);
        if (h.progress) await waitFor(() => h.progress!() > before!, 'the recorded position to move after the commits');
        // a last batch after the backlog: anything duplicated from the backlog would have arrived before it
        const last = bodies('last', 3);
        await h.produce(last);
        await waitFor(arrived(ch, last), 'the last batch', s.arrivalMs);
        expect([...ch.committed].sort()).toEqual([...held, ...more, ...last].sort());
      });
    } else {
      it('commits every produced batch before moving on', async () => {
        const { ch, processor } = await setup();
        const h = await s.start(processor);
        stops.unshift(() => h.stop());
        for (let i = 0; i < 3; i++) await h.process();
        expect(ch.committed.length).toBeGreaterThan(0);
        expect(ch.committed).toEqual(h.expected(ch.committed.length));
      });

      it('under back-pressure retries the same events: no gap, no duplicate', async () => {
        const { ch, processor } = await setup();
        const h = await s.start(processor);
        stops.unshift(() => h.stop());
        await h.process();
        ch.full = true;
        for (let i = 0; i < 3; i++) await h.process().catch(() => 'BACKOFF');
        ch.full = false;
        for (let i = 0; i < 3; i++) await h.process();
        expect(ch.committed).toEqual(h.expected(ch.committed.length));
      });
    }
  });
}
