/**
 * The channel conformance suite, written once and run against every channel: transactions (nothing visible before
 * commit), rollback (of puts and of takes), capacity (transactionCapacity and capacity enforced), ordering (one
 * producer's events come out in order) and concurrent puts and takes (every event exactly once).
 * Adding a channel is one entry (test/conformance/channels.test.ts, or an integration file for a real service).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../src/core/channel.js';
import { createEvent, type Event } from '../../src/core/event.js';
import { ChannelError } from '../../src/core/errors.js';

export interface ChannelUnderTest {
  name: string;
  /** A fresh, started, empty channel. */
  open(o: { capacity: number; transactionCapacity: number }): Promise<Channel>;
  close(ch: Channel): Promise<void>;
  /** Whether capacity and transactionCapacity are enforced (Flume's Kafka channel has neither). */
  bounded: boolean;
  /** How long a committed event may take to become takeable (Kafka: a consumer fetch). */
  visibleWithinMs?: number;
}

const bodies = (es: readonly Event[]) => es.map((e) => e.body.toString());
const events = (prefix: string, n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => createEvent(`${prefix}-${from + i}`, { n: String(from + i), hé: 'välue' }));

async function putCommit(ch: Channel, es: readonly Event[]): Promise<void> {
  const tx = ch.begin();
  try {
    tx.putAll(es);
    await tx.commit();
  } catch (err) {
    await tx.rollback();
    throw err;
  }
}

/** Takes and commits until `n` events arrived or `ms` passed (a committed event may take time to be takeable). */
async function takeUntil(ch: Channel, n: number, ms: number, batch = 10): Promise<Event[]> {
  const out: Event[] = [];
  const end = Date.now() + ms;
  while (out.length < n && Date.now() < end) {
    const tx = ch.begin();
    const got = await tx.take(Math.min(batch, n - out.length));
    await tx.commit();
    out.push(...got);
    if (got.length === 0) await ch.waitForEvents(Math.max(1, Math.min(100, end - Date.now())));
  }
  return out;
}

/** Takes once in a transaction that sees nothing for a short while (nothing should be takeable). */
async function takeNothing(ch: Channel, ms: number): Promise<Event[]> {
  const got = await takeUntil(ch, 1, ms);
  return got;
}

export function channelConformance(c: ChannelUnderTest): void {
  const within = c.visibleWithinMs ?? 2000;
  const quiet = c.visibleWithinMs ? Math.min(c.visibleWithinMs, 3000) : 100;
  describe(`channel conformance: ${c.name}`, () => {
    const opened: Channel[] = [];
    const open = async (capacity = 100, transactionCapacity = 10) => {
      const ch = await c.open({ capacity, transactionCapacity });
      opened.push(ch);
      return ch;
    };
    afterEach(async () => {
      for (const ch of opened.splice(0)) await c.close(ch);
    });

    it('transactions: puts are invisible until commit, then come out with their bodies and headers', async () => {
      const ch = await open();
      const tx = ch.begin();
      tx.putAll(events('a', 3));
      expect(await takeNothing(ch, quiet)).toEqual([]);
      await tx.commit();
      const got = await takeUntil(ch, 3, within);
      expect(bodies(got)).toEqual(['a-0', 'a-1', 'a-2']);
      expect(got[1]!.headers).toEqual({ n: '1', hé: 'välue' });
    });

    it('rollback: a rolled-back put leaves nothing; a rolled-back take gives the events back', async () => {
      const ch = await open();
      const tx = ch.begin();
      tx.putAll(events('gone', 2));
      await tx.rollback();
      await putCommit(ch, events('b', 3));
      const t1 = ch.begin();
      const first: Event[] = [];
      const end = Date.now() + within;
      while (first.length < 3 && Date.now() < end) {
        first.push(...(await t1.take(3 - first.length)));
        if (first.length < 3) await new Promise((r) => setTimeout(r, 20));
      }
      expect(bodies(first)).toEqual(['b-0', 'b-1', 'b-2']);
      await t1.rollback();
      expect(bodies(await takeUntil(ch, 3, within)).sort()).toEqual(['b-0', 'b-1', 'b-2']);
      expect(await takeNothing(ch, quiet)).toEqual([]);
    });

    it('capacity: more than transactionCapacity in one transaction fails; a full channel refuses a commit', async () => {
      if (!c.bounded) return;
      const ch = await open(20, 10);
      await expect(putCommit(ch, events('big', 11))).rejects.toBeInstanceOf(ChannelError);
      await putCommit(ch, events('c', 10));
      await putCommit(ch, events('c', 10, 10));
      await expect(putCommit(ch, events('over', 1))).rejects.toBeInstanceOf(ChannelError);
      const got = await takeUntil(ch, 20, within);
      expect(got).toHaveLength(20);
      await putCommit(ch, events('after', 1)); // room again
    });

    it("ordering: one producer's events come out in the order they were committed", async () => {
      const ch = await open(200, 10);
      for (let i = 0; i < 5; i++) await putCommit(ch, events('o', 10, i * 10));
      const got = await takeUntil(ch, 50, within * 2, 7);
      expect(bodies(got)).toEqual(bodies(events('o', 50)));
    });

    it('concurrent puts and takes: every committed event comes out exactly once', async () => {
      const ch = await open(1000, 10);
      const producers = Array.from({ length: 4 }, (_, p) =>
        (async () => {
          for (let i = 0; i < 10; i++) await putCommit(ch, events(`p${p}`, 10, i * 10));
        })(),
      );
      const taken: Event[] = [];
      const consumers = Array.from({ length: 2 }, () =>
        (async () => {
          const end = Date.now() + within * 10;
          while (taken.length < 400 && Date.now() < end) {
            const tx = ch.begin();
            const got = await tx.take(10);
            await tx.commit();
            taken.push(...got);
            if (got.length === 0) await ch.waitForEvents(50);
          }
        })(),
      );
      await Promise.all([...producers, ...consumers]);
      const seen = bodies(taken);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toHaveLength(400);
      // per producer, in order
      for (let p = 0; p < 4; p++) expect(seen.filter((b) => b.startsWith(`p${p}-`))).toEqual(bodies(events(`p${p}`, 100)));
    });
  });
}
