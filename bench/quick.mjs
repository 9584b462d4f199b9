#!/usr/bin/env node
// flume-ts alone: events/s, CPU seconds per million events and peak RSS of the agent process for
//   netcat (ack-every-event=false) → memory → null, 100-byte lines, one connection, and seq → memory → null.
// Usage: node bench/quick.mjs [--events N] [--replicates R]
// The side-by-side comparison with real Flume is bench/run.mjs (npm run bench).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { events: { type: 'string', default: '2000000' }, replicates: { type: 'string', default: '3' } } });
const N = Number(values.events);
const R = Number(values.replicates);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'flume-ts-bench-'));
const TICK = os.constants?.signals ? 100 : 100; // USER_HZ on Linux

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

function procStats(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(f[11]) + Number(f[12])) / TICK;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpu, rssMiB: hwm ? Number(hwm[1]) / 1024 : NaN };
}

async function metrics(port) {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  return res.json();
}

async function waitFor(fn, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {}
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function runOnce(scenario) {
  const port = await freePort();
  const mport = await freePort();
  const conf = path.join(tmp, `${scenario}.conf`);
  const source =
    scenario === 'netcat'
      ? `a1.sources.r1.type = netcat\na1.sources.r1.bind = 127.0.0.1\na1.sources.r1.port = ${port}\na1.sources.r1.ack-every-event = false\n`
      : `a1.sources.r1.type = seq\na1.sources.r1.batchSize = 1000\na1.sources.r1.totalEvents = ${N}\n`;
  writeFileSync(
    conf,
    `a1.sources = r1\na1.channels = c1\na1.sinks = k1\n${source}a1.sources.r1.channels = c1
a1.channels.c1.type = memory\na1.channels.c1.capacity = 100000\na1.channels.c1.transactionCapacity = 10000
a1.sinks.k1.type = null\na1.sinks.k1.batchSize = 1000\na1.sinks.k1.channel = c1\n`,
  );
  const t0 = Date.now();
  const agent = spawn(
    path.join(root, 'bin/flume-ts'),
    [
      'agent',
      '-f',
      conf,
      '-n',
      'a1',
      '--no-reload-conf',
      '-Dflume.monitoring.type=http',
      `-Dflume.monitoring.port=${mport}`,
      '-Dflume.monitoring.bind=127.0.0.1',
      '-Dflume.root.logger=WARN,console',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  try {
    await waitFor(() => metrics(mport), 20_000, 'agent metrics');
    if (scenario === 'netcat')
      await waitFor(
        () =>
          new Promise((r) => {
            const s = net.connect(port, '127.0.0.1', () => {
              s.destroy();
              r(true);
            });
            s.on('error', () => r(false));
          }),
        20_000,
        'netcat port',
      );
    const ready = Date.now() - t0;
    const cpu0 = procStats(agent.pid).cpu;
    const start = process.hrtime.bigint();
    if (scenario === 'netcat') {
      const line = Buffer.alloc(100, 'x');
      line[99] = 0x0a;
      const chunk = Buffer.concat(Array.from({ length: 1000 }, () => line));
      await new Promise((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1');
        let sent = 0;
        const pump = () => {
          while (sent < N) {
            sent += 1000;
            if (!s.write(chunk)) return s.once('drain', pump);
          }
          s.end(resolve);
        };
        s.on('connect', pump);
        s.on('error', reject);
      });
    }
    await waitFor(async () => Number((await metrics(mport))['SINK.k1'].EventDrainSuccessCount) >= N, 600_000, 'all events drained');
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    const st = procStats(agent.pid);
    return { eps: N / secs, cpuPerM: ((st.cpu - cpu0) / N) * 1e6, rssMiB: st.rssMiB, readyMs: ready };
  } finally {
    agent.kill('SIGTERM');
    await new Promise((r) => agent.once('exit', r));
  }
}

const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `flume-ts quick bench: ${N} events per run, ${R} runs per scenario, node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model})`,
);
console.log('| scenario | events/s median (min–max) | CPU s per 1M events | peak RSS MiB | start→ready ms |');
console.log('|---|---|---|---|---|');
for (const sc of ['netcat', 'seq']) {
  const rs = [];
  for (let i = 0; i < R; i++) rs.push(await runOnce(sc));
  const eps = rs.map((r) => r.eps);
  const name = sc === 'netcat' ? 'netcat(ack=false) → memory → null, 100 B lines' : 'seq(batch 1000) → memory → null';
  console.log(
    `| ${name} | ${Math.round(med(eps)).toLocaleString('en')} (${Math.round(Math.min(...eps)).toLocaleString('en')}–${Math.round(Math.max(...eps)).toLocaleString('en')}) | ${med(rs.map((r) => r.cpuPerM)).toFixed(2)} | ${med(rs.map((r) => r.rssMiB)).toFixed(0)} | ${med(rs.map((r) => r.readyMs)).toFixed(0)} |`,
  );
}
