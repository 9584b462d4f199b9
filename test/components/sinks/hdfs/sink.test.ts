/** The sink's request grouping and failure handling, on an in-memory WebHDFS stand-in (real HDFS: test/integration/hdfs). */
import { afterEach, describe, expect, it } from 'vitest';
import { hdfsSink } from '../../../../src/components/sinks/hdfs/index.js';
import type { HdfsSink } from '../../../../src/components/sinks/hdfs/sink.js';
import { runCloseJob } from '../../../../src/components/sinks/hdfs/bucket-writer.js';
import { WebHdfsClient } from '../../../../src/components/sinks/hdfs/webhdfs.js';
import { createEvent } from '../../../../src/core/event.js';
import { create, memory } from '../../../support/context.js';
import { startStub, type Stub } from './stub-webhdfs.js';

let stub: Stub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

async function setup(extra: Record<string, string> = {}) {
  stub = await startStub();
  const ch = memory('c1', 100_000, 1000);
  const sink = create(
    hdfsSink,
    {
      'hdfs.path': `webhdfs://x/d`,
      'hdfs.webhdfs.address': stub.url,
      'hdfs.fileType': 'DataStream',
      'hdfs.rollCount': '0',
      'hdfs.rollSize': '0',
      'hdfs.rollInterval': '0',
      'hdfs.batchSize': '10',
      'hdfs.retryInterval': '1',
      ...extra,
    },
    { channel: ch },
  ) as unknown as HdfsSink;
  await sink.start();
  return { sink, ch, stub };
}

async function put(ch: ReturnType<typeof memory>, from: number, n: number) {
  const tx = ch.begin();
  tx.putAll(Array.from({ length: n }, (_, i) => createEvent(`e${from + i}`)));
  await tx.commit();
}

const expected = (from: number, n: number) => Array.from({ length: n }, (_, i) => `e${from + i}\n`).join('');

