#!/usr/bin/env node
// Benchmark S3 (perf-anchors.md): two tiers joined by Avro RPC, Apache Flume 1.11 (F) vs flume-ts (T).
//
//   node bench/s3.mjs [--replicates 3] [--seconds 30] [--warmup 10] [--batch 100] [--line-size 1024]
//                     [--window 20000] [--rate 2000] [--agents flume,ts] [--heap 1g] [--json FILE]
//
//   generator ──netcat──▶ tier 1: netcat → memory → avro sink ──avro──▶ tier 2: avro source → memory → avro sink
//                                                                              ──avro──▶ collector (this process, own thread)
//
// Both tiers run the agent under test (two processes of the same kind, the same properties as each other for F
// and T). The generator and the collector live in this process (the collector on a worker thread, bench/s3-collector.mjs,
// so that neither waits on the other): every line carries its send time, the collector
// reads it back, so latency is generator → tier 1 → tier 2 → collector (the collector is flume-ts' Avro server
// code in both cases; it is the same for F and T).
//   phase 1 "max": closed loop, at most --window events in flight (sent, not yet collected): events/s, p50/p99
//   phase 2 "rate": a fixed --rate events/s: p50/p99 latency when the tiers are not saturated
//   combined peak RSS (VmHWM) and CPU seconds of both agent processes.
// Agents alternate F,T,F,T…; medians over the replicates. Results on stdout (Markdown) and in .bench/s3-*.json.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { ROOT, freePorts, portOpen, sleep, stopPid } from '../scripts/services/lib.mjs';
import { AGENTS, BASE_PROPS } from './agents.mjs';

// The collector reassembles each Avro frame (1 MiB at batch 1000) into a fresh buffer. With glibc's defaults every one
// is a new mmap whose pages these VMs fault in at 0.2–0.8 GiB/s (memory the host has taken back), which made the
// collector, not the agents, the slowest hop (a third of its thread in the copy). The bench runs with the settings
// bin/flume-ts's #! line gives the agents (docs/operations.md, "Memory under load"): re-run under them if unset.
if (!process.env.MALLOC_MMAP_THRESHOLD_) {
  const env = { ...process.env, MALLOC_MMAP_THRESHOLD_: '33554432', MALLOC_TRIM_THRESHOLD_: '67108864' };
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  process.exit(r.status ?? 1);
}

const { values: opt } = parseArgs({
  options: {
    replicates: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '10' },
    batch: { type: 'string', default: '100' },
    'line-size': { type: 'string', default: '1024' },
    window: { type: 'string', default: '20000' },
    rate: { type: 'string', default: '2000' },
    agents: { type: 'string', default: 'flume,ts' },
    heap: { type: 'string', default: '1g' },
    json: { type: 'string' },
  },
});
const R = Number(opt.replicates);
const SECONDS = Number(opt.seconds);
const WARMUP = Number(opt.warmup);
const BATCH = Number(opt.batch);
const LINE = Number(opt['line-size']);
const WINDOW = Number(opt.window);
const RATE = Number(opt.rate);
const agents = String(opt.agents).split(',');

function tierConf(kind, { inPort, outPort }, agent) {
  const src =
    kind === 1
      ? ['a1.sources.r1.type = netcat', 'a1.sources.r1.ack-every-event = false', `a1.sources.r1.max-line-length = ${LINE * 2}`]
      : ['a1.sources.r1.type = avro'];
  return [
    'a1.sources = r1',
    'a1.channels = c1',
    'a1.sinks = k1',
    ...src,
    'a1.sources.r1.bind = 127.0.0.1',
    `a1.sources.r1.port = ${inPort}`,
    'a1.sources.r1.channels = c1',
    'a1.channels.c1.type = memory',
    'a1.channels.c1.capacity = 100000',
    `a1.channels.c1.transactionCapacity = ${Math.max(1000, BATCH)}`,
    'a1.sinks.k1.type = avro',
    'a1.sinks.k1.channel = c1',
    'a1.sinks.k1.hostname = 127.0.0.1',
    `a1.sinks.k1.port = ${outPort}`,
    `a1.sinks.k1.batch-size = ${BATCH}`,
    ...(agent === 'tsbase' ? BASE_PROPS : []),
    '',
  ].join('\n');
}

