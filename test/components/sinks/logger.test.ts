import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { create, memory } from '../../support/context.js';
import { createEvent } from '../../../src/core/event.js';
import { loggerSink, dumpEvent } from '../../../src/components/sinks/logger.js';
import type { Sink } from '../../../src/core/sink.js';

// Expected strings were printed by Flume 1.11's EventHelper.dumpEvent under Java 17.
const bin = Buffer.from(Array.from({ length: 20 }, (_, i) => (i * 13 - 7) & 0xff));
const h = () => ({ timestamp: '1700000000000', host: '10.0.0.1' });

describe('EventHelper.dumpEvent rendering', () => {
  it('matches Flume byte for byte', () => {
    expect(dumpEvent(createEvent('hello'))).toBe('{ headers:{} body: 68 65 6C 6C 6F                                  hello }');
    expect(dumpEvent(createEvent('Hello world!\r', h()))).toBe(
      '{ headers:{host=10.0.0.1, timestamp=1700000000000} body: 48 65 6C 6C 6F 20 77 6F 72 6C 64 21 0D          Hello world!. }',
    );
    expect(dumpEvent(createEvent(bin))).toBe('{ headers:{} body: F9 06 13 20 2D 3A 47 54 61 6E 7B 88 95 A2 AF BC ... -:GTan{..... }');
    expect(dumpEvent(createEvent(Buffer.alloc(0)))).toBe('{ headers:{} body: }');
    expect(dumpEvent(createEvent('0123456789abcdef'))).toBe(
      '{ headers:{} body: 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 0123456789abcdef }',
    );
    expect(dumpEvent(createEvent(bin), 40)).toBe(
      '{ headers:{} body: F9 06 13 20 2D 3A 47 54 61 6E 7B 88 95 A2 AF BC ... -:GTan{.....\n00000010 C9 D6 E3 F0                                     .... }',
    );
    expect(dumpEvent(createEvent('Hello world!\r', h()), 0)).toBe(
      '{ headers:{host=10.0.0.1, timestamp=1700000000000} body:...Exception while dumping: illegal index: 0 into array of length 0 }',
    );
  });
});

describe('logger sink', () => {
  function setup(raw: Record<string, string> = {}, level = 'info') {
    const lines: string[] = [];
    const logger = pino({ level }, { write: (s: string) => lines.push(JSON.parse(s).msg as string) });
    const ch = memory();
    const sink = create(loggerSink, raw, { channel: ch, logger }) as Sink;
    return { lines, ch, sink };
  }

  it('logs one event per transaction at INFO and backs off when empty', async () => {
    const { lines, ch, sink } = setup();
    await sink.start();
    const tx = ch.begin();
    tx.putAll([createEvent('a'), createEvent('Hello world!\r', h())]);
    await tx.commit();
    expect(await sink.process()).toBe('READY');
    expect(lines).toEqual(['Event: { headers:{} body: 61                                              a }']);
    expect(await sink.process()).toBe('READY');
    expect(await sink.process()).toBe('BACKOFF');
    expect(lines[1]).toBe(
      'Event: { headers:{host=10.0.0.1, timestamp=1700000000000} body: 48 65 6C 6C 6F 20 77 6F 72 6C 64 21 0D          Hello world!. }',
    );
    expect(sink.counter.snapshot().EventDrainSuccessCount).toBe('2');
    await sink.stop();
  });

  it('maxBytesToLog limits the dump; a negative value is a config error', async () => {
    const { lines, ch, sink } = setup({ maxBytesToLog: '2' });
    const tx = ch.begin();
    tx.put(createEvent('abcdef'));
    await tx.commit();
    await sink.process();
    expect(lines).toEqual(['Event: { headers:{} body: 61 62                                           ab }']);
    expect(() => setup({ maxBytesToLog: '-1' })).toThrow(/maxBytesToLog/);
  });

  it('still drains (and commits) when INFO is disabled', async () => {
    const { lines, ch, sink } = setup({}, 'warn');
    const tx = ch.begin();
    tx.put(createEvent('x'));
    await tx.commit();
    expect(await sink.process()).toBe('READY');
    expect(lines).toEqual([]);
    expect(ch.size()).toBe(0);
  });
});
