/**
 * SPILLABLEMEMORY end to end under kill -9: netcat (ack per event) → SPILLABLEMEMORY → file_roll.
 * With memoryCapacity = 0 every acknowledged line is in the overflow file channel, so none may be lost across
 * SIGKILLs; with a small memory the channel switches between memory and overflow, and a clean run must deliver
 * every acknowledged line in the order it was acknowledged (drain order across both sides).
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ackingNetcatClient, canConnect, freePort, startAgent, tmpDir, waitFor, type AgentProcess } from '../support/agent-process.js';

const KILLS = 8;
const SINK_BATCH = 100;

let agent: AgentProcess | undefined;
afterEach(async () => {
  await agent?.stop('SIGKILL');
  agent = undefined;
});

function conf(port: number, root: string, memoryCapacity: number, sinkBatch = SINK_BATCH): string {
  return `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.ack-every-event = true
a1.sources.r1.channels = c1
a1.channels.c1.type = SPILLABLEMEMORY
a1.channels.c1.memoryCapacity = ${memoryCapacity}
a1.channels.c1.overflowTimeout = 0
a1.channels.c1.checkpointDir = ${root}/checkpoint
a1.channels.c1.dataDirs = ${root}/data
a1.channels.c1.checkpointInterval = 500
a1.channels.c1.minimumRequiredSpace = 1048576
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${root}/out
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.batchSize = ${sinkBatch}
`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function delivered(root: string): number[] {
  const out: number[] = [];
  for (const f of readdirSync(path.join(root, 'out')).sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1]))) {
    for (const line of readFileSync(path.join(root, 'out', f), 'utf8').split('\n')) {
      const m = /^n(\d+)$/.exec(line);
      if (m) out.push(Number(m[1]));
    }
  }
  return out;
}

async function metric(port: number, attr: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const m = (await res.json()) as Record<string, Record<string, string>>;
  return Number(m['CHANNEL.c1']?.[attr]);
}

async function drainWithCleanAgent(port: number, root: string, memoryCapacity: number): Promise<void> {
  const mport = await freePort();
  agent = startAgent(conf(port, root, memoryCapacity), ['-Dflume.monitoring.type=http', `-Dflume.monitoring.port=${mport}`]);
  await waitFor(async () => (await metric(mport, 'ChannelSize')) === 0, 'the channel to drain', 60_000, 50);
  expect(await agent.stop('SIGTERM')).toBe(0);
  agent = undefined;
}

describe('SPILLABLEMEMORY end to end', () => {
  it(`memoryCapacity 0: every acknowledged line survives ${KILLS} SIGKILLs (all of them reached the overflow)`, async () => {
    const root = tmpDir('flume-ts-spill-crash-');
    mkdirSync(path.join(root, 'out'));
    const port = await freePort();
    const acked: number[] = [];
    let next = 0;
    for (let run = 0; run < KILLS; run++) {
      agent = startAgent(conf(port, root, 0));
      await waitFor(() => canConnect(port), 'netcat port', 30_000, 10);
      const c = ackingNetcatClient(port, next, 200, (n) => acked.push(n));
      await sleep(200 + Math.random() * 600);
      agent.child.kill('SIGKILL');
      await agent.exited;
      await c.stop();
      next = c.sent;
    }
    await drainWithCleanAgent(port, root, 0);
    const got = new Set(delivered(root));
    const missing = acked.filter((n) => !got.has(n));
    const stats = { kills: KILLS, sent: next, acknowledged: acked.length, delivered: got.size };
    process.stdout.write(`spillable e2e crash test: ${JSON.stringify(stats)}\n`);
    expect(missing.slice(0, 10)).toEqual([]);
    expect(acked.length).toBeGreaterThan(200);
  }, 120_000);

  it('a small memory spills and drains back: every line delivered once, in acknowledgement order', async () => {
    const root = tmpDir('flume-ts-spill-order-');
    mkdirSync(path.join(root, 'out'));
    const port = await freePort();
    const mport = await freePort();
    agent = startAgent(conf(port, root, 20, 7), ['-Dflume.monitoring.type=http', `-Dflume.monitoring.port=${mport}`]);
    await waitFor(() => canConnect(port), 'netcat port', 30_000, 10);
    const acked: number[] = [];
    const c = ackingNetcatClient(port, 0, 50, (n) => acked.push(n));
    await waitFor(() => acked.length >= 3000, '3000 acknowledged lines', 60_000, 20);
    await c.stop();
    await waitFor(async () => (await metric(mport, 'ChannelSize')) === 0, 'the channel to drain', 60_000, 50);
    expect(await agent.stop('SIGTERM')).toBe(0);
    agent = undefined;
    const got = delivered(root);
    // lines committed but not yet acknowledged when the client stopped come after, in order
    expect(got.slice(0, acked.length)).toEqual(acked);
    expect(got.slice(acked.length)).toEqual(Array.from({ length: got.length - acked.length }, (_, i) => acked.length + i));
    // the overflow was used: its log holds events
    const logBytes = readdirSync(path.join(root, 'data')).reduce((n, f) => n + statSync(path.join(root, 'data', f)).size, 0);
    const stats = { acknowledged: acked.length, delivered: got.length, overflowLogBytes: logBytes };
    process.stdout.write(`spillable e2e order test: ${JSON.stringify(stats)}\n`);
    expect(logBytes).toBeGreaterThan(10_000);
  }, 120_000);
});