describe('HDFS sink: overlapping transactions', () => {
  it('encodes the next batches while a request is on the wire; they share the next request; order is kept', async () => {
    const { sink, ch, stub } = await setup();
    stub.delayMs = 100;
    await put(ch, 0, 200);
    const statuses = [];
    for (let i = 0; i < 20; i++) statuses.push(await sink.process());
    expect(statuses.every((s) => s === 'READY')).toBe(true);
    // 20 batches were taken, but not all committed yet
    expect(sink.counter.get('EventDrainSuccessCount')).toBeLessThan(200);
    await sink.settle();
    expect(sink.counter.get('EventDrainSuccessCount')).toBe(200);
    const writes = stub.log.filter((l) => /^(CREATE|APPEND)/.test(l));
    expect(writes.length).toBeLessThan(20);
    const [name, content] = [...stub.files.entries()][0]!;
    expect(name).toMatch(/^\/d\/FlumeData\.\d+\.tmp$/);
    expect(content.toString()).toBe(expected(0, 200));
    await sink.stop();
  });

  it('with transactionsInFlight = 1 each transaction is one request, committed before process() returns', async () => {
    const { sink, ch, stub } = await setup({ 'hdfs.webhdfs.transactionsInFlight': '1' });
    await put(ch, 0, 50);
    for (let i = 0; i < 5; i++) {
      await sink.process();
      expect(sink.counter.get('EventDrainSuccessCount')).toBe((i + 1) * 10);
    }
    expect(stub.log.filter((l) => /^(CREATE|APPEND)/.test(l))).toHaveLength(5);
    await sink.stop();
  });

  it('a failed request rolls back every transaction in it or queued behind it; the file is cut back and renamed', async () => {
    const { sink, ch, stub } = await setup();
    await put(ch, 0, 10);
    await sink.process();
    await sink.settle(); // e0..e9 committed
    stub.delayMs = 50;
    stub.failNext = 1;
    stub.partial = 7; // the failing request wrote some bytes before failing
    await put(ch, 10, 40);
    for (let i = 0; i < 4; i++) await sink.process().catch(() => undefined);
    await sink.settle();
    await expect(sink.process()).rejects.toThrow(/rolled back for retry: .*HTTP 500/);
    // everything after e9 is back in the channel
    expect(ch.size()).toBe(40);
    expect(sink.counter.get('EventDrainSuccessCount')).toBe(10);
    stub.delayMs = 0;
    // the retry goes to a new file; the closer cuts the old one back to e0..e9 and renames it
    for (let i = 0; i < 10 && ch.size() > 0; i++) await sink.process();
    await sink.settle();
    await sink.stop();
    const files = [...stub.files.entries()].sort(([a], [b]) => a.localeCompare(b));
    expect(files.map(([k]) => k.endsWith('.tmp'))).toEqual([false, false]);
    expect(files[0]![1].toString()).toBe(expected(0, 10));
    expect(files[1]![1].toString()).toBe(expected(10, 40));
  });

  it('a batch with an event lacking the timestamp its path needs encodes nothing and stays in the channel', async () => {
    const { sink, ch, stub } = await setup({ 'hdfs.path': 'webhdfs://x/d/%Y' });
    const tx = ch.begin();
    tx.putAll([createEvent('ok', { timestamp: '1700000000000' }), createEvent('bad')]);
    await tx.commit();
    await expect(sink.process()).rejects.toThrow(/Expected timestamp.*useLocalTimeStamp/);
    expect(ch.size()).toBe(2);
    expect(stub.files.size).toBe(0);
    await sink.stop();
  });

  it("collapses the double slash an empty header leaves in the path, as Hadoop's Path does", async () => {
    const { sink, ch, stub } = await setup({ 'hdfs.path': 'webhdfs://x/d/%{missing}/e/' });
    await put(ch, 0, 3);
    await sink.process();
    await sink.stop();
    expect([...stub.files.keys()][0]).toMatch(/^\/d\/e\/FlumeData\.\d+$/);
  });

  it('a file still open on the NameNode (its writer died with HDFS) is renamed only once the NameNode has closed it', async () => {
    stub = await startStub();
    const client = new WebHdfsClient({ baseUrl: stub.url, timeoutMs: 2000 });
    stub.files.set('/d/F.1.tmp', Buffer.from('committed\npartial'));
    stub.openForWrite.add('/d/F.1.tmp');
    const job = { client, tmpPath: '/d/F.1.tmp', finalPath: '/d/F.1', committedLength: 10, tries: 0, mayBeOpen: true };
    await expect(runCloseJob(job)).rejects.toMatchObject({ code: 'FLUME_HDFS_LEASE' });
    expect([...stub.files.keys()]).toEqual(['/d/F.1.tmp']);
    stub.openForWrite.clear(); // the NameNode recovered the lease
    expect(await runCloseJob(job)).toBe('renamed');
    expect(stub.files.get('/d/F.1')?.toString()).toBe('committed\n');
    // a closed file (the usual case) is not probed unless it may be open
    stub.files.set('/d/F.2.tmp', Buffer.from('x\n'));
    stub.log.length = 0;
    expect(await runCloseJob({ client, tmpPath: '/d/F.2.tmp', finalPath: '/d/F.2', committedLength: undefined, tries: 0 })).toBe('renamed');
    expect(stub.log.some((l) => l.startsWith('GET_BLOCK_LOCATIONS'))).toBe(false);
    client.destroy();
  });
});

