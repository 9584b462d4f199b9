import { describe, expect, it } from 'vitest';
import { RateLimiter, StressSource, stressSource } from '../../../src/components/sources/stress.js';
import { DefaultChannelProcessor } from '../../../src/core/channel-processor.js';
import { ReplicatingChannelSelector } from '../../../src/components/selectors/replicating.js';
import type { MemoryChannel } from '../../../src/components/channels/memory.js';
import { builtinRegistry } from '../../../src/components/registry.js';
import { configure, drain, memory, silentLogger } from '../../support/context.js';

const proc = (ch: MemoryChannel) => new DefaultChannelProcessor(new ReplicatingChannelSelector([ch], []), [], silentLogger);
const make = (raw: Record<string, string>, ch: MemoryChannel) =>
  new StressSource('s1', configure(stressSource, raw) as never, proc(ch), silentLogger);

describe('StressSource', () => {
  it("is known by its class name only, with Flume's defaults", () => {
    const reg = builtinRegistry();
    expect(reg.resolve('source', 'org.apache.flume.source.StressSource')).toBe(stressSource);
    expect(configure(stressSource, {})).toMatchObject({
      size: 500,
      maxTotalEvents: -1,
      maxSuccessfulEvents: -1,
      batchSize: 1,
      maxEventsPerSecond: 0,
    });
  });

  it('sends size bytes of 0x7F with no headers, trims the last batch to maxTotalEvents, then backs off', async () => {
    const ch = memory();
    const s = make({ size: '4', batchSize: '3', maxTotalEvents: '7' }, ch);
    await s.start();
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push(await s.process());
    expect(statuses).toEqual(['READY', 'READY', 'READY', 'BACKOFF', 'BACKOFF']);
    const got = await drain(ch);
    expect(got).toHaveLength(7);
    expect(got[0]!.body).toEqual(Buffer.from([0x7f, 0x7f, 0x7f, 0x7f]));
    expect(got[0]!.headers).toEqual({});
    expect(s.counter.get('events.total')).toBe(7);
    expect(s.counter.get('events.successful')).toBe(7);
  });

  it('counts refused events in events.total and events.failed, without retrying them (as Flume)', async () => {
    const ch = memory('c1', 2, 2);
    const s = make({ size: '1', maxSuccessfulEvents: '3' }, ch);
    await s.start();
    const st = [];
    for (let i = 0; i < 4; i++) st.push(await s.process());
    expect(st).toEqual(['READY', 'READY', 'BACKOFF', 'BACKOFF']);
    expect(s.counter.get('events.failed')).toBe(2);
    await drain(ch);
    expect(await s.process()).toBe('READY');
    expect(await s.process()).toBe('BACKOFF'); // 3 successful: done
    expect(s.counter.get('events.total')).toBe(5);
    expect(s.counter.get('events.successful')).toBe(3);
  });

  it('rate limiter pays the wait of a batch on the next one and keeps at most one second of unused rate', () => {
    let now = 0;
    const rl = new RateLimiter(10, () => now);
    expect(rl.reserve(5)).toBe(0);
    expect(rl.reserve(1)).toBe(500);
    now = 10_000; // idle: at most 10 stored permits
    expect(rl.reserve(10)).toBe(0);
    expect(rl.reserve(1)).toBe(0);
    expect(rl.reserve(1)).toBe(100);
  });
});
