// Benchmark scenarios: one small entry each. Both agents get the very same properties file.
//
// A scenario is:
//   description   one line for the report
//   load          { kind: 'netcat', lineSize } — the generator (bench/loadgen.mjs) writes to the source port
//   config(ctx)   agent `a1` properties text; ctx = { port, outDir, dataDir, lineSize }
//   verify        'counters' — loss = sent − SINK.k1.EventDrainSuccessCount (null sink: nothing to read back)
//                 'file_roll' — read ctx.outDir back, check every sequence number once (loss and duplicates)
//
// Add s2 (file channel) / s3 (avro two-tier) as further entries; a scenario that needs a second agent process
// (s3) can return `tiers: [{ name, config }]` later — run.mjs starts `config` for the single-tier ones.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hbaseToolSync } from '../scripts/services/hbase.mjs';
import { liveService } from '../scripts/services/lib.mjs';
import { KAFKA_GROUPS, KAFKA_SCENARIOS } from './kafka-scenarios.mjs';

/** @typedef {{ port: number, outDir: string, dataDir: string, lineSize: number }} Ctx */

/**
 * The classic HDFS example's sink (DataStream, rollSize 0, rollCount 10000) against the harness's running HDFS
 * (`npm run services -- start hdfs` first). hdfs.webhdfs.address is flume-ts's; Flume ignores it.
 * @param {Ctx} c @param {number} batch
 */
function hdfsSink(c, batch) {
  const h = liveService('hdfs');
  if (!h) throw new Error('hdfs scenarios need a running HDFS: npm run services -- start hdfs');
  const run = path.basename(path.dirname(c.outDir));
  return [
    'a1.sinks.k1.type = hdfs',
    `a1.sinks.k1.hdfs.path = hdfs://${h.host}:${h.ports.rpc}/bench/${run}-${process.pid}`,
    'a1.sinks.k1.hdfs.fileType = DataStream',
    `a1.sinks.k1.hdfs.batchSize = ${batch}`,
    'a1.sinks.k1.hdfs.rollSize = 0',
    'a1.sinks.k1.hdfs.rollCount = 10000',
    `a1.sinks.k1.hdfs.webhdfs.address = ${h.host}:${h.ports.http}`,
  ].join('\n');
}

/** The harness's running Hive metastore and HDFS (`npm run services -- start hive` first). */
function hiveService() {
  const h = liveService('hive');
  const d = liveService('hdfs');
  if (!h || !d) throw new Error('hive scenarios need a running Hive metastore: npm run services -- start hive');
  return { metastore: `thrift://${h.host}:${h.ports.thrift}`, hdfs: d };
}

