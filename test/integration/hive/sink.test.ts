// The hive sink against a real Hive 4.0.1 metastore and HDFS (harness services `hive`, `hdfs`), every result read
// back with Hive's own ACID reader (java/HiveAcidCheck.java): the course config (logsdb.weblogs, delimited input)
// and a JSON variant partitioned by escapes through one whole agent (netcat → memory → hive), a multi-bucket table
// whose bucket ids are compared with Hive's own hash (java/HiveBucketCheck.java), bad input, a non-transactional
// table, the metastore unreachable and back (through a TCP proxy the test cuts), and kill -9 of an agent with a
// file channel.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hiveSink } from '../../../src/components/sinks/hive/index.js';
import { Bucketer } from '../../../src/components/sinks/hive/bucket.js';
import { MetastoreClient, type TableInfo } from '../../../src/components/sinks/hive/metastore/client.js';
import { prim } from '../../../src/components/sinks/hive/orc/types.js';
import { createEvent } from '../../../src/core/event.js';
import type { Sink } from '../../../src/core/sink.js';
import { WebHdfsClient } from '../../../src/components/sinks/hdfs/webhdfs.js';
import { ackingNetcatClient, freePort, sendLines, startAgent, tmpDir, waitFor, type AgentProcess } from '../../support/agent-process.js';
import { create, memory } from '../../support/context.js';
import { type Services, useServices } from '../../support/services.js';
import { runHiveJava } from './helpers.js';

let svc: Services<'hdfs' | 'hive'>;
let ms: MetastoreClient;
let hdfs: WebHdfsClient;
let tmp: string;
const agents: AgentProcess[] = [];
const DB = 'logsdb';
const RUN = Date.now().toString(36);

beforeAll(async () => {
  svc = await useServices(['hdfs', 'hive']);
  ms = new MetastoreClient(svc.hive.metastore, 60_000);
  hdfs = new WebHdfsClient({ baseUrl: `http://${svc.hdfs.host}:${svc.hdfs.httpPort}`, user: svc.hdfs.user, timeoutMs: 60_000 });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hive-sink-'));
  await ms.createDatabase(DB, `${svc.hive.warehouse}/${DB}.db`);
}, 600_000);

afterAll(async () => {
  for (const a of agents) await a.stop('SIGKILL');
  ms?.close();
  hdfs?.destroy();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  await svc?.release();
});

const read = (table: string): string[] =>
  runHiveJava(path.join(tmp, 'classes'), 'HiveAcidCheck', [svc.hive.metastore, DB, table], { HADOOP_USER_NAME: svc.hdfs.user });

/** Polls Hive's reader until it sees `n` rows (each read is a JVM; bounded). */
async function readUntil(table: string, n: number, ms = 120_000): Promise<string[]> {
  let rows: string[] = [];
  await waitFor(() => (rows = read(table)).length >= n, `${n} rows in ${table}`, ms, 500);
  return rows;
}

async function table(
  name: string,
  cols: [string, string][],
  o: { buckets?: { n: number; cols: string[] }; parts?: string[]; params?: Record<string, string> } = {},
): Promise<TableInfo> {
  const t = `${name}_${RUN}`;
  await ms.createTable({
    db: DB,
    table: t,
    location: `${svc.hive.warehouse}/${DB}.db/${t}`,
    cols: cols.map(([n, type]) => ({ name: n, type })),
    partitionKeys: o.parts?.map((p) => ({ name: p, type: 'string' })),
    buckets: o.buckets ?? { n: 1, cols: [cols[0]![0]] },
    parameters: o.params ?? { transactional: 'true' },
  });
  return ms.getTable(DB, t);
}

const sinkProps = (t: string, extra = ''): string =>
  `type = hive
hive.metastore = ${svc.hive.metastore}
hive.database = ${DB}
hive.table = ${t}
hive.webhdfs.address = http://${svc.hdfs.host}:${svc.hdfs.httpPort}
${extra}`;

