// How should TAILDIR notice changes in many files? Compares, on N files in one directory (default 2000):
//   dir-watch   one fs.watch on the directory (what the TAILDIR source does)
//   file-watch  one fs.watch per file (chokidar's model on Linux, without its extra bookkeeping)
//   poll        readdir + stat of every file (Flume's model), the cost of one scan
// Prints set-up time, handles, latency from an append to the event (median of 40), and scan cost.
//   node bench/taildir-watch.mjs [N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const N = Number(process.argv[2] ?? 2000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taildir-watch-'));
for (let i = 0; i < N; i++) fs.writeFileSync(path.join(dir, `f${i}.log`), '');
const median = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
const fds = () => fs.readdirSync('/proc/self/fd').length;

async function latency(arm) {
  const out = [];
  for (let k = 0; k < 40; k++) {
    const name = `f${Math.floor(Math.random() * N)}.log`;
    const t0 = process.hrtime.bigint();
    const seen = new Promise((r) => arm(name, r));
    fs.appendFileSync(path.join(dir, name), 'x\n');
    await seen;
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(out);
}

async function dirWatch() {
  const fd0 = fds();
  const t0 = performance.now();
  let want;
  const w = fs.watch(dir, (_type, f) => want && f === want.name && (want.r(), (want = undefined)));
  const setup = performance.now() - t0;
  const handles = fds() - fd0;
  const lat = await latency((name, r) => (want = { name, r }));
  w.close();
  return { mode: 'dir-watch', watches: 1, setupMs: setup, handles, latencyMs: lat };
}

async function fileWatch() {
  const fd0 = fds();
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  let want;
  const ws = [];
  for (let i = 0; i < N; i++) {
    const name = `f${i}.log`;
    ws.push(fs.watch(path.join(dir, name), () => want && want.name === name && (want.r(), (want = undefined))));
  }
  const setup = performance.now() - t0;
  const handles = fds() - fd0;
  const rss = (process.memoryUsage().rss - rss0) / 1048576;
  const lat = await latency((name, r) => (want = { name, r }));
  for (const w of ws) w.close();
  return { mode: 'file-watch', watches: N, setupMs: setup, handles, rssMiB: rss, latencyMs: lat };
}

async function poll() {
  const times = [];
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    const names = await fs.promises.readdir(dir);
    await Promise.all(names.map((n) => fs.promises.stat(path.join(dir, n))));
    times.push(performance.now() - t0);
  }
  const scan = median(times);
  const latencyMs = 'up to the poll interval (Flume: 1-5 s backoff)';
  return { mode: 'poll', watches: 0, scanMs: scan, latencyMs, cpuAt1sPoll: `${(scan / 10).toFixed(1)}%` };
}

const rows = [await dirWatch(), await fileWatch(), await poll()];
for (const r of rows) for (const k of Object.keys(r)) if (typeof r[k] === 'number') r[k] = Number(r[k].toFixed(2));
console.log(
  JSON.stringify(
    {
      files: N,
      load: os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' '),
      rows,
    },
    null,
    1,
  ),
);
fs.rmSync(dir, { recursive: true, force: true });
