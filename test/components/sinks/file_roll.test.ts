import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, existsSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { configure, create, memory, serializerOf, silentLogger } from '../../support/context.js';
import { createEvent, SliceEvent, type Event } from '../../../src/core/event.js';
import { fileRollSink, PathManager, RollingFileSink, rollTimeStamp, skipBytes } from '../../../src/components/sinks/file_roll.js';
import { EventDeliveryError } from '../../../src/core/errors.js';
import type { MemoryChannel } from '../../../src/components/channels/memory.js';

let root: string;
const checkFileRoll = (raw: Record<string, string>) => fileRollSink.check!(configure(fileRollSink, raw) as never, raw);
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'file-roll-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

async function put(ch: MemoryChannel, events: Event[]): Promise<void> {
  const tx = ch.begin();
  tx.putAll(events);
  await tx.commit();
}

function sinkFor(raw: Record<string, string>, ch = memory()): { sink: RollingFileSink; ch: MemoryChannel } {
  return { sink: create(fileRollSink, raw, { channel: ch, name: 'k1' }) as RollingFileSink, ch };
}

/**
 * A text file_roll sink (ROLLTIME names at a fixed second) whose first file is a symlink to /dev/full, where every
 * write fails with ENOSPC; the retries go to `20240102030405-2`.
 */
function fullDiskSink(batchSize: number, batchesInFlight?: number): { sink: RollingFileSink; ch: MemoryChannel } {
  const t = new Date(2024, 0, 2, 3, 4, 5);
  symlinkSync('/dev/full', join(root, '20240102030405-1'));
  const ch = memory();
  const sink = new RollingFileSink('k1', ch, silentLogger, batchSize, {
    pathManager: new PathManager(root, 'ROLLTIME', '', '', () => t),
    rollIntervalSec: 0,
    serializer: serializerOf('text'),
    batchesInFlight,
  });
  return { sink, ch };
}

/** Bounded poll: calls step until cond holds, at most `ms`. */
async function until(cond: () => boolean, step: () => Promise<unknown>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await step();
    await new Promise((r) => setTimeout(r, 20));
  }
}

const files = (dir: string): string[] =>
  readdirSync(dir).sort((a, b) => Number(a.split('-').pop()!.split('.')[0]) - Number(b.split('-').pop()!.split('.')[0]));

describe('file_roll configuration', () => {
  it('requires sink.directory and checks pathManager and the serializer', () => {
    expect(() => configure(fileRollSink, {})).toThrow(/sink\.directory/);
    expect(() => configure(fileRollSink, { 'sink.directory': root, 'sink.pathManager': 'HOURLY' })).toThrow(/unknown sink\.pathManager/);
    expect(() => configure(fileRollSink, { 'sink.directory': root, 'sink.serializer': 'json' })).toThrow(/unknown serializer "json"/);
    expect(() =>
      configure(fileRollSink, { 'sink.directory': root, 'sink.serializer.syncIntervalBytes': 'x', 'sink.serializer': 'avro_event' }),
    ).toThrow(/expected an integer/);
    expect(checkFileRoll({ 'sink.directory': join(root, 'missing') })).toEqual([
      expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/does not exist/) }),
    ]);
    expect(checkFileRoll({ 'sink.directory': root })).toEqual([]);
    const c = configure(fileRollSink, { 'sink.directory': root });
    expect(c).toMatchObject({ 'sink.rollInterval': 30, 'sink.batchSize': 100, 'sink.serializer': 'TEXT', 'sink.pathManager': 'DEFAULT' });
    expect(() =>
      configure(fileRollSink, {
        'sink.directory': root,
        'sink.pathManager': 'rolltime',
        'sink.serializer': 'org.apache.flume.serialization.HeaderAndBodyTextEventSerializer$Builder',
      }),
    ).not.toThrow();
  });
});