/** A transactional one-bucket table per run (created through the sink's own metastore client, from dist/). @param {Ctx} c */
function hivePrepare(c) {
  const { metastore, hdfs } = hiveService();
  const table = benchTable(c);
  const script = `
    const { MetastoreClient } = await import(${JSON.stringify(path.resolve(import.meta.dirname, '..', 'dist/components/sinks/hive/metastore/client.js'))});
    const ms = new MetastoreClient(${JSON.stringify(metastore)}, 60000);
    const wh = 'hdfs://${hdfs.host}:${hdfs.ports.rpc}/warehouse/logsdb.db';
    await ms.createDatabase('logsdb', wh);
    await ms.createTable({ db: 'logsdb', table: '${table}', location: wh + '/${table}', cols: [{ name: 'line', type: 'string' }],
      buckets: { n: 1, cols: ['line'] }, parameters: { transactional: 'true' } });
    ms.close();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`creating the hive bench table failed: ${r.stderr}`);
}

/** The hive sink (DELIMITED, one string column) into the table of hivePrepare. @param {Ctx} c @param {number} batch */
function hiveSink(c, batch) {
  const { metastore, hdfs } = hiveService();
  return [
    'a1.sinks.k1.type = hive',
    `a1.sinks.k1.hive.metastore = ${metastore}`,
    'a1.sinks.k1.hive.database = logsdb',
    `a1.sinks.k1.hive.table = ${benchTable(c)}`,
    'a1.sinks.k1.serializer = DELIMITED',
    'a1.sinks.k1.serializer.fieldnames = line',
    `a1.sinks.k1.batchSize = ${batch}`,
    `a1.sinks.k1.hive.webhdfs.address = ${hdfs.host}:${hdfs.ports.http}`,
    '# the memory channel must take a whole batch',
    `a1.channels.c1.transactionCapacity = ${Math.max(batch, 10000)}`,
  ].join('\n');
}

/** The harness's running HBase (`npm run services -- start hbase` first). */
function hbaseQuorum() {
  const h = liveService('hbase');
  if (!h) throw new Error('hbase scenarios need a running HBase: npm run services -- start hbase');
  warnSmallHbaseHeap(h.pids[0]);
  return `${h.host}:${h.ports.zookeeper}`;
}

let heapWarned = false;
/**
 * The harness starts HBase with a 384 MiB heap (enough for the tests), and 20 % of it for memstores: at these rates
 * the region server then blocks every write until a flush ends, and both agents measure HBase's flushes, not their
 * own work. bench/all.mjs starts it with 2 GiB; this warns when the running one has less.
 * @param {number} pid
 */
function warnSmallHbaseHeap(pid) {
  if (heapWarned) return;
  heapWarned = true;
  let xmx;
  try {
    xmx = /-Xmx(\d+)([kmg]?)/i.exec(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
  } catch {
    return;
  }
  const mib = xmx ? Number(xmx[1]) * ({ k: 1 / 1024, m: 1, g: 1024 }[xmx[2].toLowerCase()] ?? 1 / 1048576) : 0;
  if (mib < 2048) {
    process.stderr.write(
      `[bench] the running HBase has a ${xmx?.[0] ?? 'default'} heap: its memstores fill and block writes, so the ` +
        'hbase scenarios measure its flushes. For agent figures: npm run services -- stop hbase; ' +
        'FLUME_TS_HBASE_HEAP=2g npm run services -- start hbase\n',
    );
  }
}

/** One table per run (created by `prepare` with HBase's Java client). @param {Ctx} c */
const benchTable = (c) => `bench_${path.basename(path.dirname(c.outDir)).replace(/[^A-Za-z0-9_]/g, '_')}`;

/**
 * The course's HBase sink: hbase2 + RegexHBase2EventSerializer with its defaults (the body into cf:payload, row key
 * `<millis>-<random>-<counter>`), against the harness's HBase.
 * @param {Ctx} c @param {number} batch
 */
function hbaseSink(c, batch) {
  return [
    'a1.sinks.k1.type = hbase2',
    `a1.sinks.k1.table = ${benchTable(c)}`,
    'a1.sinks.k1.columnFamily = cf',
    `a1.sinks.k1.zookeeperQuorum = ${hbaseQuorum()}`,
    `a1.sinks.k1.batchSize = ${batch}`,
    'a1.sinks.k1.serializer = org.apache.flume.sink.hbase2.RegexHBase2EventSerializer',
  ].join('\n');
}

/** @param {Ctx} c @param {{ sink: string, ack?: boolean }} o */
function netcatMemory(c, o) {
  return [
    'a1.sources = r1',
    'a1.channels = c1',
    'a1.sinks = k1',
    '',
    'a1.sources.r1.type = netcat',
    'a1.sources.r1.bind = 127.0.0.1',
    `a1.sources.r1.port = ${c.port}`,
    `a1.sources.r1.ack-every-event = ${o.ack ? 'true' : 'false'}`,
    `a1.sources.r1.max-line-length = ${Math.max(512, c.lineSize * 2)}`,
    'a1.sources.r1.channels = c1',
    '',
    'a1.channels.c1.type = memory',
    'a1.channels.c1.capacity = 100000',
    'a1.channels.c1.transactionCapacity = 10000',
    '',
    o.sink,
    'a1.sinks.k1.channel = c1',
    '',
  ].join('\n');
}

/**
 * s2: seq → file channel → null. The seq source generates its own load (no load generator, no port): both agents
 * run flat out and the sink's committed takes are counted. fsyncPerTransaction=true on both (Flume's default).
 * @param {Ctx} c @param {number} batch
 */
function seqFile(c, batch) {
  return [
    'a1.sources = r1',
    'a1.channels = c1',
    'a1.sinks = k1',
    '',
    'a1.sources.r1.type = seq',
    `a1.sources.r1.batchSize = ${batch}`,
    'a1.sources.r1.channels = c1',
    '',
    'a1.channels.c1.type = file',
    `a1.channels.c1.checkpointDir = ${c.dataDir}/checkpoint`,
    `a1.channels.c1.dataDirs = ${c.dataDir}/data`,
    'a1.channels.c1.capacity = 1000000',
    `a1.channels.c1.transactionCapacity = ${Math.max(batch, 1000)}`,
    'a1.channels.c1.fsyncPerTransaction = true',
    'a1.channels.c1.minimumRequiredSpace = 104857600',
    '',
    'a1.sinks.k1.type = null',
    `a1.sinks.k1.batchSize = ${batch}`,
    'a1.sinks.k1.channel = c1',
    '',
  ].join('\n');
}

/**
 * h1: http (JSONHandler) → memory → null. The load is bench/loadgen-http.mjs: JSON batches of `batch` events on
 * `connections` keep-alive connections, each answered after the channel commit.
 * @param {Ctx} c
 */
function httpMemory(c) {
  return [
    'a1.sources = r1',
    'a1.channels = c1',
    'a1.sinks = k1',
    '',
    'a1.sources.r1.type = http',
    'a1.sources.r1.bind = 127.0.0.1',
    `a1.sources.r1.port = ${c.port}`,
    'a1.sources.r1.channels = c1',
    '',
    'a1.channels.c1.type = memory',
    'a1.channels.c1.capacity = 100000',
    'a1.channels.c1.transactionCapacity = 10000',
    '',
    'a1.sinks.k1.type = null',
    'a1.sinks.k1.batchSize = 1000',
    'a1.sinks.k1.channel = c1',
    '',
  ].join('\n');
}

/**
 * stress: Flume's StressSource (100-byte bodies, batchSize 1000) → memory → null: no generator, both agents
 * run flat out; a measure of the channel and sink path without any network.
 * @param {Ctx} _c
 */
function stressMemory(_c) {
  return [
    'a1.sources = r1',
    'a1.channels = c1',
    'a1.sinks = k1',
    '',
    'a1.sources.r1.type = org.apache.flume.source.StressSource',
    'a1.sources.r1.size = 100',
    'a1.sources.r1.batchSize = 1000',
    'a1.sources.r1.channels = c1',
    '',
    'a1.channels.c1.type = memory',
    'a1.channels.c1.capacity = 100000',
    'a1.channels.c1.transactionCapacity = 10000',
    '',
    'a1.sinks.k1.type = null',
    'a1.sinks.k1.batchSize = 1000',
    'a1.sinks.k1.channel = c1',
    '',
  ].join('\n');
}

/** The spool corpus: SPOOL_FILES files of SPOOL_LINES 100-byte lines, made once, hard-linked into each run. */
const SPOOL_FILES = 80;
const SPOOL_LINES = 100_000;

function spoolCorpus() {
  const dir = path.join(os.tmpdir(), `flume-ts-bench-spool-${SPOOL_FILES}x${SPOOL_LINES}`);
  if (fs.existsSync(path.join(dir, 'done'))) return dir;
  fs.mkdirSync(dir, { recursive: true });
  for (let f = 0; f < SPOOL_FILES; f++) {
    const lines = [];
    for (let i = 0; i < SPOOL_LINES; i++) {
      const seq = String(f * SPOOL_LINES + i);
      lines.push(seq + ' ' + 'x'.repeat(99 - seq.length - 1));
    }
    fs.writeFileSync(path.join(dir, `f${String(f).padStart(4, '0')}.log`), lines.join('\n') + '\n');
  }
  fs.writeFileSync(path.join(dir, 'done'), '');
  return dir;
}

/**
 * spooldir → memory → file_roll over the corpus (hard links, so every run renames its own names).
 * @param {Ctx} c
 */
function spoolPrepare(c) {
  const corpus = spoolCorpus();
  const spool = path.join(c.dataDir, 'spool');
  fs.mkdirSync(spool, { recursive: true });
  for (const f of fs.readdirSync(corpus)) if (f.endsWith('.log')) fs.linkSync(path.join(corpus, f), path.join(spool, f));
}

/** @param {Ctx} c */
function spoolMemoryRoll(c) {
  return [
    'a1.sources = r1',
    'a1.channels = c1',
    'a1.sinks = k1',
    '',
    'a1.sources.r1.type = spooldir',
    `a1.sources.r1.spoolDir = ${c.dataDir}/spool`,
    'a1.sources.r1.batchSize = 1000',
    'a1.sources.r1.channels = c1',
    '',
    'a1.channels.c1.type = memory',
    'a1.channels.c1.capacity = 100000',
    'a1.channels.c1.transactionCapacity = 10000',
    '',
    'a1.sinks.k1.type = file_roll',
    `a1.sinks.k1.sink.directory = ${c.outDir}`,
    'a1.sinks.k1.sink.rollInterval = 0',
    'a1.sinks.k1.sink.batchSize = 1000',
    'a1.sinks.k1.channel = c1',
    '',
  ].join('\n');
}

/** Lines of the tail scenario's input file. */
const TAIL_LINES = Number(process.env.FLUME_TS_BENCH_TAIL_LINES ?? 10_000_000);

/**
 * The input of the tail scenario: one file of `FLUME_TS_BENCH_TAIL_LINES` (default 10 000 000) 100-byte lines, each
 * starting with its 12-digit sequence number, written once per bench run and shared by every replicate (each agent
 * starts with an empty position file, so each reads it from its start, flat out).
 * @param {Ctx} c
 */
function tailInput(c) {
  const file = path.join(path.dirname(path.dirname(c.dataDir)), 'tail-input', 'app.log');
  if (fs.existsSync(file)) return file;
  const lines = TAIL_LINES;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(`${file}.tmp`, 'w');
  const pad = 'x'.repeat(c.lineSize - 13);
  let s = '';
  for (let i = 0; i < lines; i++) {
    s += String(i).padStart(12, '0') + pad + '\n';
    if (s.length >= 1 << 20) {
      fs.writeSync(fd, s);
      s = '';
    }
  }
  fs.writeSync(fd, s);
  fs.closeSync(fd);
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

/**
 * tail: TAILDIR (batchSize 1000) → memory → file_roll (batchSize 1000), reading a prepared file from its start.
 * @param {Ctx} c
 */
function tailRoll(c, sink = 'file_roll') {
  const input = tailInput(c);
  return [
    'a1.sources = r1',
    'a1.channels = c1',
    'a1.sinks = k1',
    '',
    'a1.sources.r1.type = TAILDIR',
    'a1.sources.r1.filegroups = g1',
    `a1.sources.r1.filegroups.g1 = ${path.dirname(input)}/app\\.log`,
    `a1.sources.r1.positionFile = ${c.dataDir}/taildir_position.json`,
    'a1.sources.r1.batchSize = 1000',
    'a1.sources.r1.channels = c1',
    '',
    'a1.channels.c1.type = memory',
    'a1.channels.c1.capacity = 100000',
    'a1.channels.c1.transactionCapacity = 10000',
    '',
    ...(sink === 'null'
      ? ['a1.sinks.k1.type = null', 'a1.sinks.k1.batchSize = 1000']
      : [
          'a1.sinks.k1.type = file_roll',
          `a1.sinks.k1.sink.directory = ${c.outDir}`,
          'a1.sinks.k1.sink.rollInterval = 0',
          'a1.sinks.k1.sink.batchSize = 1000',
        ]),
    'a1.sinks.k1.channel = c1',
    '',
  ].join('\n');
}

/**
 * syslog: syslogtcp → memory → null. The generator's lines carry an RFC 3164 header before the sequence number.
 * @param {Ctx} c
 */
function syslogMemory(c) {
  return [
    'a1.sources = r1',
    'a1.channels = c1',
    'a1.sinks = k1',
    '',
    'a1.sources.r1.type = syslogtcp',
    'a1.sources.r1.host = 127.0.0.1',
    `a1.sources.r1.port = ${c.port}`,
    'a1.sources.r1.channels = c1',
    '',
    'a1.channels.c1.type = memory',
    'a1.channels.c1.capacity = 100000',
    'a1.channels.c1.transactionCapacity = 10000',
    '',
    'a1.sinks.k1.type = null',
    'a1.sinks.k1.batchSize = 1000',
    'a1.sinks.k1.channel = c1',
    '',
  ].join('\n');
}

/** s1-roll's sink: file_roll into ctx.outDir, batchSize 1000. @param {Ctx} c @param {number} rollInterval seconds, 0 = never */
const fileRollSink = (c, rollInterval) =>
  [
    'a1.sinks.k1.type = file_roll',
    `a1.sinks.k1.sink.directory = ${c.outDir}`,
    `a1.sinks.k1.sink.rollInterval = ${rollInterval}`,
    'a1.sinks.k1.sink.batchSize = 1000',
  ].join('\n');

/** Names that expand to several scenarios. */
export const GROUPS = { s2: ['s2-b100', 's2-b1000'], hbase: ['hbase-100', 'hbase-1000'], ...KAFKA_GROUPS };

/** @type {Record<string, { description: string, load: { kind: 'netcat' | 'self' | 'http' | 'drain', lineSize: number, options?: object, prefix?: string }, batch?: number, corpusLines?: number, prepare?: (c: Ctx) => void, cleanup?: (c: Ctx) => Promise<void>, config: (c: Ctx) => string, consume?: 'roll-away', verify: 'counters' | 'file_roll' }>} */
export const SCENARIOS = {
  s1: {
    description:
      'netcat (ack-every-event=false) → memory (capacity 100000, transactionCapacity 10000) → null (batchSize 1000), 100-byte lines, one connection',
    load: { kind: 'netcat', lineSize: 100 },
    config: (c) => netcatMemory(c, { sink: 'a1.sinks.k1.type = null\na1.sinks.k1.batchSize = 1000' }),
    verify: 'counters',
  },
  's1-512': {
    description: 's1 with 512-byte lines',
    load: { kind: 'netcat', lineSize: 512 },
    config: (c) => netcatMemory(c, { sink: 'a1.sinks.k1.type = null\na1.sinks.k1.batchSize = 1000' }),
    verify: 'counters',
  },
  's1-ack': {
    description: 's1 with the netcat default ack-every-event=true (an "OK" written back per line; the generator reads and discards them)',
    load: { kind: 'netcat', lineSize: 100 },
    config: (c) => netcatMemory(c, { sink: 'a1.sinks.k1.type = null\na1.sinks.k1.batchSize = 1000', ack: true }),
    verify: 'counters',
  },
  's1-roll': {
    description: 's1 with a file_roll sink (batchSize 1000, rollInterval 0) so that every sequence number is checked at the output',
    load: { kind: 'netcat', lineSize: 100 },
    config: (c) => netcatMemory(c, { sink: fileRollSink(c, 0) }),
    verify: 'file_roll',
  },
  's1-roll-away': {
    description:
      's1-roll with sink.rollInterval = 1 and the bench removing each file once file_roll has moved on to the next (as a ' +
      'shipper would): the output reuses freed page-cache pages instead of memory the VM has not touched recently, which ' +
      'these VMs write at 0.2–0.8 GiB/s (bench/results/2026-12-02-all.md, notes); counters verified, not file contents',
    load: { kind: 'netcat', lineSize: 100 },
    config: (c) => netcatMemory(c, { sink: fileRollSink(c, 1) }),
    consume: 'roll-away',
    verify: 'counters',
  },
  'hdfs-100': {
    description:
      'netcat (ack-every-event=false) → memory → hdfs (DataStream, batchSize 100, rollSize 0, rollCount 10000; the harness HDFS), 100-byte lines',
    load: { kind: 'netcat', lineSize: 100 },
    config: (c) => netcatMemory(c, { sink: hdfsSink(c, 100) }),
    verify: 'counters',
  },
  'hdfs-100-w64': {
    description: 'hdfs-100 with hdfs.webhdfs.transactionsInFlight = 64 (the default before 2026-12-01; flume-ts only, Flume ignores it)',
    load: { kind: 'netcat', lineSize: 100 },
    config: (c) => netcatMemory(c, { sink: `${hdfsSink(c, 100)}\na1.sinks.k1.hdfs.webhdfs.transactionsInFlight = 64` }),
    verify: 'counters',
  },
  'hdfs-100-linger0': {
    description:
      'hdfs-100 with hdfs.webhdfs.createLingerMs = 0 (every batch shipped at once, as before 2026-12-01 05:00; flume-ts only, Flume ignores it)',
    load: { kind: 'netcat', lineSize: 100 },
    config: (c) => netcatMemory(c, { sink: `${hdfsSink(c, 100)}\na1.sinks.k1.hdfs.webhdfs.createLingerMs = 0` }),
    verify: 'counters',
  },
  'hdfs-1000': {
    description: 'hdfs-100 with hdfs.batchSize = 1000',
    load: { kind: 'netcat', lineSize: 100 },
    config: (c) => netcatMemory(c, { sink: hdfsSink(c, 1000) }),
    verify: 'counters',
  },
  'hbase-100': {
    description:
      'netcat (ack-every-event=false) → memory → hbase2 (RegexHBase2EventSerializer defaults, batchSize 100; the harness HBase 2.5), 100-byte lines',
    load: { kind: 'netcat', lineSize: 100 },
    prepare: (c) => void hbaseToolSync(hbaseQuorum(), ['create', benchTable(c), 'cf']),
    config: (c) => netcatMemory(c, { sink: hbaseSink(c, 100) }),
    verify: 'counters',
  },
  'hbase-1000': {
    description: 'hbase-100 with batchSize = 1000',
    load: { kind: 'netcat', lineSize: 100 },
    prepare: (c) => void hbaseToolSync(hbaseQuorum(), ['create', benchTable(c), 'cf']),
    config: (c) => netcatMemory(c, { sink: hbaseSink(c, 1000) }),
    verify: 'counters',
  },
  'hive-1000': {
    description:
      'netcat (ack-every-event=false) → memory → hive (DELIMITED, one string column, 1 bucket, batchSize 1000; the harness Hive 4 metastore + HDFS), 100-byte lines (flume-ts only: no Flume Hive client for Hive 4, docs/hive.md)',
    load: { kind: 'netcat', lineSize: 100 },
    prepare: (c) => hivePrepare(c),
    config: (c) => netcatMemory(c, { sink: hiveSink(c, 1000) }),
    verify: 'counters',
  },
  'hive-15000': {
    description: "hive-1000 with batchSize = 15000 (Flume's default)",
    load: { kind: 'netcat', lineSize: 100 },
    prepare: (c) => hivePrepare(c),
    config: (c) => netcatMemory(c, { sink: hiveSink(c, 15000) }),
    verify: 'counters',
  },
  h1: {
    description:
      'http (JSONHandler; batches of 100 events with one header, 100-byte bodies, 4 keep-alive connections, closed loop) → memory (100000/10000) → null (batchSize 1000)',
    load: { kind: 'http', lineSize: 100, options: { batch: 100, connections: 4 } },
    config: (c) => httpMemory(c),
    verify: 'counters',
  },
  stress: {
    description: 'StressSource (size 100, batchSize 1000) → memory (100000/10000) → null (batchSize 1000), self-driven',
    load: { kind: 'self', lineSize: 0 },
    batch: 1000,
    config: (c) => stressMemory(c),
    verify: 'counters',
  },
  spool: {
    description: `spooldir (batchSize 1000; ${SPOOL_FILES} files × ${SPOOL_LINES} 100-byte lines, prepared before start) → memory (capacity 100000, transactionCapacity 10000) → file_roll (batchSize 1000)`,
    load: { kind: 'drain', lineSize: 100 },
    corpusLines: SPOOL_FILES * SPOOL_LINES,
    prepare: spoolPrepare,
    config: spoolMemoryRoll,
    verify: 'counters',
  },
  tail: {
    description:
      'TAILDIR (batchSize 1000) → memory (capacity 100000, transactionCapacity 10000) → file_roll (batchSize 1000), ' +
      'reading one prepared file of 100-byte lines from its start (FLUME_TS_BENCH_TAIL_LINES, default 10M)',
    load: { kind: 'drain', lineSize: 100 },
    corpusLines: TAIL_LINES,
    batch: 1000,
    config: (c) => tailRoll(c),
    verify: 'counters',
  },
  'tail-null': {
    description: 'tail with a null sink (batchSize 1000): what the TAILDIR source itself delivers',
    load: { kind: 'drain', lineSize: 100 },
    corpusLines: TAIL_LINES,
    batch: 1000,
    config: (c) => tailRoll(c, 'null'),
    verify: 'counters',
  },
  syslog: {
    description:
      'syslogtcp → memory (capacity 100000, transactionCapacity 10000) → null (batchSize 1000), 100-byte RFC 3164 lines, one connection',
    load: { kind: 'netcat', lineSize: 100, prefix: '<13>Nov 30 22:00:00 benchhost app: ' },
    config: (c) => syslogMemory(c),
    verify: 'counters',
  },
  's2-b100': {
    description: 'seq (batchSize 100) → file channel (fsyncPerTransaction=true, capacity 1000000) → null (batchSize 100)',
    load: { kind: 'self', lineSize: 0 },
    batch: 100,
    config: (c) => seqFile(c, 100),
    verify: 'counters',
  },
  's2-b1000': {
    description: 'seq (batchSize 1000) → file channel (fsyncPerTransaction=true, capacity 1000000) → null (batchSize 1000)',
    load: { kind: 'self', lineSize: 0 },
    batch: 1000,
    config: (c) => seqFile(c, 1000),
    verify: 'counters',
  },
  ...KAFKA_SCENARIOS,
};
