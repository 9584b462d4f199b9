import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spillableMemoryChannel, type SpillableMemoryChannel, byteSlots } from '../../../src/components/channels/spillable_memory/index.js';
import { DrainOrder } from '../../../src/components/channels/spillable_memory/drain-order.js';
import { createEvent, type Event } from '../../../src/core/event.js';
import { ChannelFullError } from '../../../src/core/errors.js';
import { configure, create, drain } from '../../support/context.js';

const tmps: string[] = [];
const open: SpillableMemoryChannel[] = [];
afterEach(async () => {
  for (const ch of open.splice(0)) await ch.stop().catch(() => {});
  for (const d of tmps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function channel(extra: Record<string, string> = {}, root?: string): SpillableMemoryChannel {
  const r = root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'spill-test-'));
  if (!root) tmps.push(r);
  const ch = create(
    spillableMemoryChannel,
    {
      checkpointDir: path.join(r, 'ckpt'),
      dataDirs: path.join(r, 'data'),
      minimumRequiredSpace: '1048576',
      memoryCapacity: '5',
      overflowTimeout: '0',
      transactionCapacity: '100',
      ...extra,
    },
    { name: 'c1' },
  ) as SpillableMemoryChannel;
  open.push(ch);
  return ch;
}

const bodies = (es: Event[]) => es.map((e) => e.body.toString());
async function put(ch: SpillableMemoryChannel, ...items: string[]): Promise<void> {
  const tx = ch.begin();
  tx.putAll(items.map((s) => createEvent(s)));
  await tx.commit();
}
/** One take transaction: everything take() gives until it returns nothing. */
async function takeTx(ch: SpillableMemoryChannel, max = 100, commit = true): Promise<string[]> {
  const tx = ch.begin();
  const out: Event[] = [];
  for (;;) {
    const got = await tx.take(max - out.length);
    if (got.length === 0) break;
    out.push(...got);
  }
  if (commit) await tx.commit();
  else await tx.rollback();
  return bodies(out);
}

describe('DrainOrder', () => {
  it('keeps signed runs, merges neighbours, puts rolled-back takes first', () => {
    const d = new DrainOrder();
    d.putPrimary(3);
    d.putPrimary(2);
    d.putOverflow(4);
    d.putPrimary(1);
    expect(d.dump()).toEqual([5, -4, 1]);
    expect(d.overflowCount).toBe(4);
    d.takePrimary(5);
    d.takeOverflow(3);
    expect(d.dump()).toEqual([-1, 1]);
    d.putFirstOverflow(3);
    expect(d.dump()).toEqual([-4, 1]);
    d.putFirstPrimary(2);
    expect(d.dump()).toEqual([2, -4, 1]);
    expect(() => d.takeOverflow(1)).toThrow(/Cannot take/);
    expect(() => d.takePrimary(3)).toThrow(/Cannot take 3 from 2/);
  });
});

describe('SPILLABLEMEMORY channel', () => {
  it('config: Flume names and defaults, FQCN, the overflow takes the file channel properties', () => {
    const c = configure(spillableMemoryChannel, {});
    expect(c).toMatchObject({
      memoryCapacity: 10000,
      overflowCapacity: 100000000,
      overflowTimeout: 3,
      overflowDeactivationThreshold: 5,
      byteCapacityBufferPercentage: 20,
      avgEventSize: 500,
      transactionCapacity: 10000,
    });
    expect(spillableMemoryChannel.transactionCapacity!(c as never)).toBe(10000);
    expect(byteSlots(1_000_000, 20, 500)).toBe(1600);
    expect(byteSlots(0, 20, 500)).toBe(2147483647);
  });

  it('spills to the overflow when memory is full and drains in commit order across both', async () => {
    const ch = channel();
    await ch.start();
    await put(ch, 'm1', 'm2', 'm3');
    await put(ch, 'm4', 'm5');
    await put(ch, 'o1', 'o2'); // memory full: overflow
    expect(ch.overflowActivated).toBe(true);
    expect(ch.size()).toBe(7);
    expect(ch.drainOrder.dump()).toEqual([5, -2]);
    // a take transaction stays on one side: first memory, then the overflow
    expect(await takeTx(ch, 100)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    await put(ch, 'm6'); // 100% free ≥ 5%: overflow deactivated, back to memory
    expect(ch.overflowActivated).toBe(false);
    expect(ch.drainOrder.dump()).toEqual([-2, 1]);
    expect(await takeTx(ch, 1)).toEqual(['o1']);
    expect(await takeTx(ch, 100)).toEqual(['o2']);
    expect(await takeTx(ch, 100)).toEqual(['m6']);
    expect(ch.size()).toBe(0);
  });

  it('rolled-back takes return to the head of their side, in order', async () => {
    const ch = channel({ memoryCapacity: '2' });
    await ch.start();
    await put(ch, 'a', 'b');
    await put(ch, 'c', 'd', 'e');
    expect(await takeTx(ch, 1, false)).toEqual(['a']);
    expect(await takeTx(ch, 100, false)).toEqual(['a', 'b']);
    expect(await takeTx(ch, 100)).toEqual(['a', 'b']);
    expect(await takeTx(ch, 2, false)).toEqual(['c', 'd']);
    expect(ch.drainOrder.dump()).toEqual([-3]);
    expect(await takeTx(ch, 100)).toEqual(['c', 'd', 'e']);
  });

  it('memoryCapacity 0 sends everything to the overflow; overflowCapacity 0 makes a full memory fail puts', async () => {
    const ch = channel({ memoryCapacity: '0' });
    await ch.start();
    await put(ch, 'x', 'y');
    expect(ch.queueSize()).toBe(0);
    expect(await takeTx(ch)).toEqual(['x', 'y']);
    const mem = channel({ memoryCapacity: '2', overflowCapacity: '0' });
    await mem.start();
    await put(mem, 'a', 'b');
    await expect(put(mem, 'c')).rejects.toBeInstanceOf(ChannelFullError);
    expect(bodies(await drain(mem))).toEqual(['a', 'b']);
  });

  it('byteCapacity (in avgEventSize slots) also spills', async () => {
    const ch = channel({ memoryCapacity: '100', byteCapacity: '1000', byteCapacityBufferPercentage: '0', avgEventSize: '100' });
    await ch.start();
    await put(ch, 'x'.repeat(500), 'y'.repeat(400)); // 9 slots of 10
    await put(ch, 'z'.repeat(150)); // 2 slots: spills
    expect(ch.drainOrder.dump()).toEqual([2, -1]);
    expect((await takeTx(ch)).map((s) => s[0])).toEqual(['x', 'y']);
    expect((await takeTx(ch)).map((s) => s[0])).toEqual(['z']);
  });

  it('waits overflowTimeout for memory space before spilling', async () => {
    const ch = channel({ memoryCapacity: '1', overflowTimeout: '30' });
    await ch.start();
    await put(ch, 'a');
    const t0 = Date.now();
    const pending = put(ch, 'b');
    await new Promise((r) => setTimeout(r, 50));
    expect(await takeTx(ch)).toEqual(['a']); // frees memory: b goes to memory, no spill
    await pending;
    // the put took its memory slot as soon as it was free, not after the 30 s overflowTimeout
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(ch.drainOrder.dump()).toEqual([1]);
    expect(ch.overflowActivated).toBe(false);
  });

  it('events in the overflow survive a restart and drain first; memory events are lost as in Flume', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spill-test-'));
    tmps.push(root);
    const ch = channel({ memoryCapacity: '2' }, root);
    await ch.start();
    await put(ch, 'm1', 'm2');
    await put(ch, 'o1', 'o2', 'o3');
    await ch.stop();
    open.splice(open.indexOf(ch), 1);
    const again = channel({ memoryCapacity: '2' }, root);
    await again.start();
    expect(again.size()).toBe(3);
    await put(again, 'n1');
    expect(await takeTx(again)).toEqual(['o1', 'o2', 'o3']);
    expect(await takeTx(again)).toEqual(['n1']);
  });

  it('is resolved by alias (any case) and FQCN', () => {
    expect(spillableMemoryChannel.type).toBe('SPILLABLEMEMORY');
    expect(spillableMemoryChannel.fqcn).toBe('org.apache.flume.channel.SpillableMemoryChannel');
  });
});