describe('path managers', () => {
  it('DefaultPathManager: <prefix><start millis>-<n>[.<ext>]', () => {
    const before = Date.now();
    const pm = new PathManager('/d', 'DEFAULT', 'pre_', 'log');
    const f1 = pm.currentFile();
    const m = /^\/d\/pre_(\d+)-1\.log$/.exec(f1);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(before);
    expect(pm.currentFile()).toBe(f1);
    pm.rotate();
    expect(pm.currentFile()).toBe(f1.replace('-1.log', '-2.log'));
    expect(new PathManager('/d', 'DEFAULT', '', '').currentFile()).toMatch(/^\/d\/\d+-1$/);
  });
  it('RollTimePathManager: yyyyMMddHHmmss-<n>, n restarting when the second changes', () => {
    let t = new Date(2024, 0, 2, 3, 4, 5);
    const pm = new PathManager('/d', 'ROLLTIME', '', 'txt', () => t);
    expect(pm.currentFile()).toBe('/d/20240102030405-1.txt');
    pm.rotate();
    expect(pm.currentFile()).toBe('/d/20240102030405-2.txt');
    pm.rotate();
    t = new Date(2024, 0, 2, 3, 4, 6);
    expect(pm.currentFile()).toBe('/d/20240102030406-1.txt');
    expect(rollTimeStamp(new Date(999, 11, 31, 23, 59, 59))).toBe('09991231235959');
  });
});

