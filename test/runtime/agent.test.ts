import { describe, expect, it } from 'vitest';
import { Agent } from '../../src/runtime/agent.js';
import { loadAgent } from '../../src/config/model.js';
import { Registry } from '../../src/config/registry.js';
import { builtinSpecs } from '../../src/components/registry.js';
import { defineComponent, prop } from '../../src/config/spec.js';
import { BatchingSink } from '../../src/core/abstract-sink.js';
import type { Event } from '../../src/core/event.js';
import { metricsJson } from '../../src/monitoring/http.js';
import { silentLogger } from '../support/context.js';

/** A sink that records bodies and fails its first `failures` deliveries. */
const delivered: string[] = [];
let failuresLeft = 0;
class FlakySink extends BatchingSink {
  protected deliver(events: Event[]): void {
    if (failuresLeft > 0) {
      failuresLeft--;
      throw new Error('destination down');
    }
    for (const e of events) delivered.push(e.body.toString());
  }
}
const flakySink = defineComponent({
  kind: 'sink',
  type: 'test_flaky',
  summary: 'test sink',
  properties: { batchSize: prop.int({ default: 100, doc: 'batch' }) },
  batchSize: (c) => c.batchSize,
  create: (c, ctx) => new FlakySink(ctx.name, ctx.channel, ctx.logger, c.batchSize),
});
const registry = new Registry([...builtinSpecs, flakySink]);

async function waitFor(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const conf = (total: number, sinkType: string, extra = '') => `
a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = seq
a1.sources.r1.batchSize = 50
a1.sources.r1.totalEvents = ${total}
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 1000
a1.channels.c1.transactionCapacity = 100
a1.sinks.k1.type = ${sinkType}
a1.sinks.k1.channel = c1
${extra}`;

describe('agent runtime', () => {
  it('moves every event from source to sink, in order, and reports Flume counters', async () => {
    delivered.length = 0;
    const plan = loadAgent([{ file: 'a.conf', text: conf(5000, 'test_flaky') }], 'a1', registry).plan!;
    const agent = new Agent(plan, registry, silentLogger);
    await agent.start();
    await waitFor(() => delivered.length === 5000);
    const stopped = await agent.stop();
    expect(stopped.drained).toBe(true);
    expect(delivered).toEqual(Array.from({ length: 5000 }, (_, i) => String(i)));
    const m = metricsJson(agent.counters());
    expect(m['SOURCE.r1']!.EventAcceptedCount).toBe('5000');
    expect(m['CHANNEL.c1']!.EventPutSuccessCount).toBe('5000');
    expect(m['SINK.k1']!.EventDrainSuccessCount).toBe('5000');
    expect(m['SINK.k1']!.Type).toBe('SINK');
  });

  it('a failing sink rolls back and retries: nothing is lost', async () => {
    delivered.length = 0;
    failuresLeft = 3;
    const plan = loadAgent([{ file: 'a.conf', text: conf(300, 'test_flaky') }], 'a1', registry).plan!;
    const agent = new Agent(plan, registry, silentLogger);
    await agent.start();
    await waitFor(() => delivered.length >= 300);
    await agent.stop();
    expect(new Set(delivered).size).toBe(300);
    expect(metricsJson(agent.counters())['SINK.k1']!.EventWriteFail).toBe('3');
  });

  it('stop() lets sinks drain the channel', async () => {
    delivered.length = 0;
    const plan = loadAgent([{ file: 'a.conf', text: conf(800, 'test_flaky') }], 'a1', registry).plan!;
    const agent = new Agent(plan, registry, silentLogger);
    await agent.start();
    await waitFor(() => delivered.length > 0);
    const r = await agent.stop({ drainTimeoutMs: 10_000 });
    expect(r.left).toBe(0);
  });

  it('failover sink group moves to the standby sink when the primary fails', async () => {
    delivered.length = 0;
    failuresLeft = 1_000_000; // k1 (flaky) always fails
    const text = `
a1.sources = r1
a1.channels = c1
a1.sinks = k1 k2
a1.sinkgroups = g1
a1.sources.r1.type = seq
a1.sources.r1.batchSize = 10
a1.sources.r1.totalEvents = 100
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = test_flaky
a1.sinks.k1.channel = c1
a1.sinks.k2.type = null
a1.sinks.k2.channel = c1
a1.sinkgroups.g1.sinks = k1 k2
a1.sinkgroups.g1.processor.type = failover
a1.sinkgroups.g1.processor.priority.k1 = 10
a1.sinkgroups.g1.processor.priority.k2 = 5
`;
    const plan = loadAgent([{ file: 'a.conf', text }], 'a1', registry).plan!;
    const agent = new Agent(plan, registry, silentLogger);
    await agent.start();
    const k2 = () => Number(metricsJson(agent.counters())['SINK.k2']!.EventDrainSuccessCount);
    await waitFor(() => k2() === 100);
    await agent.stop();
    failuresLeft = 0;
    expect(delivered.length).toBe(0);
  });
});
