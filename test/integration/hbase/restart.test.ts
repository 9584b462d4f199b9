/**
 * Reliability: HBase (master, region server and ZooKeeper: one standalone JVM, private to this test) is stopped and
 * started again while a flume-ts agent writes to it through the hbase2 sink. Every event acknowledged by the netcat
 * source must end up in HBase (rows keyed by the event, so a repeated batch overwrites itself); the increments of a
 * second sink show what a repeated batch does to counters (at least once: at most one batch more per failure).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInstance } from '../../../scripts/services/hbase.mjs';
import { freePort, stopPid } from '../../../scripts/services/lib.mjs';
import { type AgentProcess, canConnect, sendLines, startAgent, tmpDir, waitFor } from '../../support/agent-process.js';
import { counter, createTable, scanUntil } from './helpers.js';

let pid = 0;
let ts: AgentProcess | undefined;
let dir = '';
let zkPort = 0;

beforeAll(async () => {
  dir = tmpDir('flume-ts-hbase-restart-');
  zkPort = await freePort();
  pid = (await runInstance(dir, zkPort)).pid;
}, 240_000);
afterAll(async () => {
  await ts?.stop();
  if (pid) await stopPid(pid, 30_000);
  fs.rmSync(dir, { recursive: true, force: true });
});

const N = 1500;

describe('hbase2 sink: HBase restarted mid-stream', () => {
  it('loses nothing; a repeated batch only repeats increments', async () => {
    const quorum = `127.0.0.1:${zkPort}`;
    await createTable(quorum, 'rows,counts', ['cf']);
    const port = await freePort();
    ts = startAgent(`a1.sources = r1
a1.channels = c1 c2
a1.sinks = k1 k2
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = c1 c2
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.channels.c2.type = memory
a1.channels.c2.capacity = 10000
a1.sinks.k1.type = hbase2
a1.sinks.k1.channel = c1
a1.sinks.k1.table = rows
a1.sinks.k1.columnFamily = cf
a1.sinks.k1.zookeeperQuorum = ${quorum}
a1.sinks.k1.timeout = 5000
a1.sinks.k1.serializer = org.apache.flume.sink.hbase2.RegexHBase2EventSerializer
a1.sinks.k1.serializer.regex = (e(\\\\d+))
a1.sinks.k1.serializer.colNames = ROW_KEY,n
a1.sinks.k1.serializer.rowKeyIndex = 0
a1.sinks.k1.serializer.depositHeaders = false
a1.sinks.k2.type = hbase2
a1.sinks.k2.channel = c2
a1.sinks.k2.table = counts
a1.sinks.k2.columnFamily = cf
a1.sinks.k2.zookeeperQuorum = ${quorum}
a1.sinks.k2.timeout = 5000
a1.sinks.k2.serializer.rowPrefix = p
`);
    await waitFor(() => canConnect(port), 'netcat source', 60_000);
    const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `e${from + i}`);
    expect((await sendLines(port, lines(0, 500))).every((r) => r === 'OK')).toBe(true);
    await scanUntil(quorum, 'counts', (c) => (counter(c.find((x) => x.qualifier === 'iCol')) ?? 0n) >= 500n, 60_000);
    // stop HBase while events keep coming, then start it again (same data and ZooKeeper port, new server ports)
    const stopping = stopPid(pid, 30_000);
    expect((await sendLines(port, lines(500, 1000))).every((r) => r === 'OK')).toBe(true);
    await stopping;
    expect((await sendLines(port, lines(1000, N))).every((r) => r === 'OK')).toBe(true);
    pid = (await runInstance(dir, zkPort)).pid;
    const cells = await scanUntil(
      quorum,
      'rows,counts',
      (c) =>
        c.filter((x) => x.table === 'rows').length >= N &&
        (counter(c.find((x) => x.table === 'counts' && x.qualifier === 'iCol')) ?? 0n) >= BigInt(N),
      150_000,
    );
    const rows = new Set(cells.filter((c) => c.table === 'rows').map((c) => c.row));
    expect(rows.size).toBe(N);
    const total = counter(cells.find((c) => c.table === 'counts' && c.qualifier === 'iCol')) ?? 0n;
    expect(total).toBeGreaterThanOrEqual(BigInt(N));
    // a batch (≤ 100 events) whose increments were applied before the connection broke is applied again
    expect(total - BigInt(N)).toBeLessThanOrEqual(300n);
    console.log(`hbase restart: ${N} events, rows ${rows.size}, counter ${total} (${total - BigInt(N)} repeated increments)`);
    expect(ts.stderr()).not.toMatch(/"level":60/);
    fs.writeFileSync(path.join(dir, 'done'), '');
  }, 400_000);
});