describe('file_roll sink', () => {
  it('writes and flushes each batch before commit (text serializer), batchSize per transaction', async () => {
    const { sink, ch } = sinkFor({ 'sink.directory': root, 'sink.rollInterval': '0', 'sink.batchSize': '2', 'sink.batchesInFlight': '1' });
    await sink.start();
    await put(ch, [createEvent('a'), createEvent('b'), createEvent('c')]);
    expect(await sink.process()).toBe('READY');
    const [f] = files(root);
    expect(readFileSync(join(root, f!), 'utf8')).toBe('a\nb\n');
    expect(ch.size()).toBe(1);
    expect(await sink.process()).toBe('READY');
    expect(readFileSync(join(root, f!), 'utf8')).toBe('a\nb\nc\n');
    expect(await sink.process()).toBe('BACKOFF');
    await sink.stop();
    expect(files(root)).toEqual([f]);
    expect(sink.counter.snapshot()).toMatchObject({ EventDrainSuccessCount: '3', ConnectionCreatedCount: '1', ConnectionClosedCount: '1' });
  });

  it('with batches in flight (the default, 2) the next batch is taken while the one before is written', async () => {
    const { sink, ch } = sinkFor({ 'sink.directory': root, 'sink.rollInterval': '0', 'sink.batchSize': '2' });
    await sink.start();
    await put(ch, [createEvent('a'), createEvent('b'), createEvent('c')]);
    // the first batch's write is under way and its transaction open when process() returns
    expect(await sink.process()).toBe('READY');
    expect(ch.size()).toBe(1);
    expect(sink.counter.snapshot().EventDrainSuccessCount).toBe('0');
    // the second call takes the next batch, then waits for the first write and commits it
    expect(await sink.process()).toBe('READY');
    expect(ch.size()).toBe(0);
    expect(sink.counter.snapshot().EventDrainSuccessCount).toBe('2');
    const [f] = files(root);
    expect(readFileSync(join(root, f!), 'utf8')).toMatch(/^a\nb\n/);
    // an empty take waits for the write under way (READY: it committed one), then the sink is idle
    expect(await sink.process()).toBe('READY');
    expect(sink.counter.snapshot().EventDrainSuccessCount).toBe('3');
    expect(readFileSync(join(root, f!), 'utf8')).toBe('a\nb\nc\n');
    expect(await sink.process()).toBe('BACKOFF');
    await put(ch, [createEvent('d')]);
    expect(await sink.process()).toBe('READY');
    // stop() waits for the write under way and commits it
    await sink.stop();
    expect(readFileSync(join(root, f!), 'utf8')).toBe('a\nb\nc\nd\n');
    expect(sink.counter.snapshot()).toMatchObject({ EventDrainSuccessCount: '4', ConnectionClosedCount: '1' });
  });

  it('with batches in flight a failed write rolls back every batch under way; the retry writes each event once, in order', async () => {
    const { sink, ch } = fullDiskSink(2, 2);
    await sink.start();
    await put(
      ch,
      ['a', 'b', 'c', 'd', 'e'].map((b) => createEvent(b)),
    );
    expect(await sink.process()).toBe('READY'); // a, b to /dev/full, under way
    await expect(sink.process()).rejects.toThrow(/ENOSPC/); // c, d taken; a, b fail, so both roll back
    expect(ch.size()).toBe(5);
    expect(sink.counter.snapshot()).toMatchObject({ EventWriteFail: '2', EventDrainSuccessCount: '0' });
    await until(
      () => ch.size() === 0,
      () => sink.process(),
    );
    await sink.stop();
    expect(readFileSync(join(root, '20240102030405-2'), 'utf8')).toBe('a\nb\nc\nd\ne\n');
    expect(sink.counter.snapshot().EventDrainSuccessCount).toBe('5');
  });

  it('opens the file on process() even when the channel is empty, as Flume', async () => {
    const { sink } = sinkFor({ 'sink.directory': root, 'sink.rollInterval': '0' });
    await sink.start();
    expect(await sink.process()).toBe('BACKOFF');
    expect(files(root)).toHaveLength(1);
    await sink.stop();
  });

  it('rolls to a new file every rollInterval seconds, with the DEFAULT names', async () => {
    const { sink, ch } = sinkFor({
      'sink.directory': root,
      'sink.rollInterval': '1',
      'sink.pathManager.prefix': 'ev-',
      'sink.pathManager.extension': 'txt',
    });
    await sink.start();
    await put(ch, [createEvent('first')]);
    await sink.process();
    expect(files(root)).toHaveLength(1);
    await until(
      () => files(root).length >= 2,
      () => sink.process(),
    );
    await put(ch, [createEvent('second')]);
    await sink.process();
    await sink.stop();
    const fs = files(root);
    expect(fs[0]).toMatch(/^ev-\d+-1\.txt$/);
    expect(fs[1]).toBe(fs[0]!.replace('-1.txt', '-2.txt'));
    expect(readFileSync(join(root, fs[0]!), 'utf8')).toBe('first\n');
    expect(readFileSync(join(root, fs[1]!), 'utf8')).toBe('second\n');
  });

  it('header_and_text serializer with options', async () => {
    const { sink, ch } = sinkFor({
      'sink.directory': root,
      'sink.rollInterval': '0',
      'sink.serializer': 'header_and_text',
      'sink.serializer.appendNewline': 'true',
    });
    await sink.start();
    await put(ch, [createEvent('body1', { timestamp: '1', host: 'h' }), createEvent('body2')]);
    await sink.process();
    await sink.stop();
    expect(readFileSync(join(root, files(root)[0]!), 'utf8')).toBe('{host=h, timestamp=1} body1\n{} body2\n');
  });

  it('avro_event files read back with avsc', async () => {
    const { sink, ch } = sinkFor({
      'sink.directory': root,
      'sink.rollInterval': '0',
      'sink.serializer': 'avro_event',
      'sink.serializer.compressionCodec': 'deflate',
      'sink.batchSize': '3',
    });
    await sink.start();
    await put(
      ch,
      Array.from({ length: 10 }, (_, i) => createEvent(`e${i}`, { i: String(i) })),
    );
    await until(
      () => ch.size() === 0,
      () => sink.process(),
    );
    await sink.stop();
    const got: string[] = [];
    await new Promise<void>((resolve, reject) => {
      avro
        .createFileDecoder(join(root, files(root)[0]!))
        .on('data', (r: { headers: Record<string, string>; body: Buffer }) => got.push(`${r.headers.i}:${r.body.toString()}`))
        .on('end', resolve)
        .on('error', reject);
    });
    expect(got).toEqual(Array.from({ length: 10 }, (_, i) => `${i}:e${i}`));
  });

  it('a missing directory rolls back; the sink recovers when the directory exists', async () => {
    const dir = join(root, 'out');
    const { sink, ch } = sinkFor({ 'sink.directory': dir, 'sink.rollInterval': '0' });
    await sink.start();
    await put(ch, [createEvent('x'), createEvent('y')]);
    await expect(sink.process()).rejects.toThrow(EventDeliveryError);
    await expect(sink.process()).rejects.toThrow(/does not exist/);
    expect(ch.size()).toBe(2);
    mkdirSync(dir);
    expect(await sink.process()).toBe('READY');
    expect(ch.size()).toBe(0);
    await sink.stop();
    const fs = files(dir);
    expect(fs).toHaveLength(1);
    expect(readFileSync(join(dir, fs[0]!), 'utf8')).toBe('x\ny\n');
  });

  it('a directory removed under an open file: the batch is rolled back and retried into a new file', async () => {
    const dir = join(root, 'out');
    mkdirSync(dir);
    const { sink, ch } = sinkFor({ 'sink.directory': dir, 'sink.rollInterval': '0', 'sink.batchesInFlight': '1' });
    await sink.start();
    await put(ch, [createEvent('one')]);
    await sink.process();
    rmSync(dir, { recursive: true, force: true });
    await put(ch, [createEvent('two')]);
    await expect(sink.process()).rejects.toThrow(/deleted/);
    expect(ch.size()).toBe(1);
    await expect(sink.process()).rejects.toThrow(EventDeliveryError);
    mkdirSync(dir);
    expect(await sink.process()).toBe('READY');
    expect(ch.size()).toBe(0);
    await sink.stop();
    const fs = files(dir);
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatch(/-2$/);
    expect(readFileSync(join(dir, fs[0]!), 'utf8')).toBe('two\n');
    expect(sink.counter.snapshot().EventWriteFail).toBe('2');
    expect(existsSync(join(root, 'out'))).toBe(true);
  });

  it('long lines received in several buffers are written as views of those buffers, byte for byte', async () => {
    // 4 KiB lines cut into 64 KiB reads as netcat receives them: runs of whole lines are SliceEvents of one read, a line
    // cut between two reads is a SliceEvent of its own joined buffer; plain and replaced bodies are mixed in.
    const line = (n: number) => `${String(n).padStart(12, '0')} ${'x'.repeat(4082)}`;
    const text = Array.from({ length: 100 }, (_, n) => `${line(n)}\n`).join('');
    const all = Buffer.from(text);
    const events: Event[] = [];
    const expected: string[] = [];
    let start = 0;
    for (let readEnd = 65536; start < all.length; readEnd += 65536) {
      const read = Buffer.from(all.subarray(0, Math.min(readEnd, all.length))); // own buffer per read (offsets kept)
      for (let nl = read.indexOf(10, start); nl >= 0; nl = read.indexOf(10, start)) {
        events.push(new SliceEvent(read, start, nl));
        expected.push(read.toString('utf8', start, nl));
        start = nl + 1;
      }
    }
    (events[5] as SliceEvent).body = Buffer.from('replaced');
    expected[5] = 'replaced';
    events.splice(50, 0, createEvent('plain'));
    expected.splice(50, 0, 'plain');
    const { sink, ch } = sinkFor({ 'sink.directory': root, 'sink.rollInterval': '0', 'sink.batchSize': '1000' });
    await sink.start();
    await put(ch, events);
    expect(await sink.process()).toBe('READY');
    await sink.stop();
    const [f] = files(root);
    expect(readFileSync(join(root, f!), 'utf8')).toBe(`${expected.join('\n')}\n`);
  });

  it('skipBytes resumes a partial vectored write inside or between buffers', () => {
    const parts = [Buffer.from('abc'), Buffer.from('de'), Buffer.from('fgh')];
    expect(Buffer.concat(skipBytes(parts, 0)).toString()).toBe('abcdefgh');
    expect(Buffer.concat(skipBytes(parts, 2)).toString()).toBe('cdefgh');
    expect(Buffer.concat(skipBytes(parts, 5)).toString()).toBe('fgh');
    expect(skipBytes(parts, 8)).toEqual([]);
  });

  it('a full disk (ENOSPC) fails a vectored write of long lines too; nothing is lost', async () => {
    const { sink, ch } = fullDiskSink(100);
    const read = Buffer.from(`${'a'.repeat(3000)}\n${'b'.repeat(3000)}\n`);
    const other = Buffer.from(`${'c'.repeat(3000)}\n`);
    await sink.start();
    await put(ch, [new SliceEvent(read, 0, 3000), new SliceEvent(read, 3001, 6001), new SliceEvent(other, 0, 3000)]);
    await expect(sink.process()).rejects.toThrow(/ENOSPC/);
    expect(ch.size()).toBe(3);
    expect(await sink.process()).toBe('READY');
    await sink.stop();
    expect(readFileSync(join(root, '20240102030405-2'), 'utf8')).toBe(`${read}${other}`);
  });

  it('a full disk (ENOSPC) rolls the batch back; the retry goes to the next file', async () => {
    const { sink, ch } = fullDiskSink(100);
    await sink.start();
    await put(ch, [createEvent('a'), createEvent('b')]);
    await expect(sink.process()).rejects.toThrow(/ENOSPC/);
    expect(ch.size()).toBe(2);
    expect(await sink.process()).toBe('READY');
    await sink.stop();
    expect(readFileSync(join(root, '20240102030405-2'), 'utf8')).toBe('a\nb\n');
  });
});