const prefixed = (prefix: string, props: string) =>
  props
    .trim()
    .split('\n')
    .map((l) => `${prefix}.${l.trim()}`)
    .join('\n');

describe('hive sink through whole agents', () => {
  it('the course config (logsdb.weblogs, DELIMITED, 4 buckets) and JSON with partitions from escapes', async () => {
    const weblogs = await table(
      'weblogs',
      [
        ['id', 'int'],
        ['ip', 'string'],
        ['url', 'string'],
        ['status', 'int'],
      ],
      { buckets: { n: 4, cols: ['ip'] }, params: { transactional: 'true', bucketing_version: '2' } },
    );
    const jsonT = await table(
      'weblogs_json',
      [
        ['id', 'int'],
        ['country', 'string'],
        ['msg', 'string'],
      ],
      { parts: ['day', 'ctry'] },
    );
    const [p1, p2] = [await freePort(), await freePort()];
    const conf = `a1.sources = r1 r2
a1.channels = c1 c2
a1.sinks = k1 k2
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${p1}
a1.sources.r1.channels = c1
a1.sources.r2.type = netcat
a1.sources.r2.bind = 127.0.0.1
a1.sources.r2.port = ${p2}
a1.sources.r2.channels = c2
a1.sources.r2.interceptors = ts rx
a1.sources.r2.interceptors.ts.type = timestamp
a1.sources.r2.interceptors.rx.type = regex_extractor
a1.sources.r2.interceptors.rx.regex = "country":"(\\\\w+)"
a1.sources.r2.interceptors.rx.serializers = s1
a1.sources.r2.interceptors.rx.serializers.s1.name = country
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.channels.c1.transactionCapacity = 1000
a1.channels.c2.type = memory
a1.channels.c2.capacity = 10000
a1.channels.c2.transactionCapacity = 1000
a1.sinks.k1.channel = c1
a1.sinks.k2.channel = c2
${prefixed('a1.sinks.k1', sinkProps(weblogs.table, 'serializer = DELIMITED\nserializer.delimiter = ","\nserializer.fieldnames = id,,ip,url,status\nbatchSize = 50'))}
${prefixed('a1.sinks.k2', sinkProps(jsonT.table, 'serializer = JSON\nhive.partition = %Y-%m-%d,%{country}\ntimeZone = UTC\nbatchSize = 40'))}
`;
    const agent = startAgent(conf);
    agents.push(agent);
    const ips = Array.from({ length: 40 }, (_, i) => `10.0.${i % 7}.${i}`);
    const lines = Array.from({ length: 200 }, (_, i) => `${i},skipped,${ips[i % 40]},/page/${i},${200 + (i % 3)}`);
    lines.push('999,only-three,10.9.9.9'); // fewer fields than serializer.fieldnames: url empty, status NULL
    await waitFor(() => canConnectPort(p2), 'agent listening', 60_000, 100);
    expect(await sendLines(p1, lines)).toEqual(lines.map(() => 'OK'));
    const json = Array.from({ length: 60 }, (_, i) => JSON.stringify({ id: i, country: i % 2 ? 'fr' : 'de', msg: `m ${i}`, extra: true }));
    json.push('{"id": 7, "country":"fr", "msg": ', '[1, 2]'); // malformed and not an object: logged and skipped
    expect(await sendLines(p2, json)).toEqual(json.map(() => 'OK'));

    const day = new Date().toISOString().slice(0, 10);
    const rows = await readUntil(weblogs.table, 201);
    const expected = lines.slice(0, 200).map((l) => {
      const [id, , ip, url, status] = l.split(',');
      return `${id}\t${ip}\t${url}\t${status}`;
    });
    expected.push('999\t10.9.9.9\t\t\\N');
    expect(rows.slice().sort()).toEqual(expected.sort());
    const jrows = await readUntil(jsonT.table, 60);
    const jexpected = Array.from({ length: 60 }, (_, i) => `${day}\t${i % 2 ? 'fr' : 'de'}\t${i}\t${i % 2 ? 'fr' : 'de'}\tm ${i}`);
    expect(jrows.slice().sort()).toEqual(jexpected.sort());
    // the malformed and the non-object JSON lines were skipped (Flume's "Parse failed"), not retried forever

    // the buckets: Hive's own hash (bucketing_version 2, Murmur3) gives the bucket our files were written to
    const hive = runHiveJava(path.join(tmp, 'classes'), 'HiveBucketCheck', ['string', '4', '2', ...ips]).map(Number);
    const ours = new Bucketer(weblogs, [
      { name: 'id', type: prim('int') },
      { name: 'ip', type: prim('string') },
    ]);
    expect(ips.map((ip) => ours.bucketOf([0, ip]))).toEqual(hive);
    expect(new Set(hive).size).toBeGreaterThan(1);
    const deltas = (await hdfs.listStatus(new URL(weblogs.location).pathname)).filter((f) => f.pathSuffix.startsWith('delta_'));
    const files = new Set<string>();
    for (const d of deltas) {
      for (const f of await hdfs.listStatus(`${new URL(weblogs.location).pathname}/${d.pathSuffix}`)) files.add(f.pathSuffix);
    }
    expect([...files].filter((f) => f.startsWith('bucket_')).sort()).toEqual([...new Set(hive)].sort().map((b) => `bucket_0000${b}`));
    await agent.stop();
  });
});

