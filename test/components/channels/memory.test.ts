import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  memoryChannel,
  PACE_BYTES,
  PACE_BYTES_BATCHES,
  PACE_MIN_EVENTS,
  PACE_STALL_MS,
  type MemoryChannel,
} from '../../../src/components/channels/memory.js';
import { createEvent } from '../../../src/core/event.js';
import { ChannelError, ChannelFullError } from '../../../src/core/errors.js';
import { create, drain } from '../../support/context.js';

const ev = (s: string) => createEvent(s);

describe('memory channel', () => {
  it('commits puts, takes in order, and rollback returns takes to the head in order', async () => {
    const ch = create(memoryChannel, { capacity: '10', transactionCapacity: '5' }) as MemoryChannel;
    await ch.start();
    const tx = ch.begin();
    tx.putAll([ev('a'), ev('b'), ev('c')]);
    expect(ch.size()).toBe(0);
    await tx.commit();
    expect(ch.size()).toBe(3);
    const t2 = ch.begin();
    expect((await t2.take(2)).map((e) => e.body.toString())).toEqual(['a', 'b']);
    await t2.rollback();
    expect((await drain(ch)).map((e) => e.body.toString())).toEqual(['a', 'b', 'c']);
    expect(ch.counter.snapshot().EventPutSuccessCount).toBe('3');
  });

  it("enforces transactionCapacity on put with Flume's message", () => {
    const ch = create(memoryChannel, { capacity: '10', transactionCapacity: '2' }) as MemoryChannel;
    const tx = ch.begin();
    tx.putAll([ev('a'), ev('b')]);
    expect(() => tx.put(ev('c'))).toThrow(/Put queue for MemoryTransaction of capacity 2 full/);
  });

  it('a full channel fails the commit after keep-alive with ChannelFullError; rolled back puts are gone', async () => {
    const ch = create(memoryChannel, { capacity: '2', transactionCapacity: '2', 'keep-alive': '0' }) as MemoryChannel;
    const t1 = ch.begin();
    t1.putAll([ev('a'), ev('b')]);
    await t1.commit();
    const t2 = ch.begin();
    t2.put(ev('c'));
    await expect(t2.commit()).rejects.toBeInstanceOf(ChannelFullError);
    await t2.rollback();
    expect(ch.size()).toBe(2);
  });

  it('a waiting commit succeeds once a sink frees space within keep-alive', async () => {
    const ch = create(memoryChannel, { capacity: '1', transactionCapacity: '1', 'keep-alive': '3' }) as MemoryChannel;
    const t1 = ch.begin();
    t1.put(ev('a'));
    await t1.commit();
    const t2 = ch.begin();
    t2.put(ev('b'));
    const pending = t2.commit();
    await drain(ch, 1);
    await pending;
    expect((await drain(ch)).map((e) => e.body.toString())).toEqual(['b']);
  });

  it('enforces byteCapacity in 100-byte slots of the body', async () => {
    const ch = create(memoryChannel, {
      capacity: '100',
      transactionCapacity: '100',
      byteCapacity: '1000',
      byteCapacityBufferPercentage: '0',
      'keep-alive': '0',
    }) as MemoryChannel;
    const t1 = ch.begin();
    for (let i = 0; i < 10; i++) t1.put(createEvent(Buffer.alloc(100)));
    await t1.commit();
    const t2 = ch.begin();
    t2.put(createEvent(Buffer.alloc(1)));
    await expect(t2.commit()).rejects.toThrow(ChannelError);
    await expect(t2.commit()).rejects.toThrow(/OPEN|COMMITTED|ROLLED_BACK|Byte capacity/);
  });

  it('rejects transactionCapacity above capacity, like Flume', () => {
    expect(() => create(memoryChannel, { capacity: '10', transactionCapacity: '20' })).toThrow(/must be ≤ capacity/);
  });

  it('wakes a waiting sink when events are committed', async () => {
    const ch = create(memoryChannel, {}) as MemoryChannel;
    let woke = false;
    const w = ch.waitForEvents(10_000).then(() => (woke = true));
    const tx = ch.begin();
    tx.put(ev('x'));
    await tx.commit();
    await w;
    expect(woke).toBe(true);
  });
});

