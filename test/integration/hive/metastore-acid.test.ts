// The hive sink's metastore client and ACID delta writer against a real Hive 4.0.1 metastore (harness service
// `hive`, warehouse on the harness HDFS): table checks with Hive streaming's messages, a transaction per batch
// (open_txns, allocate_table_write_ids, lock, heartbeat, commit / abort) and deltas written through WebHDFS, checked
// with orc-tools, then read back by Hive's own ACID reader (java/HiveAcidCheck.java: hive-exec's OrcInputFormat with
// the metastore's valid write ids): committed rows are visible, an aborted transaction's rows are not.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureArtifacts, JAVA17_OPENS } from '../../../scripts/services/lib.mjs';
import { WebHdfsClient } from '../../../src/components/sinks/hdfs/webhdfs.js';
import { AcidDeltaFile, writeDelta } from '../../../src/components/sinks/hive/acid.js';
import { checkStreamingTable } from '../../../src/components/sinks/hive/endpoint.js';
import { LockState, MetastoreClient, type TableInfo } from '../../../src/components/sinks/hive/metastore/client.js';
import type { OrcValue } from '../../../src/components/sinks/hive/orc/columns.js';
import { parseHiveType } from '../../../src/components/sinks/hive/orc/types.js';
import { type Services, useServices } from '../../support/services.js';

let svc: Services<'hdfs' | 'hive'>;
let ms: MetastoreClient;
let hdfs: WebHdfsClient;
let tmp: string;

const DB = 'logsdb';
/** Table names are unique per run: a reused metastore keeps the tables of earlier runs. */
const RUN = Date.now().toString(36);

beforeAll(async () => {
  svc = await useServices(['hdfs', 'hive']);
  ms = new MetastoreClient(svc.hive.metastore, 60_000);
  hdfs = new WebHdfsClient({ baseUrl: `http://${svc.hdfs.host}:${svc.hdfs.httpPort}`, user: svc.hdfs.user, timeoutMs: 60_000 });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hive-acid-'));
  await ms.createDatabase(DB, `${svc.hive.warehouse}/${DB}.db`);
});

afterAll(async () => {
  ms?.close();
  hdfs?.destroy();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  await svc?.release();
});