/** The collector (bench/s3-collector.mjs) on a worker thread: received counts and a latency histogram in shared memory. */
async function collector(port) {
  const sab = new SharedArrayBuffer(8 + 4 * 600_001);
  const ctl = new Int32Array(sab, 0, 2);
  const hist = new Uint32Array(sab, 8);
  const w = new Worker(new URL('./s3-collector.mjs', import.meta.url), { workerData: { port, sab } });
  await new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  return {
    received: () => Atomics.load(ctl, 1),
    /** starts recording latencies into an empty histogram */
    measure: () => {
      hist.fill(0);
      Atomics.store(ctl, 0, 1);
    },
    /** stops recording; the p-th percentile of what was recorded, in ms */
    stop: () => {
      Atomics.store(ctl, 0, 0);
      let n = 0;
      for (let i = 0; i < hist.length; i++) n += hist[i];
      return (p) => {
        if (!n) return NaN;
        const k = Math.min(n - 1, Math.floor((p / 100) * n));
        let c = 0;
        for (let i = 0; i < hist.length; i++) if ((c += hist[i]) > k) return i;
        return NaN;
      };
    },
    close: async () => {
      w.postMessage('close');
      await new Promise((r) => w.once('exit', r));
    },
  };
}

/**
 * Generator: writes lines with seq + send time. Lines come from a template
 * (filler, the space, the newline) in reused buffers, only the 12 digits of the sequence number and the 13 of the send
 * time written per line (copying the filler into a fresh buffer per line cost the bench process a fifth of its time).
 */
function generator(port) {
  const sock = net.connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  sock.resume();
  const PER = 1000;
  const template = Buffer.alloc(PER * LINE, 'x');
  for (let i = 0; i < PER; i++) {
    template[i * LINE + 12] = 32;
    template[i * LINE + LINE - 1] = 10;
  }
  /** @type {Buffer[]} */
  const free = [];
  let seq = 0;
  const digits = (b, o, v, n) => {
    for (let d = n - 1; d >= 0; d--) {
      b[o + d] = 48 + (v % 10);
      v = Math.floor(v / 10);
    }
  };
  const make = (n) => {
    const b = free.pop() ?? Buffer.from(template);
    const t = Date.now();
    for (let i = 0; i < n; i++) {
      digits(b, i * LINE, seq++, 12);
      digits(b, i * LINE + 13, t, 13);
    }
    return b;
  };
  /** sends up to n (≤ 1000) lines; resolves when the socket accepted them */
  const send1 = async (n) => {
    // a write's callback comes on process.nextTick, which waits while this loop runs on promises alone: give the
    // callbacks a turn before taking a new buffer, else every send allocated (and faulted in) a fresh MiB
    if (free.length === 0) await new Promise((r) => setImmediate(r));
    const b = make(n);
    const done = () => free.push(b);
    await new Promise((r) => (sock.write(n === PER ? b : b.subarray(0, n * LINE), done) ? r() : sock.once('drain', r)));
  };
  return {
    ready: new Promise((r) => sock.once('connect', r)),
    get sent() {
      return seq;
    },
    send: async (n) => {
      for (; n > 0; n -= PER) await send1(Math.min(n, PER));
    },
    close: () => sock.destroy(),
  };
}

function procStat(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(f[11]) + Number(f[12])) / 100;
    const hwm = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpu, rssMb: hwm ? Number(hwm[1]) / 1024 : 0 };
  } catch {
    return { cpu: 0, rssMb: 0 };
  }
}

