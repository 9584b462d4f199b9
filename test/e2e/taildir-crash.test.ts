/**
 * TAILDIR crash proof with the real agent: TAILDIR → file channel → file_roll. A writer keeps appending numbered
 * lines to app.log and rotates it by renames (app.log.N → app.log.N+1, app.log → app.log.1, a new app.log), while
 * the agent is SIGKILLed at random moments KILLS times (sometimes during its start-up) and restarted on the same
 * position file and channel. A last agent drains. Every line written must be in the output; the duplicates allowed
 * are, per kill, one source batch (committed to the channel, position not yet written) plus one sink batch (written
 * by file_roll, take not yet committed).
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, tmpDir, waitFor, type AgentProcess } from '../support/agent-process.js';

const KILLS = 20;
const SOURCE_BATCH = 100;
const SINK_BATCH = 100;

let agent: AgentProcess | undefined;
afterEach(async () => {
  await agent?.stop('SIGKILL');
  agent = undefined;
});

function conf(root: string): string {
  return `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = TAILDIR
a1.sources.r1.channels = c1
a1.sources.r1.filegroups = app
a1.sources.r1.filegroups.app = ${root}/logs/app\\.log(\\.[0-9]+)?
a1.sources.r1.positionFile = ${root}/pos/taildir_position.json
a1.sources.r1.batchSize = ${SOURCE_BATCH}
a1.channels.c1.type = file
a1.channels.c1.checkpointDir = ${root}/checkpoint
a1.channels.c1.dataDirs = ${root}/data
a1.channels.c1.checkpointInterval = 1000
a1.channels.c1.minimumRequiredSpace = 1048576
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${root}/out
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.batchSize = ${SINK_BATCH}
`;
}

/** Appends numbered lines every few ms and rotates by renames every ~700 ms. */
function writer(logs: string) {
  let next = 0;
  let rotations = 0;
  let generations = 0;
  const app = path.join(logs, 'app.log');
  const rotate = () => {
    for (let k = generations; k >= 1; k--) renameSync(`${app}.${k}`, `${app}.${k + 1}`);
    renameSync(app, `${app}.1`);
    generations++;
    rotations++;
  };
  const write = setInterval(() => {
    let s = '';
    for (let i = 0; i < 10; i++) s += `line-${next++}-${'p'.repeat(next % 30)}\n`;
    appendFileSync(app, s);
  }, 4);
  const rot = setInterval(() => existsSync(app) && rotate(), 700);
  return {
    stop() {
      clearInterval(write);
      clearInterval(rot);
      return { written: next, rotations };
    },
  };
}

function outputCounts(out: string): Map<string, number> {
  const m = new Map<string, number>();
  if (!existsSync(out)) return m;
  for (const f of readdirSync(out)) {
    for (const l of readFileSync(path.join(out, f), 'utf8').split('\n')) if (l !== '') m.set(l, (m.get(l) ?? 0) + 1);
  }
  return m;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TAILDIR under kill -9', () => {
  it(`delivers every line through ${KILLS} kills while the file is appended to and rotated`, { timeout: 240_000 }, async () => {
    const root = tmpDir('taildir-crash-');
    for (const d of ['logs', 'out', 'pos']) mkdirSync(path.join(root, d));
    appendFileSync(path.join(root, 'logs', 'app.log'), '');
    const w = writer(path.join(root, 'logs'));
    const t0 = Date.now();
    let killedInStartup = 0;
    for (let k = 0; k < KILLS; k++) {
      agent = startAgent(conf(root));
      const early = k % 5 === 4;
      if (early) killedInStartup++;
      else await waitFor(() => /Agent started/.test(agent!.stderr()), 'agent started', 30_000);
      await sleep(early ? 50 + Math.random() * 200 : 300 + Math.random() * 1500);
      agent.child.kill('SIGKILL');
      await agent.exited;
    }
    const { written, rotations } = w.stop();
    agent = startAgent(conf(root));
    const out = path.join(root, 'out');
    await waitFor(() => outputCounts(out).size >= written, `all ${written} lines delivered`, 120_000, 250);
    await sleep(500);
    const counts = outputCounts(out);
    const missing: string[] = [];
    for (let i = 0; i < written && missing.length < 5; i++) {
      if (!counts.has(`line-${i}-${'p'.repeat((i + 1) % 30)}`)) missing.push(String(i));
    }
    let duplicates = 0;
    for (const c of counts.values()) duplicates += c - 1;
    const seconds = (Date.now() - t0) / 1000;
    const perKill = duplicates / KILLS;
    const report = { kills: KILLS, killedInStartup, written, rotations, distinct: counts.size, duplicates, perKill, seconds };
    console.log(`TAILDIR crash proof: ${JSON.stringify(report)}`);
    expect(missing).toEqual([]);
    expect(counts.size).toBe(written);
    expect(duplicates).toBeLessThanOrEqual(KILLS * (SOURCE_BATCH + SINK_BATCH));
  });
});