/** The ORC project's own dumper (orc-tools uber jar). */
function orcTools(cmd: 'data' | 'meta', file: string): string {
  const jar = path.join(ensureArtifacts('orc-tools'), 'orc-tools-1.9.4-uber.jar');
  const r = spawnSync('java', ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-jar', jar, cmd, file], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`orc-tools ${cmd} failed: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

const javaTool = (name: string) => (process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', name) : name);

/** Classpath of HiveAcidCheck: the metastore client, hive-exec (OrcInputFormat, AcidUtils) and Hadoop. */
function hiveClasspath(): string {
  const dist = ensureArtifacts('hive');
  const home = fs.readdirSync(dist).find((f) => f.startsWith('apache-hive-metastore-'));
  if (!home) throw new Error(`no apache-hive-metastore-* directory in ${dist}`);
  return [path.join(dist, home, 'lib', '*'), path.join(ensureArtifacts('hive-exec'), '*'), path.join(ensureArtifacts('hdfs'), '*')].join(
    path.delimiter,
  );
}

/** Reads the table with Hive's ACID reader; returns the visible rows ("id\tmsg") and its stderr. */
function hiveAcidRead(table: string): { rows: string[]; log: string } {
  const classes = path.join(tmp, 'classes');
  if (!fs.existsSync(path.join(classes, 'HiveAcidCheck.class'))) {
    const src = path.join(import.meta.dirname, 'java', 'HiveAcidCheck.java');
    const javac = javaTool('javac');
    const c = spawnSync(javac, ['-nowarn', '-d', classes, '-cp', hiveClasspath(), src], { encoding: 'utf8', timeout: 180_000 });
    if (c.status !== 0) throw new Error(`javac HiveAcidCheck failed: ${c.stderr.slice(-2000)}`);
  }
  const args = ['-Xmx256m', '-XX:TieredStopAtLevel=1', ...JAVA17_OPENS, '-cp', `${classes}${path.delimiter}${hiveClasspath()}`];
  const r = spawnSync(javaTool('java'), [...args, 'HiveAcidCheck', svc.hive.metastore, DB, table], {
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, HADOOP_USER_NAME: svc.hdfs.user },
  });
  if (r.status !== 0) throw new Error(`HiveAcidCheck failed (${r.status}): ${r.stderr.slice(-3000)}`);
  return { rows: r.stdout.split('\n').filter((l) => l !== ''), log: r.stderr };
}

const hdfsPath = (location: string) => new URL(location).pathname;

async function createTable(name: string, opts: { transactional?: boolean; buckets?: number; partitioned?: boolean }): Promise<TableInfo> {
  const table = `${name}_${RUN}`;
  await ms.createTable({
    db: DB,
    table,
    location: `${svc.hive.warehouse}/${DB}.db/${table}`,
    cols: [
      { name: 'id', type: 'int' },
      { name: 'msg', type: 'string' },
    ],
    partitionKeys: opts.partitioned ? [{ name: 'day', type: 'string' }] : undefined,
    buckets: opts.buckets ? { n: opts.buckets, cols: ['id'] } : undefined,
    parameters: opts.transactional === false ? {} : { transactional: 'true' },
  });
  return ms.getTable(DB, table);
}

/** One streaming transaction: open, write id, lock, delta, heartbeat, then commit (or abort). */
async function batch(t: TableInfo, rows: OrcValue[][], outcome: 'commit' | 'abort', part?: { name: string; location: string }) {
  const [txn] = await ms.openTxns(1);
  const [writeId] = await ms.allocateWriteIds(t.db, t.table, [txn]);
  const lock = await ms.lock(txn, t.db, t.table, part?.name);
  expect(lock.state).toBe(LockState.ACQUIRED);
  expect(await ms.checkLock(lock.lockId, txn)).toBe(LockState.ACQUIRED);
  const rowType = parseHiveType(`struct<${t.cols.map((c) => `${c.name}:${c.type}`).join(',')}>`);
  const delta = new AcidDeltaFile(rowType, writeId);
  for (const r of rows) delta.insert(r);
  const dir = await writeDelta(hdfs, hdfsPath(part?.location ?? t.location), delta);
  expect((await ms.heartbeat(txn, txn)).aborted).toEqual([]);
  if (outcome === 'commit') await ms.commitTxn(txn);
  else await ms.abortTxns([txn]);
  return { txn, writeId, dir };
}

describe('hive sink pieces against a real Hive 4 metastore', () => {
  it("table checks give Hive streaming's messages", async () => {
    const plain = await createTable('plain_t', { transactional: false, buckets: 1 });
    const e = { metaStoreUri: svc.hive.metastore, database: DB, table: plain.table, partitionVals: [] };
    expect(() => checkStreamingTable(plain, e)).toThrow(`Invalid table db:logsdb, table:plain_t_${RUN}: is not an Acid table`);
    const unbucketed = await createTable('unbucketed_t', {});
    expect(() => checkStreamingTable(unbucketed, { ...e, table: unbucketed.table })).toThrow(
      `Cannot stream to table that has not been bucketed : {metaStoreUri: '${svc.hive.metastore}', database:'logsdb', ` +
        `table:'unbucketed_t_${RUN}', partitionVals:[] }`,
    );
    await expect(ms.getTable(DB, 'no_such_table')).rejects.toMatchObject({ code: 'FLUME_HIVE_METASTORE' });
  });

  it("a transaction per batch: committed and aborted deltas, checked by orc-tools and read back by Hive's ACID reader", async () => {
    const t = await createTable('weblogs', { buckets: 1 });
    checkStreamingTable(t, { metaStoreUri: svc.hive.metastore, database: DB, table: t.table, partitionVals: [] });
    const first = Array.from({ length: 1000 }, (_, i) => [i, `GET /page/${i} 200`]);
    const a = await batch(t, first, 'commit');
    expect(a.dir).toMatch(/\/delta_\d{7}_\d{7}$/);
    const b = await batch(t, [[5000, 'aborted row']], 'abort');
    expect((await ms.heartbeat(b.txn, b.txn)).aborted).toEqual([b.txn]);
    await expect(ms.commitTxn(b.txn)).rejects.toThrow(`Transaction txnid:${b.txn} already aborted`);
    const last = [
      [7000, 'after the aborted batch'],
      [7001, null],
    ];
    const c = await batch(t, last, 'commit');
    const names = (await hdfs.listStatus(hdfsPath(t.location))).map((f) => f.pathSuffix).sort();
    expect(names).toEqual([a.dir, b.dir, c.dir].map((d) => path.basename(d)).sort());
    expect((await hdfs.open(`${a.dir}/_orc_acid_version`)).toString()).toBe('2');
    const file = path.join(tmp, 'bucket_00000');
    fs.writeFileSync(file, await hdfs.open(`${a.dir}/bucket_00000`));
    const rows = orcTools('data', file)
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(rows.length).toBe(1000);
    const w = Number(a.writeId);
    rows.forEach((r, i) => {
      expect(r).toEqual({
        operation: 0,
        originalTransaction: w,
        bucket: 536870912,
        rowId: i,
        currentTransaction: w,
        row: { id: i, msg: `GET /page/${i} 200` },
      });
    });
    const meta = orcTools('meta', file);
    expect(meta).toContain(`hive.acid.key.index=${w},536870912,999;`);
    expect(meta).toContain('hive.acid.stats=1000,0,0');
    expect(meta).toContain('hive.acid.version=2');

    // Hive's own reader: the rows of both committed transactions, none of the aborted one.
    const read = hiveAcidRead(t.table);
    expect(read.log).toContain(`write ids ${DB}.${t.table}:${c.writeId}:9223372036854775807::${b.writeId}`);
    const committed = [...first, ...last].map(([id, msg]) => `${id}\t${msg ?? '\\N'}`);
    expect(read.rows.slice().sort()).toEqual(committed.slice().sort());
    expect(read.rows.some((l) => l.startsWith('5000\t'))).toBe(false);
  });

  it("a partitioned table: each partition's deltas are read back by Hive's ACID reader", async () => {
    const t = await createTable('daily', { buckets: 1, partitioned: true });
    const days = ['2026-11-30', '2026-12-01'];
    const expected: string[] = [];
    for (const [d, day] of days.entries()) {
      const location = `${t.location}/day=${day}`;
      await ms.addPartition(t, [day], location);
      expect(await ms.getPartitionLocation(DB, t.table, [day])).toBe(location);
      const rows = Array.from({ length: 3 }, (_, i) => [d * 10 + i, `event ${i} of ${day}`]);
      await batch(t, rows, 'commit', { name: `day=${day}`, location });
      await batch(t, [[999, `aborted on ${day}`]], 'abort', { name: `day=${day}`, location });
      expected.push(...rows.map(([id, msg]) => `${day}\t${id}\t${msg}`));
    }
    const read = hiveAcidRead(t.table);
    expect(read.rows.slice().sort()).toEqual(expected.slice().sort());
  });
});
