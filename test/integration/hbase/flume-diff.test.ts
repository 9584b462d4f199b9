/**
 * Differential test: the same events through Apache Flume 1.11's HBase2Sink and through flume-ts, into tables of the
 * same HBase 2.5, read back with HBase's Java client. One seq source fans out (replicating) to three sinks:
 * - k1: the course's config, `type = hbase` + RegexHbaseEventSerializer with its defaults (flume-ts) and the same with
 *   hbase2 + RegexHBase2EventSerializer (Flume: its hbase 1.x sink cannot talk to HBase 2): the row keys are
 *   `<millis>-<random>-<counter>`, so their shape and counters are compared, and the columns and values exactly;
 * - k2: the regex serializer with rowKeyIndex (deterministic keys): every cell compared exactly;
 * - k3: the simple serializer (uuid keys) with increments, coalesced: values compared, and the counter.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentProcess, startAgent, tmpDir } from '../../support/agent-process.js';
import { type FlumeAgent, type Services, startFlumeAgent, useServices } from '../../support/services.js';
import { type Cell, counter, createTable, scanUntil } from './helpers.js';

let svc: Services<'hbase'>;
let flume: FlumeAgent | undefined;
let ts: AgentProcess | undefined;

beforeAll(async () => {
  svc = await useServices(['hbase']);
}, 240_000);
afterAll(async () => {
  await flume?.stop();
  await ts?.stop();
  await svc?.release();
});

const N = 300;

function conf(quorum: string, prefix: string, flume: boolean): string {
  const k1Type = flume ? 'hbase2' : 'hbase';
  const pkg = flume ? 'org.apache.flume.sink.hbase2.RegexHBase2EventSerializer' : 'org.apache.flume.sink.hbase.RegexHbaseEventSerializer';
  return `a1.sources = r1
a1.channels = c1 c2 c3
a1.sinks = k1 k2 k3
a1.sources.r1.type = seq
a1.sources.r1.totalEvents = ${N}
a1.sources.r1.batchSize = 50
a1.sources.r1.channels = c1 c2 c3
a1.channels.c1.type = memory
a1.channels.c2.type = memory
a1.channels.c3.type = memory
a1.sinks.k1.type = ${k1Type}
a1.sinks.k1.channel = c1
a1.sinks.k1.table = ${prefix}_regex
a1.sinks.k1.columnFamily = cf
a1.sinks.k1.zookeeperQuorum = ${quorum}
a1.sinks.k1.serializer = ${pkg}
a1.sinks.k2.type = hbase2
a1.sinks.k2.channel = c2
a1.sinks.k2.table = ${prefix}_key
a1.sinks.k2.columnFamily = cf
a1.sinks.k2.zookeeperQuorum = ${quorum}
a1.sinks.k2.batchSize = 40
a1.sinks.k2.serializer = org.apache.flume.sink.hbase2.RegexHBase2EventSerializer
a1.sinks.k2.serializer.regex = ((\\\\d)\\\\d*)
a1.sinks.k2.serializer.colNames = ROW_KEY,first
a1.sinks.k2.serializer.rowKeyIndex = 0
a1.sinks.k3.type = hbase2
a1.sinks.k3.channel = c3
a1.sinks.k3.table = ${prefix}_simple
a1.sinks.k3.columnFamily = cf
a1.sinks.k3.zookeeperQuorum = ${quorum}
a1.sinks.k3.coalesceIncrements = true
a1.sinks.k3.serializer = org.apache.flume.sink.hbase2.SimpleHBase2EventSerializer
a1.sinks.k3.serializer.rowPrefix = ev-
`;
}

const tables = (p: string): string => `${p}_regex,${p}_key,${p}_simple`;
const of = (cells: Cell[], t: string): Cell[] => cells.filter((c) => c.table.endsWith(t));
const done = (cells: Cell[]): boolean =>
  of(cells, '_regex').length >= N &&
  of(cells, '_key').length >= N &&
  counter(of(cells, '_simple').find((c) => c.row === 'incRow')) === BigInt(N);

describe('hbase sinks: flume-ts vs Apache Flume 1.11 (HBase2Sink) against HBase 2.5', () => {
  it('writes the same rows, columns, values and counters', async () => {
    const tag = `${process.pid}`;
    const [pF, pT] = [`dflume_${tag}`, `dts_${tag}`];
    await createTable(svc.hbase.quorum, `${tables(pF)},${tables(pT)}`, ['cf']);
    const dir = tmpDir('flume-ts-hbase-diff-');
    const flumeConf = path.join(dir, 'flume.conf');
    fs.writeFileSync(flumeConf, conf(svc.hbase.quorum, pF, true));
    flume = startFlumeAgent({ confFile: flumeConf, name: 'a1', heap: '256m' });
    ts = startAgent(conf(svc.hbase.quorum, pT, false));
    const t = await scanUntil(svc.hbase.quorum, tables(pT), done, 90_000);
    const f = await scanUntil(svc.hbase.quorum, tables(pF), done, 150_000);
    // k1: the course's config
    const keyShape = /^\d{13}-[A-Za-z0-9]{10}-(\d+)$/;
    for (const cells of [of(f, '_regex'), of(t, '_regex')]) {
      expect(cells).toHaveLength(N);
      expect(cells.every((c) => keyShape.test(c.row) && c.qualifier === 'payload' && c.family === 'cf')).toBe(true);
    }
    const counters = (cells: Cell[]) => cells.map((c) => Number(keyShape.exec(c.row)?.[1])).sort((a, b) => a - b);
    expect(counters(of(t, '_regex'))).toEqual(counters(of(f, '_regex')));
    const values = (cells: Cell[]) => cells.map((c) => `${c.qualifier}=${c.value.toString()}`).sort();
    expect(values(of(t, '_regex'))).toEqual(values(of(f, '_regex')));
    // k2: deterministic keys
    const exact = (cells: Cell[]) => cells.map((c) => `${c.row}/${c.family}:${c.qualifier}=${c.value.toString()}`).sort();
    expect(exact(of(t, '_key'))).toEqual(exact(of(f, '_key')));
    expect(of(t, '_key')).toHaveLength(N);
    // k3: simple serializer with coalesced increments
    const uuidKey = /^ev-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const cells of [of(f, '_simple'), of(t, '_simple')]) {
      const puts = cells.filter((c) => c.row !== 'incRow');
      expect(puts.every((c) => uuidKey.test(c.row) && c.qualifier === 'pCol')).toBe(true);
      expect(counter(cells.find((c) => c.row === 'incRow' && c.qualifier === 'iCol'))).toBe(BigInt(N));
    }
    expect(values(of(t, '_simple').filter((c) => c.row !== 'incRow'))).toEqual(values(of(f, '_simple').filter((c) => c.row !== 'incRow')));
  }, 300_000);
});
