import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { SequenceGeneratorSource } from '../../../src/components/sources/seq.js';
import { NetcatUdpSource } from '../../../src/components/sources/netcatudp.js';
import { DefaultChannelProcessor } from '../../../src/core/channel-processor.js';
import { ReplicatingChannelSelector } from '../../../src/components/selectors/replicating.js';
import { MemoryChannel } from '../../../src/components/channels/memory.js';
import { drain, memory, silentLogger } from '../../support/context.js';

const proc = (ch: MemoryChannel) => new DefaultChannelProcessor(new ReplicatingChannelSelector([ch], []), [], silentLogger);

describe('seq source', () => {
  it('counts from 0 in batches, stops at totalEvents, and retries the same numbers when the channel is full', async () => {
    const ch = new MemoryChannel('c1', {
      capacity: 5,
      transactionCapacity: 5,
      keepAliveSeconds: 0,
      byteCapacity: Infinity,
      byteCapacityBufferPercentage: 20,
    });
    const src = new SequenceGeneratorSource(
      'r1',
      { batchSize: 3, totalEvents: 7, backoffSleepIncrement: 1, maxBackoffSleep: 1 },
      proc(ch),
      silentLogger,
    );
    await src.start();
    expect(await src.process()).toBe('READY');
    expect(await src.process()).toBe('BACKOFF'); // 3 + 3 > capacity 5
    expect(src.counter.get('ChannelWriteFail')).toBe(1);
    const first = await drain(ch);
    expect(first.map((e) => e.body.toString())).toEqual(['0', '1', '2']);
    expect(await src.process()).toBe('READY'); // 3, 4, 5
    expect(await src.process()).toBe('READY'); // 6: only one left
    expect(await src.process()).toBe('BACKOFF'); // done: BACKOFF forever
    expect((await drain(ch)).map((e) => e.body.toString())).toEqual(['3', '4', '5', '6']);
    expect(src.counter.get('EventAcceptedCount')).toBe(7);
  });
});

describe('netcatudp source', () => {
  it('makes one event per datagram up to the first newline, with the sender address header', async () => {
    const ch = memory();
    const src = new NetcatUdpSource('r1', { bind: '127.0.0.1', port: 0, remoteAddress: 'ip' }, proc(ch), silentLogger);
    await src.start();
    const client = dgram.createSocket('udp4');
    await new Promise<void>((r) => client.send('hello\nignored rest', src.boundPort!, '127.0.0.1', () => r()));
    await new Promise<void>((r) => client.send('second', src.boundPort!, '127.0.0.1', () => r()));
    for (let i = 0; i < 200 && ch.size() < 2; i++) await new Promise((r) => setTimeout(r, 10));
    client.close();
    await src.stop();
    const got = await drain(ch);
    expect(got.map((e) => e.body.toString())).toEqual(['hello', 'second']);
    expect(got[0]!.headers.ip).toMatch(/^\/127\.0\.0\.1:\d+$/);
  });
});
