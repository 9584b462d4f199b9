/**
 * The HDFS sink against a real HDFS 3.4 (NameNode + DataNode from the service harness), driven directly with a
 * memory channel: file contents, naming, rolling by count/size/time/idle, escapes on real paths, SequenceFiles read
 * back by Hadoop's own SequenceFile.Reader, crash leftovers renamed on restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { useServices, type Services } from '../../support/services.js';
import type { WebHdfsClient } from '../../../src/components/sinks/hdfs/webhdfs.js';
import { createEvent } from '../../../src/core/event.js';
import { runCloseJob } from '../../../src/components/sinks/hdfs/bucket-writer.js';
import { clientFor, drainSink, lines, ls, makeSink, put, readWithHadoop, until } from './helpers.js';

let svc: Services<'hdfs'>;
let c: WebHdfsClient;
const root = `/it-sink-${process.pid}`;

beforeAll(async () => {
  svc = await useServices(['hdfs']);
  c = clientFor(svc);
});
afterAll(async () => {
  await c?.delete(root, true).catch(() => undefined);
  c?.destroy();
  await svc?.release();
});

describe('HDFS sink (DataStream)', () => {
  it('writes exactly the lines, as FlumeData.<counter> after close (classic example settings)', async () => {
    const dir = `${root}/classic`;
    const { sink, ch } = makeSink(svc, {
      'hdfs.path': `hdfs://${svc.hdfs.host}:${svc.hdfs.rpcPort}${dir}`,
      'hdfs.fileType': 'DataStream',
      'hdfs.writeFormat': 'Text',
      'hdfs.batchSize': '100',
      'hdfs.rollSize': '0',
      'hdfs.rollCount': '10000',
    });
    await sink.start();
    const t0 = Date.now();
    await put(ch, lines(250));
    await drainSink(sink, ch);
    // committed → already in HDFS, in the in-use file
    const open = await ls(c, dir);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatch(/^FlumeData\.\d{13}\.tmp$/);
    expect(Number(open[0]!.split('.')[1])).toBeGreaterThan(t0);
    expect((await c.open(`${dir}/${open[0]}`)).toString()).toBe(
      lines(250)
        .map((e) => `${e.body}\n`)
        .join(''),
    );
    expect(sink.counter.get('EventDrainSuccessCount')).toBe(250);
    await sink.stop();
    const closed = await ls(c, dir);
    expect(closed).toEqual([open[0]!.replace(/\.tmp$/, '')]);
    expect((await c.open(`${dir}/${closed[0]}`)).toString().split('\n')).toHaveLength(251);
  });

  it('rolls by count and by size (checked before each append, as Flume)', async () => {
    const dir = `${root}/count`;
    const { sink, ch } = makeSink(svc, {
      'hdfs.path': dir,
      'hdfs.fileType': 'DataStream',
      'hdfs.rollCount': '10',
      'hdfs.rollSize': '0',
      'hdfs.rollInterval': '0',
      'hdfs.batchSize': '7',
    });
    await sink.start();
    await put(ch, lines(35));
    await drainSink(sink, ch);
    const names = await ls(c, dir);
    expect(names.filter((n) => !n.endsWith('.tmp'))).toHaveLength(3);
    expect(names.filter((n) => n.endsWith('.tmp'))).toHaveLength(1);
    await sink.stop();
    const all = await ls(c, dir);
    const counts = await Promise.all(all.map(async (n) => (await c.open(`${dir}/${n}`)).toString().split('\n').length - 1));
    expect(counts.sort()).toEqual([10, 10, 10, 5]);
    // names are <prefix>.<counter>, counter incremented per file
    const ctr = all.map((n) => Number(n.split('.')[1])).sort();
    expect(ctr[3]! - ctr[0]!).toBe(3);

    const sdir = `${root}/size`;
    const s2 = makeSink(svc, {
      'hdfs.path': sdir,
      'hdfs.fileType': 'DataStream',
      'hdfs.rollCount': '0',
      'hdfs.rollSize': '100',
      'hdfs.rollInterval': '0',
    });
    await s2.sink.start();
    await put(
      s2.ch,
      Array.from({ length: 20 }, () => createEvent('x'.repeat(30))),
    );
    await drainSink(s2.sink, s2.ch);
    await s2.sink.stop();
    const sizes = (await c.listStatus(sdir)).map((s) => s.length).sort((a, b) => a - b);
    // 4 bodies of 30 bytes reach 100 → roll; each line is 31 bytes on disk
    expect(sizes).toEqual([124, 124, 124, 124, 124]);
  });

  it('rolls by time and closes idle files (listing shows the renamed files)', async () => {
    const dir = `${root}/time`;
    const { sink, ch } = makeSink(svc, {
      'hdfs.path': dir,
      'hdfs.fileType': 'DataStream',
      'hdfs.rollCount': '0',
      'hdfs.rollSize': '0',
      'hdfs.rollInterval': '1',
    });
    await sink.start();
    await put(ch, lines(5));
    await drainSink(sink, ch);
    expect((await ls(c, dir))[0]).toMatch(/\.tmp$/);
    await until(async () => (await ls(c, dir)).every((n) => !n.endsWith('.tmp')), 'time roll');
    expect(sink.openBuckets).toEqual([]);
    await put(ch, lines(5, 5));
    await drainSink(sink, ch);
    expect(await ls(c, dir)).toHaveLength(2);
    await sink.stop();

    const idir = `${root}/idle`;
    const s2 = makeSink(svc, {
      'hdfs.path': idir,
      'hdfs.fileType': 'DataStream',
      'hdfs.rollCount': '0',
      'hdfs.rollSize': '0',
      'hdfs.rollInterval': '0',
      'hdfs.idleTimeout': '1',
    });
    await s2.sink.start();
    await put(s2.ch, lines(3));
    await drainSink(s2.sink, s2.ch);
    await until(async () => (await ls(c, idir)).length === 1 && !(await ls(c, idir))[0]!.endsWith('.tmp'), 'idle close');
    expect((await c.open(`${idir}/${(await ls(c, idir))[0]}`)).toString()).toBe('line 0\nline 1\nline 2\n');
    await s2.sink.stop();
  });

  it('expands escapes with rounding and a time zone into real directories; header_and_text serializer', async () => {
    const ts = Date.UTC(2012, 5, 12, 11, 54, 34); // 2012-06-12 11:54:34 UTC = 07:54:34 in New York
    const { sink, ch } = makeSink(svc, {
      'hdfs.path': `${root}/esc/%{app}/%Y-%m-%d/%H%M/%S`,
      'hdfs.filePrefix': 'ev-%{host}',
      'hdfs.fileType': 'DataStream',
      'hdfs.round': 'true',
      'hdfs.roundValue': '10',
      'hdfs.roundUnit': 'minute',
      'hdfs.timeZone': 'America/New_York',
      'hdfs.inUsePrefix': '_',
      'hdfs.fileSuffix': '.log',
      serializer: 'header_and_text',
    });
    await sink.start();
    await put(ch, [
      createEvent('a', { timestamp: String(ts), app: 'web', host: 'h1' }),
      createEvent('b', { timestamp: String(ts + 10 * 60_000), app: 'web', host: 'h1' }),
      createEvent('c', { timestamp: String(ts), app: 'db', host: 'h2' }),
    ]);
    await drainSink(sink, ch);
    expect(await ls(c, `${root}/esc/web/2012-06-12`)).toEqual(['0750', '0800']);
    const f = await ls(c, `${root}/esc/web/2012-06-12/0750/00`);
    expect(f[0]).toMatch(/^_ev-h1\.\d+\.log\.tmp$/);
    await sink.stop();
    const g = await ls(c, `${root}/esc/db/2012-06-12/0750/00`);
    expect(g[0]).toMatch(/^ev-h2\.\d+\.log$/);
    expect((await c.open(`${root}/esc/db/2012-06-12/0750/00/${g[0]}`)).toString()).toBe(`{app=db, host=h2, timestamp=${ts}} c\n`); // Java HashMap order, as Flume prints it;
  });

  it('closes the least recently used bucket beyond hdfs.maxOpenFiles', async () => {
    const { sink, ch } = makeSink(svc, {
      'hdfs.path': `${root}/lru/%{b}`,
      'hdfs.fileType': 'DataStream',
      'hdfs.maxOpenFiles': '2',
      'hdfs.rollCount': '0',
      'hdfs.rollSize': '0',
    });
    await sink.start();
    await put(ch, [createEvent('1', { b: 'a' }), createEvent('2', { b: 'b' }), createEvent('3', { b: 'a' }), createEvent('4', { b: 'c' })]);
    await drainSink(sink, ch);
    // b was least recently used when c arrived: closed and renamed; a and c still in use
    expect((await ls(c, `${root}/lru/b`))[0]).not.toMatch(/\.tmp$/);
    expect((await ls(c, `${root}/lru/a`))[0]).toMatch(/\.tmp$/);
    expect((await ls(c, `${root}/lru/c`))[0]).toMatch(/\.tmp$/);
    expect(sink.openBuckets.map((k) => k.split('/').slice(-2)[0])).toEqual(['a', 'c']);
    await sink.stop();
    expect((await c.open(`${root}/lru/a/${(await ls(c, `${root}/lru/a`))[0]}`)).toString()).toBe('1\n3\n');
  });

  it('an event without a timestamp stays in the channel with an error naming the header and the fixes', async () => {
    const { sink, ch } = makeSink(svc, { 'hdfs.path': `${root}/nots/%Y`, 'hdfs.fileType': 'DataStream' });
    await sink.start();
    await put(ch, [createEvent('x')]);
    await expect(sink.process()).rejects.toThrow(/timestamp.*(useLocalTimeStamp|interceptor)/);
    expect(ch.size()).toBe(1);
    expect(await c.getFileStatus(`${root}/nots`)).toBeUndefined();
    await sink.stop();
  });

  it('CompressedStream gzip: one gzip member per flush, .gz extension', async () => {
    const dir = `${root}/gz`;
    const { sink, ch } = makeSink(svc, {
      'hdfs.path': dir,
      'hdfs.fileType': 'CompressedStream',
      'hdfs.codeC': 'gzip',
      'hdfs.batchSize': '10',
      'hdfs.rollCount': '0',
      'hdfs.rollSize': '0',
    });
    await sink.start();
    await put(ch, lines(25));
    await drainSink(sink, ch);
    await sink.stop();
    const [name] = await ls(c, dir);
    expect(name).toMatch(/^FlumeData\.\d+\.gz$/);
    expect(gunzipSync(await c.open(`${dir}/${name}`)).toString()).toBe(
      lines(25)
        .map((e) => `${e.body}\n`)
        .join(''),
    );
  });
});

describe('HDFS sink (SequenceFile) read back by Hadoop', () => {
  it('Writable, Text and block-compressed (DefaultCodec) files', async () => {
    const ts = 1700000000000;
    const files: string[] = [];
    for (const [sub, extra] of [
      ['w', {}],
      ['t', { 'hdfs.writeFormat': 'Text' }],
      ['d', { 'hdfs.codeC': 'default' }],
      ['g', { 'hdfs.codeC': 'gzip' }],
    ] as const) {
      const dir = `${root}/seq-${sub}`;
      const { sink, ch } = makeSink(svc, {
        'hdfs.path': dir,
        'hdfs.rollCount': '0',
        'hdfs.rollSize': '0',
        'hdfs.batchSize': '50',
        ...extra,
      });
      await sink.start();
      await put(
        ch,
        Array.from({ length: 120 }, (_, i) => createEvent(`rec ${i} ✓`, { timestamp: String(ts + i) })),
      );
      await drainSink(sink, ch);
      await sink.stop();
      const [name] = await ls(c, dir);
      files.push(`${dir}/${name}`);
    }
    expect(files[2]).toMatch(/\.deflate$/);
    const out = readWithHadoop(svc, files).trim().split('\n');
    const expected = Array.from({ length: 120 }, (_, i) => `${ts + i}\trec ${i} ✓`);
    const blocks = out
      .join('\n')
      .split(/^# .*$/m)
      .slice(1)
      .map((b) => b.trim().split('\n'));
    expect(out.filter((l) => l.startsWith('#'))).toEqual([
      '# org.apache.hadoop.io.LongWritable org.apache.hadoop.io.BytesWritable none NONE',
      '# org.apache.hadoop.io.LongWritable org.apache.hadoop.io.Text none NONE',
      '# org.apache.hadoop.io.LongWritable org.apache.hadoop.io.BytesWritable org.apache.hadoop.io.compress.DefaultCodec BLOCK',
      '# org.apache.hadoop.io.LongWritable org.apache.hadoop.io.BytesWritable org.apache.hadoop.io.compress.GzipCodec BLOCK',
    ]);
    for (const b of blocks) expect(b).toEqual(expected);
  });
});

describe('HDFS sink: compressed files read back by Hadoop codecs', () => {
  it('CompressedStream gzip, default and snappy; SequenceFile block-compressed with snappy', async () => {
    const paths: string[] = [];
    for (const codec of ['gzip', 'default', 'snappy']) {
      const dir = `${root}/cs-${codec}`;
      const { sink, ch } = makeSink(svc, {
        'hdfs.path': dir,
        'hdfs.fileType': 'CompressedStream',
        'hdfs.codeC': codec,
        'hdfs.batchSize': '100',
        'hdfs.rollCount': '0',
        'hdfs.rollSize': '0',
      });
      await sink.start();
      await put(ch, lines(1000));
      await drainSink(sink, ch);
      await sink.stop();
      paths.push(`text:${dir}/${(await ls(c, dir))[0]}`);
    }
    const sdir = `${root}/seq-snappy`;
    const s = makeSink(svc, {
      'hdfs.path': sdir,
      'hdfs.codeC': 'snappy',
      'hdfs.batchSize': '100',
      'hdfs.rollCount': '0',
      'hdfs.rollSize': '0',
    });
    await s.sink.start();
    await put(
      s.ch,
      Array.from({ length: 300 }, (_, i) => createEvent(`s${i}`, { timestamp: String(1000 + i) })),
    );
    await drainSink(s.sink, s.ch);
    await s.sink.stop();
    paths.push(`${sdir}/${(await ls(c, sdir))[0]}`);
    expect(paths.map((p) => p.slice(p.lastIndexOf('.')))).toEqual(['.gz', '.deflate', '.snappy', '.snappy']);
    const out = readWithHadoop(svc, paths);
    const sections = out.split(/^# /m).slice(1);
    const text = lines(1000)
      .map((e) => `${e.body}\n`)
      .join('');
    expect(sections[0]).toBe(`org.apache.hadoop.io.compress.GzipCodec\n${text}`);
    // Hadoop picks its codec by extension: .deflate → DeflateCodec (the same zlib stream as DefaultCodec)
    expect(sections[1]).toBe(`org.apache.hadoop.io.compress.DeflateCodec\n${text}`);
    expect(sections[2]).toBe(`org.apache.hadoop.io.compress.SnappyCodec\n${text}`);
    expect(sections[3]).toBe(
      `org.apache.hadoop.io.LongWritable org.apache.hadoop.io.BytesWritable org.apache.hadoop.io.compress.SnappyCodec BLOCK\n` +
        Array.from({ length: 300 }, (_, i) => `${1000 + i}\ts${i}\n`).join(''),
    );
  });
});

describe('HDFS sink recovery', () => {
  it('renames in-use files left by a crash when it first writes to their bucket again', async () => {
    const dir = `${root}/crash`;
    const a = makeSink(svc, { 'hdfs.path': dir, 'hdfs.fileType': 'DataStream', 'hdfs.rollCount': '0', 'hdfs.rollSize': '0' });
    await a.sink.start();
    await put(a.ch, lines(10));
    await drainSink(a.sink, a.ch);
    // crash: no stop(), the file stays FlumeData.<n>.tmp
    const [left] = await ls(c, dir);
    expect(left).toMatch(/\.tmp$/);
    // an unrelated file with another prefix is left alone
    await c.create(`${dir}/Other.1.tmp`, Buffer.from('x'));
    const b = makeSink(svc, { 'hdfs.path': dir, 'hdfs.fileType': 'DataStream', 'hdfs.rollCount': '0', 'hdfs.rollSize': '0' });
    await b.sink.start();
    await put(b.ch, lines(1, 10));
    await drainSink(b.sink, b.ch);
    const names = await ls(c, dir);
    expect(names).toContain(left!.replace(/\.tmp$/, ''));
    expect(names).toContain('Other.1.tmp');
    expect(names.filter((n) => n.startsWith('FlumeData') && n.endsWith('.tmp'))).toHaveLength(1);
    await b.sink.stop();
  });

  it('cuts an abandoned file back to its committed length (or deletes it) before renaming it', async () => {
    const dir = `${root}/abandon`;
    await c.create(`${dir}/F.1.tmp`, Buffer.from('committed\npartial li'));
    // a cut inside a block: the first attempts wait for the NameNode's block recovery, as the closer's retries do
    const job = { client: c, tmpPath: `${dir}/F.1.tmp`, finalPath: `${dir}/F.1`, committedLength: 10, tries: 0, mayBeOpen: true };
    await until(async () => (await runCloseJob(job).catch(() => 'not yet')) === 'renamed', 'truncated, then renamed');
    expect((await c.getFileStatus(`${dir}/F.1`))?.length).toBe(10);
    expect((await c.open(`${dir}/F.1`)).toString()).toBe('committed\n');
    await c.create(`${dir}/F.2.tmp`, Buffer.from('never committed'));
    expect(await runCloseJob({ client: c, tmpPath: `${dir}/F.2.tmp`, finalPath: `${dir}/F.2`, committedLength: 0, tries: 0 })).toBe(
      'deleted',
    );
    expect(await runCloseJob({ client: c, tmpPath: `${dir}/F.3.tmp`, finalPath: `${dir}/F.3`, committedLength: 0, tries: 0 })).toBe('gone');
    expect(await ls(c, dir)).toEqual(['F.1']);
  });
});