async function replicate(name) {
  const A = AGENTS[name];
  const [p1, p2, pc, m1, m2] = await freePorts(5);
  const dir = path.join(ROOT, '.bench', `s3-${name}-${Date.now()}`);
  fs.mkdirSync(dir, { recursive: true });
  const col = await collector(pc);
  const f2 = path.join(dir, 'tier2.conf');
  const f1 = path.join(dir, 'tier1.conf');
  fs.writeFileSync(f2, tierConf(2, { inPort: p2, outPort: pc }, name));
  fs.writeFileSync(f1, tierConf(1, { inPort: p1, outPort: p2 }, name));
  const t2 = A.start({ confFile: f2, monPort: m2, logDir: path.join(dir, 'tier2'), heap: String(opt.heap) });
  const t1 = A.start({ confFile: f1, monPort: m1, logDir: path.join(dir, 'tier1'), heap: String(opt.heap) });
  const res = { agent: name };
  try {
    const until = Date.now() + 120_000;
    while (!(await portOpen(p1)) || !(await portOpen(p2))) {
      if (Date.now() > until) throw new Error(`${name}: tiers not ready; logs in ${dir}`);
      await sleep(100);
    }
    const gen = generator(p1);
    await gen.ready;
    // phase 1: closed loop
    // CPU counts from the end of the warm-up, like the events (it counted the warm-up too: every figure was
    // (warmup + seconds) / seconds too high, and a JVM's start-up compiling made Flume's the more so)
    let cpu0 = 0;
    let self0;
    const end1 = Date.now() + (WARMUP + SECONDS) * 1000;
    const measureFrom = Date.now() + WARMUP * 1000;
    let base = -1;
    let tBase = 0;
    while (Date.now() < end1) {
      if (base < 0 && Date.now() >= measureFrom) {
        base = col.received();
        tBase = Date.now();
        self0 = process.cpuUsage();
        cpu0 = procStat(t1.pid).cpu + procStat(t2.pid).cpu;
        col.measure();
      }
      const room = WINDOW - (gen.sent - col.received());
      if (room >= 100) await gen.send(Math.min(room, 1000));
      else await sleep(1);
    }
    const got = col.received() - base;
    const el = (Date.now() - tBase) / 1000;
    const lat1 = col.stop();
    res.eventsPerSec = got / el;
    const self = process.cpuUsage(self0);
    // the generator + collector process: near 100% means it, not the agents, limits the closed-loop rate
    res.benchCpuPct = ((self.user + self.system) / 1e6 / el) * 100;
    res.loadavg1 = os.loadavg()[0];
    res.maxP50 = lat1(50);
    res.maxP99 = lat1(99);
    res.cpuSecPerMEvents = ((procStat(t1.pid).cpu + procStat(t2.pid).cpu - cpu0) / Math.max(1, got)) * 1e6;
    // drain, then phase 2: fixed rate
    const drainUntil = Date.now() + 60_000;
    while (col.received() < gen.sent && Date.now() < drainUntil) await sleep(50);
    col.measure();
    const t0 = Date.now();
    const end2 = t0 + Math.max(5, SECONDS / 2) * 1000;
    let n = 0;
    while (Date.now() < end2) {
      const due = Math.floor(((Date.now() - t0) / 1000) * RATE);
      if (due > n) {
        await gen.send(due - n);
        n = due;
      } else await sleep(1);
    }
    while (col.received() < gen.sent && Date.now() < end2 + 30_000) await sleep(20);
    const lat2 = col.stop();
    res.rateP50 = lat2(50);
    res.rateP99 = lat2(99);
    res.lost = gen.sent - col.received();
    res.rssMb = procStat(t1.pid).rssMb + procStat(t2.pid).rssMb;
    gen.close();
  } finally {
    await stopPid(t1.pid, 15_000);
    await stopPid(t2.pid, 15_000);
    await col.close();
  }
  return res;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};

for (const a of agents) {
  const why = AGENTS[a].unavailable();
  if (why) throw new Error(`${a}: ${why}`);
  AGENTS[a].prepare();
}
const runs = [];
for (let r = 0; r < R; r++) {
  for (const a of agents) {
    const x = await replicate(a);
    process.stderr.write(`[s3] ${a} #${r + 1}: ${JSON.stringify(x)}\n`);
    runs.push(x);
  }
}
const rows = agents.map((a) => {
  const rs = runs.filter((x) => x.agent === a);
  const m = (k) => median(rs.map((x) => x[k]));
  const range = (k) => `${Math.min(...rs.map((x) => x[k])).toFixed(0)}–${Math.max(...rs.map((x) => x[k])).toFixed(0)}`;
  return `| ${AGENTS[a].label} | ${m('eventsPerSec').toFixed(0)} (${range('eventsPerSec')}) | ${m('maxP50')} / ${m('maxP99')} | ${m('rateP50')} / ${m('rateP99')} | ${m('cpuSecPerMEvents').toFixed(1)} | ${m('rssMb').toFixed(0)} | ${rs.reduce((s, x) => s + x.lost, 0)} | ${m('benchCpuPct').toFixed(0)}% |`;
});
const table = [
  `S3 two-tier Avro: netcat → memory → avro sink → avro source → memory → avro sink → collector; ${LINE}-byte lines, batch-size ${BATCH}, window ${WINDOW}, rate phase ${RATE} ev/s; ${R} replicates of ${WARMUP}+${SECONDS} s; medians (min–max)`,
  '',
  '| agent | events/s (closed loop) | p50 / p99 ms (closed loop) | p50 / p99 ms (at rate) | CPU s / M events (both tiers) | combined peak RSS MB | lost | generator+collector CPU |',
  '|---|---|---|---|---|---|---|---|',
  ...rows,
].join('\n');
console.log(
  table +
    `\n\nmachine: ${os.cpus().length} cores, load average at the end ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
);
fs.mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
fs.writeFileSync(opt.json ?? path.join(ROOT, '.bench', `s3-${Date.now()}.json`), JSON.stringify({ opt, runs }, null, 2));
