import { describe, expect, it } from 'vitest';
import { DefaultChannelProcessor } from '../../src/core/channel-processor.js';
import { ReplicatingChannelSelector } from '../../src/components/selectors/replicating.js';
import { MultiplexingChannelSelector } from '../../src/components/selectors/multiplexing.js';
import { createEvent, type Event } from '../../src/core/event.js';
import { ChannelFullError } from '../../src/core/errors.js';
import { memory, drain, silentLogger } from '../support/context.js';
import { MemoryChannel } from '../../src/components/channels/memory.js';

const bodies = (es: Event[]) => es.map((e) => e.body.toString());

describe('ChannelProcessor', () => {
  it('replicates to every required channel, runs interceptors first, and drops what they drop', async () => {
    const c1 = memory('c1');
    const c2 = memory('c2');
    const p = new DefaultChannelProcessor(
      new ReplicatingChannelSelector([c1, c2], []),
      [{ intercept: (es) => es.filter((e) => e.body.toString() !== 'drop').map((e) => ({ ...e, headers: { ...e.headers, seen: 'y' } })) }],
      silentLogger,
    );
    await p.processEventBatch([createEvent('a'), createEvent('drop'), createEvent('b')]);
    const got = await drain(c1);
    expect(bodies(got)).toEqual(['a', 'b']);
    expect(got[0]!.headers.seen).toBe('y');
    expect(bodies(await drain(c2))).toEqual(['a', 'b']);
  });

  it('fails when a required channel is full and rolls it back; optional channel failures are only logged', async () => {
    const full = new MemoryChannel('full', {
      capacity: 1,
      transactionCapacity: 1,
      keepAliveSeconds: 0,
      byteCapacity: Infinity,
      byteCapacityBufferPercentage: 20,
    });
    const ok = memory('ok');
    const p1 = new DefaultChannelProcessor(new ReplicatingChannelSelector([ok, full], ['full']), [], silentLogger);
    await p1.processEvent(createEvent('x'));
    await p1.processEvent(createEvent('y')); // optional channel full: only logged
    expect(bodies(await drain(ok))).toEqual(['x', 'y']);
    const p2 = new DefaultChannelProcessor(new ReplicatingChannelSelector([full], []), [], silentLogger);
    await expect(p2.processEvent(createEvent('z'))).rejects.toBeInstanceOf(ChannelFullError);
    expect(full.size()).toBe(1);
  });

  it('multiplexes by header with default and optional mappings', async () => {
    const [c1, c2, c3] = [memory('c1'), memory('c2'), memory('c3')];
    const sel = new MultiplexingChannelSelector([c1, c2, c3], 'state', {
      'mapping.CA': 'c1',
      'mapping.NY': 'c2 c3',
      'optional.CA': 'c1 c3',
      default: 'c3',
    });
    const p = new DefaultChannelProcessor(sel, [], silentLogger);
    await p.processEventBatch([
      createEvent('ca', { state: 'CA' }),
      createEvent('ny', { state: 'NY' }),
      createEvent('tx', { state: 'TX' }),
      createEvent('none'),
    ]);
    expect(bodies(await drain(c1))).toEqual(['ca']);
    expect(bodies(await drain(c2))).toEqual(['ny']);
    expect(bodies(await drain(c3)).sort()).toEqual(['ca', 'none', 'ny', 'tx']);
  });
});