describe('memory channel pacing (producers that can wait)', () => {
  afterEach(() => vi.useRealTimers());
  const fill = async (ch: MemoryChannel, n: number) => {
    for (let left = n; left > 0; left -= 1000) {
      const tx = ch.begin();
      tx.putAll(Array.from({ length: Math.min(1000, left) }, () => ev('x')));
      await tx.commit();
    }
  };
  const take = async (ch: MemoryChannel, n: number) => {
    const tx = ch.begin();
    const got = await tx.take(n);
    await tx.commit();
    return got.length;
  };

  it('never asks before a consumer has taken: with no sink taking the channel fills to its capacity as in Flume', async () => {
    const ch = create(memoryChannel, { capacity: '30000', transactionCapacity: '1000' }) as MemoryChannel;
    await fill(ch, 30000);
    expect(ch.pace()).toBeUndefined();
    expect(ch.size()).toBe(30000);
  });

  it('asks while the channel is paceLevel() ahead of a consumer that takes, and lets go at its next take', async () => {
    vi.useFakeTimers();
    const ch = create(memoryChannel, { capacity: '100000', transactionCapacity: '10000' }) as MemoryChannel;
    await fill(ch, PACE_MIN_EVENTS + 1000);
    expect(await take(ch, 1000)).toBe(1000);
    expect(ch.paceLevel()).toBe(PACE_MIN_EVENTS);
    const wait = ch.pace();
    expect(wait).toBeInstanceOf(Promise);
    let released = false;
    void wait!.then(() => (released = true));
    await vi.advanceTimersByTimeAsync(PACE_STALL_MS / 2);
    expect(released).toBe(false);
    expect(await take(ch, 1000)).toBe(1000);
    await vi.advanceTimersByTimeAsync(0);
    expect(released).toBe(true);
    expect(ch.size()).toBe(PACE_MIN_EVENTS - 1000);
    expect(ch.pace()).toBeUndefined();
  });

  it('with large events asks once PACE_BYTES of bodies are in the channel and a whole take is queued', async () => {
    vi.useFakeTimers();
    const ch = create(memoryChannel, { capacity: '100000', transactionCapacity: '1000' }) as MemoryChannel;
    const big = Buffer.alloc(4096, 120);
    const putBig = async (n: number) => {
      const tx = ch.begin();
      tx.putAll(Array.from({ length: n }, () => createEvent(big)));
      await tx.commit();
    };
    await putBig(1000);
    expect(await take(ch, 1000)).toBe(1000);
    const full = PACE_BYTES_BATCHES * 1000;
    // far below PACE_MIN_EVENTS events and more than PACE_BYTES of bodies, but less than a whole take queued: not yet
    expect(full * 4100).toBeGreaterThan(PACE_BYTES);
    expect(full).toBeLessThan(PACE_MIN_EVENTS);
    for (let left = full - 1; left > 0; left -= 1000) await putBig(Math.min(1000, left));
    expect(ch.pace()).toBeUndefined();
    await putBig(1);
    const wait = ch.pace();
    expect(wait).toBeInstanceOf(Promise);
    let released = false;
    void wait!.then(() => (released = true));
    // the sink's next take leaves less than a whole take queued: let go
    expect(await take(ch, 1000)).toBe(1000);
    await vi.advanceTimersByTimeAsync(0);
    expect(released).toBe(true);
    expect(ch.pace()).toBeUndefined();
    // as many small events are far from either level
    const small = create(memoryChannel, { capacity: '100000', transactionCapacity: '1000' }) as MemoryChannel;
    await fill(small, 1000);
    await take(small, 1000);
    await fill(small, full);
    expect(small.pace()).toBeUndefined();
  });

  it('FLUME_TS_MEMORY_CHANNEL_PACING=0 turns it off', async () => {
    vi.stubEnv('FLUME_TS_MEMORY_CHANNEL_PACING', '0');
    try {
      const ch = create(memoryChannel, { capacity: '100000', transactionCapacity: '1000' }) as MemoryChannel;
      await fill(ch, PACE_MIN_EVENTS + 1000);
      await take(ch, 1000);
      expect(ch.pace()).toBeUndefined();
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('scales with the largest take asked for, and never beyond the capacity', async () => {
    const ch = create(memoryChannel, { capacity: '100000', transactionCapacity: '10000' }) as MemoryChannel;
    await take(ch, 10000);
    expect(ch.paceLevel()).toBe(40000);
    const small = create(memoryChannel, { capacity: '500', transactionCapacity: '100' }) as MemoryChannel;
    await take(small, 100);
    expect(small.paceLevel()).toBe(500);
  });

  it('stops asking when no consumer has taken for PACE_STALL_MS (a failing or stopped sink): the channel fills up', async () => {
    vi.useFakeTimers();
    const ch = create(memoryChannel, { capacity: '100000', transactionCapacity: '1000' }) as MemoryChannel;
    await fill(ch, PACE_MIN_EVENTS + 1000);
    await take(ch, 1000);
    const wait = ch.pace();
    let released = false;
    void wait!.then(() => (released = true));
    await vi.advanceTimersByTimeAsync(PACE_STALL_MS);
    expect(released).toBe(true);
    expect(ch.pace()).toBeUndefined();
    await fill(ch, 100000 - ch.size());
    expect(ch.size()).toBe(100000);
  });

  it('a take that is rolled back is no progress: a sink that keeps failing does not hold producers back', async () => {
    vi.useFakeTimers();
    const ch = create(memoryChannel, { capacity: '100000', transactionCapacity: '1000' }) as MemoryChannel;
    await fill(ch, PACE_MIN_EVENTS + 1000);
    await take(ch, 1000);
    await vi.advanceTimersByTimeAsync(PACE_STALL_MS);
    const tx = ch.begin();
    expect((await tx.take(1000)).length).toBe(1000);
    await tx.rollback();
    expect(ch.size()).toBe(PACE_MIN_EVENTS);
    expect(ch.pace()).toBeUndefined();
  });
});

describe('memory channel reconfigured in place (reload)', () => {
  it('keeps its events, grows at once, and aborts a shrink below its contents after keep-alive (as Flume)', async () => {
    const ch = create(memoryChannel, { capacity: '5', transactionCapacity: '5' }) as MemoryChannel;
    await ch.start();
    const tx = ch.begin();
    tx.putAll([ev('a'), ev('b'), ev('c'), ev('d')]);
    await tx.commit();
    const bigger = create(memoryChannel, { capacity: '8', transactionCapacity: '5' });
    expect(await ch.reconfigureFrom(bigger)).toBe(true);
    expect(ch.capacity()).toBe(8);
    const tx2 = ch.begin();
    tx2.putAll([ev('e'), ev('f'), ev('g'), ev('h')]);
    await tx2.commit();
    expect(ch.size()).toBe(8);
    const smaller = create(memoryChannel, { capacity: '4', transactionCapacity: '4', 'keep-alive': '0' });
    expect(await ch.reconfigureFrom(smaller)).toBe(true);
    expect(ch.capacity()).toBe(8); // 8 queued: the resize is aborted, nothing is lost
    expect(ch.transactionCapacity).toBe(4);
    expect((await drain(ch)).map((e) => e.body.toString())).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(await ch.reconfigureFrom(smaller)).toBe(true);
    expect(ch.capacity()).toBe(4);
  });
});
