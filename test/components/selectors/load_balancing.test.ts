import { describe, expect, it } from 'vitest';
import { DefaultChannelProcessor } from '../../../src/core/channel-processor.js';
import { LoadBalancingChannelSelector, loadBalancingSelector } from '../../../src/components/selectors/load_balancing.js';
import { createEvent, type Event } from '../../../src/core/event.js';
import { ChannelFullError } from '../../../src/core/errors.js';
import { configure, drain, memory, silentLogger } from '../../support/context.js';
import { MemoryChannel } from '../../../src/components/channels/memory.js';
import { loadAgent } from '../../../src/config/model.js';
import { builtinRegistry } from '../../../src/components/registry.js';

const parseAgentConfig = (text: string) => {
  const r = loadAgent([{ file: 'flume.conf', text }], 'a1', builtinRegistry());
  return { ...r, plan: r.plan! };
};

const bodies = (es: Event[]) => es.map((e) => e.body.toString());
const events = (n: number) => Array.from({ length: n }, (_, i) => createEvent(String(i)));

describe('load_balancing channel selector', () => {
  it('round_robin: one required channel per event, in the order of the channels list, across batches', async () => {
    const [c1, c2, c3] = [memory('c1'), memory('c2'), memory('c3')];
    const sel = new LoadBalancingChannelSelector([c1, c2, c3], 'round_robin');
    const p = new DefaultChannelProcessor(sel, [], silentLogger);
    await p.processEventBatch(events(4));
    await p.processEvent(createEvent('4'));
    await p.processEventBatch([createEvent('5'), createEvent('6')]);
    expect(bodies(await drain(c1))).toEqual(['0', '3', '6']);
    expect(bodies(await drain(c2))).toEqual(['1', '4']);
    expect(bodies(await drain(c3))).toEqual(['2', '5']);
    expect(sel.getOptionalChannels()).toEqual([]);
    expect(sel.getAllChannels()).toEqual([c1, c2, c3]);
  });

  it('random: picks by the random source, every event lands in exactly one channel', async () => {
    const [c1, c2] = [memory('c1'), memory('c2')];
    const seq = [0.9, 0.1, 0.6, 0.4];
    let i = 0;
    const rnd = () => seq[i++ % seq.length]!;
    const p = new DefaultChannelProcessor(new LoadBalancingChannelSelector([c1, c2], 'random', rnd), [], silentLogger);
    await p.processEventBatch(events(4));
    expect(bodies(await drain(c1))).toEqual(['1', '3']);
    expect(bodies(await drain(c2))).toEqual(['0', '2']);
    const [d1, d2] = [memory('d1'), memory('d2')];
    const pr = new DefaultChannelProcessor(new LoadBalancingChannelSelector([d1, d2], 'random'), [], silentLogger);
    await pr.processEventBatch(events(200));
    const a = bodies(await drain(d1));
    const b = bodies(await drain(d2));
    expect(a.length + b.length).toBe(200);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
  });

  it('a full picked channel fails the batch (it is required) and nothing is half-committed', async () => {
    const full = new MemoryChannel('full', {
      capacity: 1,
      transactionCapacity: 10,
      keepAliveSeconds: 0,
      byteCapacity: Infinity,
      byteCapacityBufferPercentage: 20,
    });
    const ok = memory('ok');
    const p = new DefaultChannelProcessor(new LoadBalancingChannelSelector([ok, full], 'round_robin'), [], silentLogger);
    await expect(p.processEventBatch(events(4))).rejects.toBeInstanceOf(ChannelFullError);
    expect(full.size()).toBe(0);
  });

  it('policy: default round_robin, case-insensitive, anything else is a config error', () => {
    expect(configure(loadBalancingSelector, {}).policy).toBe('round_robin');
    expect(configure(loadBalancingSelector, { policy: 'RANDOM' }).policy).toBe('random');
    expect(() => configure(loadBalancingSelector, { policy: 'weighted' })).toThrow(/policy/);
  });

  it('resolves by alias and FQCN in a whole agent config, and a bad policy drops the source', () => {
    const conf = (type: string, policy = 'round_robin') => `a1.sources = r1
a1.channels = c1 c2
a1.sinks =
a1.sources.r1.type = seq
a1.sources.r1.channels = c1 c2
a1.sources.r1.selector.type = ${type}
a1.sources.r1.selector.policy = ${policy}
a1.channels.c1.type = memory
a1.channels.c2.type = memory
`;
    for (const t of ['load_balancing', 'LOAD_BALANCING', 'org.apache.flume.channel.LoadBalancingChannelSelector']) {
      const r = parseAgentConfig(conf(t));
      expect(r.plan.sources.map((s) => s.selector.spec.type)).toEqual(['load_balancing']);
    }
    const bad = parseAgentConfig(conf('load_balancing', 'weighted'));
    expect(bad.plan.sources).toEqual([]);
  });
});
