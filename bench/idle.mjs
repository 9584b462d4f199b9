#!/usr/bin/env node
// Idle footprint of a netcat → memory → null agent: start-up time (spawn → netcat port accepts) and resident memory
// (VmRSS) once the agent has idled for a second, split into anonymous memory (RssAnon: heaps, stacks) and file pages
// (RssFile: mostly the executable, node's or the JVM's), its thread count, and VmRSS again after --late-ms (V8 and the
// JVM may give memory back after a while); flume-ts and Apache Flume 1.11 side by side, interleaved (F,T,F,T,…).
// Usage: node bench/idle.mjs [--root DIR] [--runs N] [--agents flume,ts] [--heap 256m] [--idle-ms 1000] [--late-ms 10000]
//        [--md FILE]
//   --root: a flume-ts tree with bin/ and dist/ (default this one); --heap: Flume's -Xms/-Xmx (the harness's launcher);
//   --late-ms 0: no second sample; --md: also write the table (with the machine's load) to FILE.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const here = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { values } = parseArgs({
  options: {
    root: { type: 'string', default: here },
    runs: { type: 'string', default: '5' },
    agents: { type: 'string', default: 'ts' },
    heap: { type: 'string', default: '256m' },
    'idle-ms': { type: 'string', default: '1000' },
    'late-ms': { type: 'string', default: '10000' },
    md: { type: 'string' },
  },
});
const root = path.resolve(values.root);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'flume-ts-idle-'));

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
const accepts = (port) =>
  new Promise((r) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      r(true);
    });
    s.on('error', () => r(false));
  });
/** VmRSS, RssAnon, RssFile (MiB) and Threads of a process, from /proc/PID/status (what `ps` and `top` show). */
function memory(pid) {
  const st = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mib = (k) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(st)?.[1] ?? Number.NaN) / 1024;
  return { rss: mib('VmRSS'), anon: mib('RssAnon'), file: mib('RssFile'), threads: Number(/Threads:\s+(\d+)/.exec(st)?.[1]) };
}

/** Starts one agent on `conf`; returns its child process (whose pid is measured). */
async function start(agent, conf, i) {
  if (agent === 'ts') {
    return spawn(
      path.join(root, 'bin/flume-ts'),
      ['agent', '-f', conf, '-n', 'a1', '--no-reload-conf', '-Dflume.root.logger=WARN,console'],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
  }
  const { startFlume } = await import('../scripts/services/flume.mjs');
  const logDir = path.join(tmp, `flume-${i}`);
  return startFlume({ confFile: conf, name: 'a1', heap: values.heap, logDir, props: {}, args: ['--no-reload-conf'] }).child;
}

async function once(agent, i) {
  const port = await freePort();
  const conf = path.join(tmp, `idle-${agent}-${i}.conf`);
  writeFileSync(
    conf,
    `a1.sources = r1\na1.channels = c1\na1.sinks = k1
a1.sources.r1.type = netcat\na1.sources.r1.bind = 127.0.0.1\na1.sources.r1.port = ${port}\na1.sources.r1.channels = c1
a1.channels.c1.type = memory\na1.sinks.k1.type = null\na1.sinks.k1.channel = c1\n`,
  );
  const load1 = os.loadavg()[0];
  const t0 = process.hrtime.bigint();
  const child = await start(agent, conf, i);
  try {
    const end = Date.now() + 120_000;
    while (!(await accepts(port))) {
      if (Date.now() > end) throw new Error(`${agent}: the agent did not open its port in 120 s`);
      if (child.exitCode !== null) throw new Error(`${agent}: the agent exited (${child.exitCode})`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const readyMs = Number(process.hrtime.bigint() - t0) / 1e6;
    await new Promise((r) => setTimeout(r, Number(values['idle-ms'])));
    const early = memory(child.pid);
    const lateMs = Number(values['late-ms']) - Number(values['idle-ms']);
    if (lateMs > 0) await new Promise((r) => setTimeout(r, lateMs));
    return { readyMs, ...early, late: lateMs > 0 ? memory(child.pid).rss : Number.NaN, load1 };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  }
}

const agents = String(values.agents).split(',').filter(Boolean);
const runs = Object.fromEntries(agents.map((a) => [a, []]));
const loads = [
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' '),
];
for (let i = 0; i < Number(values.runs); i++) for (const a of agents) runs[a].push(await once(a, i));
loads.push(
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' '),
);
rmSync(tmp, { recursive: true, force: true });

const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const label = { ts: 'flume-ts', flume: `Apache Flume 1.11.0 (-Xmx${values.heap})` };
/** `median (all runs)` of one measure. */
const cell = (rs, k, digits = 1) => `${med(rs.map((r) => r[k])).toFixed(digits)} (${rs.map((r) => r[k].toFixed(digits)).join(' ')})`;
const late = Number(values['late-ms']) > Number(values['idle-ms']);
const lines = [
  `${root}: ${values.runs} runs per agent, interleaved ${agents.join(',')}; node ${process.version}; idle ${values['idle-ms']} ms` +
    `${late ? `, late sample at ${values['late-ms']} ms` : ''}; load average (1, 5, 15 min) at start ${loads[0]}, at end ${loads[1]}`,
  '',
  `| agent | idle VmRSS MiB, median (all runs) | RssAnon MiB | RssFile MiB | threads |${late ? ` VmRSS after ${values['late-ms']} ms |` : ''}` +
    ' spawn → netcat port accepts, ms, median (all runs) |',
  `|---|---|---|---|---|${late ? '---|' : ''}---|`,
  ...agents.map(
    (a) =>
      `| ${label[a]} | ${cell(runs[a], 'rss')} | ${cell(runs[a], 'anon')} | ${cell(runs[a], 'file')} | ${cell(runs[a], 'threads', 0)} |` +
      `${late ? ` ${cell(runs[a], 'late')} |` : ''} ${cell(runs[a], 'readyMs', 0)} |`,
  ),
];
if (runs.ts && runs.flume) {
  const r = (k) => (med(runs.ts.map((x) => x[k])) / med(runs.flume.map((x) => x[k]))).toFixed(2);
  lines.push('', `flume-ts / Flume (medians): RSS ${r('rss')}×, start→ready ${r('readyMs')}×`);
}
console.log(lines.join('\n'));
if (values.md) writeFileSync(values.md, `${lines.join('\n')}\n`);