describe('HDFS sink: bytes of a new file held for its CREATE while a backlog lasts', () => {
  const until = async (ok: () => boolean) => {
    for (const t0 = Date.now(); !ok() && Date.now() - t0 < 5000; ) await new Promise((r) => setTimeout(r, 5));
  };
  const writes = (s: Stub) => s.log.filter((l) => /^(CREATE|APPEND)/.test(l)).map((l) => l.split(' ')[0]);

  it('a backlog that fills files gives one CREATE per file and no APPEND; nothing commits before its CREATE', async () => {
    const { sink, ch, stub } = await setup({ 'hdfs.rollCount': '30' });
    await put(ch, 0, 100);
    for (let i = 0; i < 3; i++) await sink.process();
    // three full batches for the first file: held, nothing sent, nothing committed
    expect(writes(stub)).toEqual([]);
    expect(sink.counter.get('EventDrainSuccessCount')).toBe(0);
    for (let i = 0; i < 7; i++) await sink.process();
    await sink.settle();
    expect(sink.counter.get('EventDrainSuccessCount')).toBe(100);
    await sink.stop();
    expect(writes(stub)).toEqual(['CREATE', 'CREATE', 'CREATE', 'CREATE']);
    const files = [...stub.files.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, c]) => c.toString());
    expect(files).toEqual([expected(0, 30), expected(30, 30), expected(60, 30), expected(90, 10)]);
  });

  it('a partial batch (the channel ran dry) ships what is held at once', async () => {
    const { sink, ch, stub } = await setup();
    await put(ch, 0, 25);
    await sink.process();
    await sink.process();
    expect(writes(stub)).toEqual([]);
    await sink.process(); // 5 events: the backlog is gone
    await sink.settle();
    expect(writes(stub)).toEqual(['CREATE']);
    expect(sink.counter.get('EventDrainSuccessCount')).toBe(25);
    await sink.stop();
  });

  it('held bytes are shipped after hdfs.webhdfs.createLingerMs even while full batches keep coming', async () => {
    const { sink, ch, stub } = await setup({ 'hdfs.webhdfs.createLingerMs': '30' });
    await put(ch, 0, 20);
    await sink.process();
    await sink.process();
    expect(writes(stub)).toEqual([]);
    await until(() => sink.counter.get('EventDrainSuccessCount') >= 20);
    expect(sink.counter.get('EventDrainSuccessCount')).toBe(20);
    expect(writes(stub)).toEqual(['CREATE']);
    await sink.stop();
  });

  it('createLingerMs = 0 ships every batch at once, an already created file is never held, a full window ships', async () => {
    const a = await setup({ 'hdfs.webhdfs.createLingerMs': '0' });
    await put(a.ch, 0, 10);
    await a.sink.process();
    await until(() => writes(a.stub).length > 0);
    expect(writes(a.stub)).toEqual(['CREATE']);
    await a.sink.settle();
    await a.sink.stop();
    await a.stub.close();
    const b = await setup({ 'hdfs.webhdfs.transactionsInFlight': '2', 'hdfs.webhdfs.createLingerMs': '600000' });
    stub = b.stub;
    await put(b.ch, 0, 30);
    await b.sink.process(); // held
    await b.sink.process(); // the window (2) is full with it: both batches go
    await until(() => writes(b.stub).length > 0);
    expect(writes(b.stub)).toEqual(['CREATE']);
    await b.sink.settle();
    expect(b.sink.counter.get('EventDrainSuccessCount')).toBe(20);
    await b.sink.process(); // the file exists: an APPEND, never held
    await until(() => writes(b.stub).length > 1);
    expect(writes(b.stub)).toEqual(['CREATE', 'APPEND']);
    await b.sink.settle();
    await b.sink.stop();
  });
});

describe('HDFS sink: batch encoding', () => {
  /** Files by name (final names after stop), contents as text. */
  const filesOf = (s: Stub) => [...s.files.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, c]) => c.toString());

  it('rolls by rollCount inside a batch exactly where the per-event rule does (before the append)', async () => {
    const { sink, ch, stub } = await setup({ 'hdfs.rollCount': '4', 'hdfs.batchSize': '10' });
    await put(ch, 0, 10);
    await sink.process();
    await sink.settle();
    await sink.stop();
    expect(filesOf(stub)).toEqual([expected(0, 4), expected(4, 4), expected(8, 2)]);
  });

  it('rolls by rollSize after the event that reaches it; SliceEvent bodies (adjacent lines) are copied as they are', async () => {
    const { sink, ch, stub } = await setup({ 'hdfs.rollSize': '5', 'hdfs.batchSize': '10' });
    const { SliceEvent } = await import('../../../../src/core/event.js');
    const buf = Buffer.from('aa\nbbb\ncc\nd\neeeeee\nf\n');
    const events = [];
    for (let at = 0; at < buf.length; ) {
      const nl = buf.indexOf(0x0a, at);
      events.push(new SliceEvent(buf, at, nl));
      at = nl + 1;
    }
    const tx = ch.begin();
    tx.putAll(events);
    await tx.commit();
    await sink.process();
    await sink.settle();
    await sink.stop();
    // bodies 2,3 → 5 ≥ 5: roll; 2,1,6 → 9: roll; 1
    expect(filesOf(stub)).toEqual(['aa\nbbb\n', 'cc\nd\neeeeee\n', 'f\n']);
  });
});
