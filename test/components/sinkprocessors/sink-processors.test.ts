import { describe, expect, it } from 'vitest';
import { FailoverSinkProcessor } from '../../../src/components/sinkprocessors/failover.js';
import { LoadBalancingSinkProcessor } from '../../../src/components/sinkprocessors/load_balance.js';
import type { Sink } from '../../../src/core/sink.js';
import type { Status } from '../../../src/core/lifecycle.js';
import { sinkCounter } from '../../../src/monitoring/counters.js';
import { memory, silentLogger } from '../../support/context.js';

function fakeSink(name: string, behave: () => Status | Error): Sink & { calls: number } {
  const s = {
    name,
    channel: memory(),
    counter: sinkCounter(name),
    calls: 0,
    start: async () => {},
    stop: async () => {},
    process: async () => {
      s.calls++;
      const r = behave();
      if (r instanceof Error) throw r;
      return r;
    },
  };
  return s;
}

describe('failover sink processor', () => {
  it('uses the highest priority sink and fails over, then retries the failed one after its penalty', async () => {
    let k2Fails = true;
    const k1 = fakeSink('k1', () => 'READY');
    const k2 = fakeSink('k2', () => (k2Fails ? new Error('down') : 'READY'));
    const p = new FailoverSinkProcessor(
      [
        { sink: k1, priority: 5 },
        { sink: k2, priority: 10 },
      ],
      0,
      silentLogger,
    );
    expect(await p.process()).toBe('READY');
    expect(k2.calls).toBe(1);
    expect(k1.calls).toBe(1);
    await p.process();
    expect(k1.calls).toBe(2);
    k2Fails = false;
    // maxpenalty 0: the failed sink is retried at once and becomes active again
    await p.process();
    await p.process();
    expect(k2.calls).toBe(4); // retried (failed again) on the 2nd call, recovered on the 3rd, active on the 4th
    expect(k1.calls).toBe(2);
  });

  it('throws when every sink failed', async () => {
    const p = new FailoverSinkProcessor([{ sink: fakeSink('k1', () => new Error('x')), priority: 1 }], 30000, silentLogger);
    await expect(p.process()).rejects.toThrow(/All sinks failed/);
  });
});

describe('load_balance sink processor', () => {
  it('round-robins and skips failing sinks; backoff leaves them out', async () => {
    const k1 = fakeSink('k1', () => 'READY');
    const k2 = fakeSink('k2', () => 'READY');
    const p = new LoadBalancingSinkProcessor([k1, k2], 'round_robin', false, 30000, silentLogger);
    for (let i = 0; i < 4; i++) await p.process();
    expect([k1.calls, k2.calls]).toEqual([2, 2]);
    const bad = fakeSink('bad', () => new Error('down'));
    const good = fakeSink('good', () => 'READY');
    const pb = new LoadBalancingSinkProcessor([bad, good], 'round_robin', true, 30000, silentLogger);
    for (let i = 0; i < 4; i++) expect(await pb.process()).toBe('READY');
    expect(bad.calls).toBe(1);
    expect(good.calls).toBe(4);
    const allBad = new LoadBalancingSinkProcessor([fakeSink('x', () => new Error('e'))], 'random', false, 1000, silentLogger);
    await expect(allBad.process()).rejects.toThrow(/Unable to process event on any sink: e/);
  });
});