describe('hive sink failures (in-process sinks)', () => {
  it("a non-transactional table: the batch rolls back with Hive streaming's message", async () => {
    const t = await table('plain', [['id', 'int']], { params: {} });
    const ch = memory();
    const sink = create(
      hiveSink,
      { ...props(svc.hive.metastore, t.table), serializer: 'DELIMITED', 'serializer.fieldnames': 'id' },
      {
        name: 'k1',
        channel: ch,
      },
    ) as Sink;
    await sink.start();
    const tx = ch.begin();
    tx.putAll([createEvent('1')]);
    await tx.commit();
    await expect(sink.process()).rejects.toThrow(`Invalid table db:${DB}, table:${t.table}: is not an Acid table`);
    expect(ch.size()).toBe(1);
    await sink.stop();
  });

  it('the metastore unreachable, then back: nothing lost, nothing doubled', async () => {
    const t = await table('outage', [
      ['id', 'int'],
      ['msg', 'string'],
    ]);
    const proxy = await tcpProxy(svc.hive.port);
    const ch = memory();
    const raw = {
      ...props(`thrift://127.0.0.1:${proxy.port}`, t.table),
      serializer: 'DELIMITED',
      'serializer.fieldnames': 'id,msg',
      callTimeout: '3000',
      batchSize: '30',
    };
    const sink = create(hiveSink, raw, { name: 'k1', channel: ch }) as Sink;
    await sink.start();
    const put = async (from: number, n: number) => {
      const tx = ch.begin();
      tx.putAll(Array.from({ length: n }, (_, i) => createEvent(`${from + i},row ${from + i}`)));
      await tx.commit();
    };
    await put(0, 30);
    expect(await sink.process()).toBe('READY');
    proxy.cut(true);
    await put(30, 60);
    await expect(sink.process()).rejects.toThrow();
    await expect(sink.process()).rejects.toThrow();
    expect(ch.size()).toBe(60);
    proxy.cut(false);
    await waitFor(
      async () => {
        await sink.process().catch(() => undefined);
        return ch.size() === 0;
      },
      'drained after the outage',
      60_000,
      100,
    );
    await sink.stop();
    proxy.close();
    const rows = await readUntil(t.table, 90);
    expect(rows.slice().sort()).toEqual(Array.from({ length: 90 }, (_, i) => `${i}\trow ${i}`).sort());
  });
});

