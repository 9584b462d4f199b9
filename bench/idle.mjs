#!/usr/bin/env node
// Idle footprint of a netcat → memory → null agent: start-up time (spawn → netcat port accepts) and resident memory
// (VmRSS) once the agent has idled for a second.
// Usage: node bench/idle.mjs [--root DIR] [--runs N]   (--root: a flume-ts tree with bin/ and dist/, default this one)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const here = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { values } = parseArgs({ options: { root: { type: 'string', default: here }, runs: { type: 'string', default: '5' } } });
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
const rssMiB = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

async function once() {
  const port = await freePort();
  const conf = path.join(tmp, 'idle.conf');
  writeFileSync(
    conf,
    `a1.sources = r1\na1.channels = c1\na1.sinks = k1
a1.sources.r1.type = netcat\na1.sources.r1.bind = 127.0.0.1\na1.sources.r1.port = ${port}\na1.sources.r1.channels = c1
a1.channels.c1.type = memory\na1.sinks.k1.type = null\na1.sinks.k1.channel = c1\n`,
  );
  const t0 = process.hrtime.bigint();
  const agent = spawn(
    path.join(root, 'bin/flume-ts'),
    ['agent', '-f', conf, '-n', 'a1', '--no-reload-conf', '-Dflume.root.logger=WARN,console'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  try {
    const end = Date.now() + 30_000;
    while (!(await accepts(port))) {
      if (Date.now() > end) throw new Error('agent did not open its port in 30 s');
      await new Promise((r) => setTimeout(r, 5));
    }
    const readyMs = Number(process.hrtime.bigint() - t0) / 1e6;
    await new Promise((r) => setTimeout(r, 1000));
    return { readyMs, rss: rssMiB(agent.pid) };
  } finally {
    agent.kill('SIGTERM');
    await new Promise((r) => agent.once('exit', r));
  }
}

const runs = [];
for (let i = 0; i < Number(values.runs); i++) runs.push(await once());
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `${root}: ${runs.length} runs, node ${process.version}, load ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
console.log(`  start→port ms median ${med(runs.map((r) => r.readyMs)).toFixed(0)} (${runs.map((r) => r.readyMs.toFixed(0)).join(' ')})`);
console.log(`  idle RSS MiB median ${med(runs.map((r) => r.rss)).toFixed(1)} (${runs.map((r) => r.rss.toFixed(1)).join(' ')})`);
