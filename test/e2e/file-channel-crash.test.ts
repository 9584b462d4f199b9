/**
 * The file channel's durability proof with the real agent: netcat (ack-every-event) → file channel → file_roll.
 * A client sends numbered lines over one connection (a window of lines in flight) and records each `OK`; the agent
 * is SIGKILLed at random moments (sometimes while it starts up and replays) and restarted on the same directories,
 * 22 times. A last agent drains the channel. Every acknowledged line must be in the output at least once; the only
 * duplicates allowed are sink batches that were written but whose take had not committed when the agent was
 * killed (at most one sink batch per kill).
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ackingNetcatClient, canConnect, freePort, startAgent, tmpDir, waitFor, type AgentProcess } from '../support/agent-process.js';

const KILLS = 22;
const SINK_BATCH = 100;
const WINDOW = 200;

let agent: AgentProcess | undefined;
afterEach(async () => {
  await agent?.stop('SIGKILL');
  agent = undefined;
});

function conf(port: number, root: string): string {
  return `a1.sources = r1
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
a1.channels.c1.maxFileSize = 262144
a1.channels.c1.minimumRequiredSpace = 1048576
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${root}/out
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.batchSize = ${SINK_BATCH}
`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function metric(port: number, attr: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const m = (await res.json()) as Record<string, Record<string, string>>;
  return Number(m['CHANNEL.c1']?.[attr]);
}

describe('file channel end to end: netcat → file → file_roll under kill -9', () => {
  it(`every acknowledged line survives ${KILLS} SIGKILLs of the agent`, async () => {
    const root = tmpDir('flume-ts-fc-crash-');
    mkdirSync(path.join(root, 'out'));
    const port = await freePort();
    const acked = new Set<number>();
    let next = 0;
    let killedBeforeReady = 0;
    for (let run = 0; run < KILLS; run++) {
      agent = startAgent(conf(port, root));
      if (Math.random() < 0.2) {
        await sleep(Math.random() * 400); // during start-up / replay
        if (!(await canConnect(port))) killedBeforeReady++;
        agent.child.kill('SIGKILL');
        await agent.exited;
        continue;
      }
      await waitFor(() => canConnect(port), 'netcat port', 30_000, 10);
      const c = ackingNetcatClient(port, next, WINDOW, (n) => acked.add(n));
      await sleep(100 + Math.random() * 700);
      agent.child.kill('SIGKILL');
      await agent.exited;
      await c.stop();
      next = c.sent;
    }
    // a last, clean agent drains the channel
    const mport = await freePort();
    agent = startAgent(conf(port, root), ['-Dflume.monitoring.type=http', `-Dflume.monitoring.port=${mport}`]);
    await waitFor(async () => (await metric(mport, 'ChannelSize')) === 0, 'the channel to drain', 60_000, 50);
    expect(await agent.stop('SIGTERM')).toBe(0);
    agent = undefined;

    const counts = new Map<number, number>();
    for (const f of readdirSync(path.join(root, 'out'))) {
      for (const line of readFileSync(path.join(root, 'out', f), 'utf8').split('\n')) {
        const m = /^n(\d+)$/.exec(line);
        if (m) counts.set(Number(m[1]), (counts.get(Number(m[1])) ?? 0) + 1);
      }
    }
    const missing = [...acked].filter((n) => !counts.has(n)).sort((a, b) => a - b);
    let duplicates = 0;
    let unackedDelivered = 0;
    for (const [n, k] of counts) {
      duplicates += k - 1;
      if (!acked.has(n)) unackedDelivered++;
    }
    const stats = {
      kills: KILLS,
      killedBeforeReady,
      sent: next,
      acknowledged: acked.size,
      delivered: counts.size,
      duplicates,
      unackedDelivered,
    };
    process.stdout.write(`file channel e2e crash test: ${JSON.stringify(stats)}\n`);
    expect(missing.slice(0, 10)).toEqual([]);
    expect(acked.size).toBeGreaterThan(1000);
    // duplicates only from sink batches interrupted by a kill: at most one batch per kill
    expect(duplicates).toBeLessThanOrEqual(KILLS * SINK_BATCH);
  }, 120_000);
});