describe('hive sink: kill -9 of an agent with a file channel', () => {
  it('after the restart every acknowledged line is visible; duplicates at most one batch per kill', async () => {
    const t = await table('crash', [['line', 'string']]);
    const port = await freePort();
    const root = tmpDir('hive-crash-');
    const BATCH = 200;
    const conf = `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.ack-every-event = true
a1.sources.r1.channels = c1
a1.channels.c1.type = file
a1.channels.c1.checkpointDir = ${root}/checkpoint
a1.channels.c1.dataDirs = ${root}/data
a1.channels.c1.checkpointInterval = 500
a1.channels.c1.minimumRequiredSpace = 1048576
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.channel = c1
${prefixed('a1.sinks.k1', sinkProps(t.table, `serializer = DELIMITED\nserializer.fieldnames = line\nbatchSize = ${BATCH}`))}
`;
    const file = path.join(root, 'flume.conf');
    let agent = startAgent(conf, [], 'a1', { file });
    agents.push(agent);
    await waitFor(async () => (await canConnectPort(port)) || agent.child.exitCode !== null, 'agent listening', 60_000, 50);
    const acked = new Set<number>();
    const client = ackingNetcatClient(port, 0, 100, (n) => acked.add(n));
    // kill while Hive transactions are being committed (delta directories appear) and lines keep coming
    const loc = new URL(t.location).pathname;
    await waitFor(async () => (await hdfs.listStatus(loc).catch(() => [])).length >= 2, 'batches committing', 120_000, 20);
    await agent.stop('SIGKILL');
    await client.stop();
    const mport = await freePort();
    agent = startAgent(conf, ['-Dflume.monitoring.type=http', `-Dflume.monitoring.port=${mport}`], 'a1', { file });
    agents.push(agent);
    // the replayed channel drains (a cheap poll), then Hive reads once
    await waitFor(async () => (await channelSize(mport)) === 0, 'file channel drained after the restart', 180_000, 200);
    const rows = await readUntil(t.table, acked.size, 60_000);
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r, (counts.get(r) ?? 0) + 1);
    for (const n of acked) expect(counts.get(`n${n}`) ?? 0).toBeGreaterThanOrEqual(1);
    const dups = [...counts.values()].reduce((s, c) => s + c - 1, 0);
    // a batch committed in Hive but not yet in the channel when the agent died is taken again: at most one batch
    expect(dups).toBeLessThanOrEqual(BATCH);
    for (const r of counts.keys()) expect(Number(r.slice(1))).toBeLessThan(client.sent);
    await agent.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });
});

function props(metastore: string, t: string): Record<string, string> {
  return {
    'hive.metastore': metastore,
    'hive.database': DB,
    'hive.table': t,
    'hive.webhdfs.address': `http://${svc.hdfs.host}:${svc.hdfs.httpPort}`,
  };
}

async function channelSize(port: number): Promise<number> {
  try {
    const m = (await (await fetch(`http://127.0.0.1:${port}/metrics`)).json()) as Record<string, Record<string, string>>;
    return Number(m['CHANNEL.c1']?.ChannelSize ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

const canConnectPort = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

/** A TCP proxy to 127.0.0.1:`target`; cut(true) drops every connection and refuses new ones until cut(false). */
async function tcpProxy(target: number) {
  let down = false;
  const socks = new Set<net.Socket>();
  const server = net.createServer((c) => {
    if (down) return void c.destroy();
    const u = net.connect(target, '127.0.0.1');
    socks.add(c).add(u);
    c.pipe(u).pipe(c);
    const end = () => {
      c.destroy();
      u.destroy();
      socks.delete(c);
      socks.delete(u);
    };
    c.on('error', end).on('close', end);
    u.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut(on: boolean) {
      down = on;
      if (on) for (const s of socks) s.destroy();
    },
    close() {
      for (const s of socks) s.destroy();
      server.close();
    },
  };
}
