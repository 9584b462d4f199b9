/**
 * The HDFS sink against a real NameNode HA pair (Hadoop 3.4.1's MiniDFSCluster, HA topology, one private JVM): the
 * cluster is named only through Hadoop's client configuration (HADOOP_CONF_DIR: fs.defaultFS, dfs.nameservices,
 * dfs.ha.namenodes.<ns>, dfs.namenode.http-address.<ns>.<nn>), and the active NameNode is failed over mid-stream.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHaCluster, type HaCluster } from '../../../scripts/services/hdfs-ha.mjs';
import { hdfsSink } from '../../../src/components/sinks/hdfs/index.js';
import type { HdfsSink } from '../../../src/components/sinks/hdfs/sink.js';
import { WebHdfsClient } from '../../../src/components/sinks/hdfs/webhdfs.js';
import { tmpDir } from '../../support/agent-process.js';
import { create, memory } from '../../support/context.js';
import { lines, put } from './helpers.js';

const USER = 'flume';
let cluster: HaCluster | undefined;
let confDir: string;
const savedConfDir = process.env.HADOOP_CONF_DIR;

function writeConf(dir: string, c: HaCluster): void {
  const xml = (props: Record<string, string>) =>
    `<?xml version="1.0"?>\n<configuration>\n${Object.entries(props)
      .map(([k, v]) => `  <property><name>${k}</name><value>${v}</value></property>`)
      .join('\n')}\n</configuration>\n`;
  const ns = c.nameservice;
  writeFileSync(path.join(dir, 'core-site.xml'), xml({ 'fs.defaultFS': `hdfs://${ns}` }));
  const hdfs: Record<string, string> = {
    'dfs.nameservices': ns,
    [`dfs.ha.namenodes.${ns}`]: c.namenodes.map((n) => n.id).join(','),
  };
  for (const n of c.namenodes) {
    hdfs[`dfs.namenode.rpc-address.${ns}.${n.id}`] = n.rpc;
    hdfs[`dfs.namenode.http-address.${ns}.${n.id}`] = n.http;
  }
  writeFileSync(path.join(dir, 'hdfs-site.xml'), xml(hdfs));
}

beforeAll(async () => {
  const dir = tmpDir('hdfs-ha-');
  cluster = await startHaCluster(path.join(dir, 'cluster'));
  confDir = path.join(dir, 'conf');
  mkdirSync(confDir);
  writeConf(confDir, cluster);
  process.env.HADOOP_CONF_DIR = confDir;
}, 300_000);

afterAll(async () => {
  if (savedConfDir === undefined) delete process.env.HADOOP_CONF_DIR;
  else process.env.HADOOP_CONF_DIR = savedConfDir;
  await cluster?.stop();
}, 60_000);

/** Every line of every file under `dir`, read from the NameNode that is active now. */
async function readAll(dir: string): Promise<string[]> {
  const state = (await cluster!.state()).split(' ');
  const active = cluster!.namenodes[state.indexOf('active')]!;
  const fs = new WebHdfsClient({ baseUrl: `http://${active.http}`, user: USER, timeoutMs: 30_000 });
  const out: string[] = [];
  for (const f of await fs.listStatus(dir))
    out.push(
      ...(await fs.open(`${dir}/${f.pathSuffix}`))
        .toString()
        .split('\n')
        .filter((l) => l),
    );
  fs.destroy();
  return out;
}

describe('HDFS sink with NameNode HA (MiniDFSCluster)', () => {
  it('writes hdfs://<nameservice>/p and a relative path, fails over mid-stream, loses nothing', async () => {
    const ch = memory('c1', 100_000, 1000);
    const sink = create(
      hdfsSink,
      {
        'hdfs.path': `hdfs://${cluster!.nameservice}/ha`,
        'hdfs.fileType': 'DataStream',
        'hdfs.rollCount': '0',
        'hdfs.rollSize': '0',
        'hdfs.rollInterval': '0',
        'hdfs.batchSize': '20',
        'hdfs.retryInterval': '1',
        'hdfs.webhdfs.user': USER,
        'hdfs.webhdfs.transactionsInFlight': '2',
      },
      { name: 'k1', channel: ch },
    ) as unknown as HdfsSink;
    await sink.start();
    const N = 400;
    await put(ch, lines(N));
    let failures = 0;
    const errors: string[] = [];
    let failedOver = false;
    const attempt = (p: Promise<unknown>) =>
      p.catch((e: unknown) => {
        failures++;
        errors.push(String(e));
      });
    const end = Date.now() + 180_000;
    while (Date.now() < end) {
      // the active NameNode goes standby while transactions are on the wire
      if (!failedOver && Number(sink.counter.get('EventDrainSuccessCount')) >= N / 2) {
        expect(await cluster!.failover(0, 1)).toBe('ok');
        failedOver = true;
      }
      if (ch.size() > 0) await attempt(sink.process());
      else {
        await attempt(sink.settle());
        // a failure of the last transactions surfaces on the next process()
        if (ch.size() === 0) await attempt(sink.process());
        if (ch.size() === 0 && failedOver) break;
      }
    }
    await sink.stop();
    expect(failedOver).toBe(true);
    expect(ch.size(), errors.slice(0, 5).join('\n')).toBe(0);
    expect(await cluster!.state()).toBe('standby active');
    const got = await readAll('/ha');
    expect(new Set(got)).toEqual(new Set(lines(N).map((e) => e.body.toString())));
    expect(got.length - N).toBeLessThanOrEqual(failures * 20); // at most a retried batch again per failed attempt

    // a relative hdfs.path: the user's home directory on fs.defaultFS (the nameservice), no namenode written anywhere
    const ch2 = memory('c2', 1000, 100);
    const rel = create(
      hdfsSink,
      { 'hdfs.path': 'events', 'hdfs.fileType': 'DataStream', 'hdfs.batchSize': '10', 'hdfs.webhdfs.user': USER },
      { name: 'k2', channel: ch2 },
    ) as unknown as HdfsSink;
    await rel.start();
    await put(ch2, lines(10, 1000));
    while (ch2.size() > 0) await rel.process();
    await rel.settle();
    await rel.stop();
    expect((await readAll(`/user/${USER}/events`)).sort()).toEqual(
      lines(10, 1000)
        .map((e) => e.body.toString())
        .sort(),
    );
  }, 300_000);
});
