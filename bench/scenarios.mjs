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

import path from 'node:path';
import { liveService } from '../scripts/services/lib.mjs';

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

/** Names that expand to several scenarios. */
export const GROUPS = { s2: ['s2-b100', 's2-b1000'] };

/** @type {Record<string, { description: string, load: { kind: 'netcat' | 'self', lineSize: number, prefix?: string }, batch?: number, config: (c: Ctx) => string, verify: 'counters' | 'file_roll' }>} */
export const SCENARIOS = {
  s1: {
    description: 'netcat (ack-every-event=false) → memory (capacity 100000, transactionCapacity 10000) → null (batchSize 1000), 100-byte lines, one connection',
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
    config: (c) =>
      netcatMemory(c, {
        sink: ['a1.sinks.k1.type = file_roll', `a1.sinks.k1.sink.directory = ${c.outDir}`, 'a1.sinks.k1.sink.rollInterval = 0', 'a1.sinks.k1.sink.batchSize = 1000'].join('\n'),
      }),
    verify: 'file_roll',
  },
  syslog: {
    description: 'syslogtcp → memory (capacity 100000, transactionCapacity 10000) → null (batchSize 1000), 100-byte RFC 3164 lines, one connection',
    load: { kind: 'netcat', lineSize: 100, prefix: '<13>Nov 30 22:00:00 benchhost app: ' },
    config: (c) => syslogMemory(c),
    verify: 'counters',
  },
  'hdfs-100': {
    description: 'netcat (ack-every-event=false) → memory → hdfs (DataStream, batchSize 100, rollSize 0, rollCount 10000; the harness HDFS), 100-byte lines',
    load: { kind: 'netcat', lineSize: 100 },
    config: (c) => netcatMemory(c, { sink: hdfsSink(c, 100) }),
    verify: 'counters',
  },
  'hdfs-1000': {
    description: 'hdfs-100 with hdfs.batchSize = 1000',
    load: { kind: 'netcat', lineSize: 100 },
    config: (c) => netcatMemory(c, { sink: hdfsSink(c, 1000) }),
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
};
