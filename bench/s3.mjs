#!/usr/bin/env node
// Benchmark S3 (perf-anchors.md): two tiers joined by Avro RPC, Apache Flume 1.11 (F) vs flume-ts (T).
//
//   node bench/s3.mjs [--replicates 3] [--seconds 30] [--warmup 10] [--batch 100] [--line-size 1024]
//                     [--window 20000] [--rate 2000] [--agents flume,ts] [--heap 1g] [--json FILE]
//
//   generator ──netcat──▶ tier 1: netcat → memory → avro sink ──avro──▶ tier 2: avro source → memory → avro sink
//                                                                              ──avro──▶ collector (this process)
//
// Both tiers run the agent under test (two processes of the same kind, the same properties as each other for F
// and T). The generator and the collector live in this process: every line carries its send time, the collector
// reads it back, so latency is generator → tier 1 → tier 2 → collector (the collector is flume-ts' Avro server
// code in both cases; it is the same for F and T).
//   phase 1 "max": closed loop, at most --window events in flight (sent, not yet collected): events/s, p50/p99
//   phase 2 "rate": a fixed --rate events/s: p50/p99 latency when the tiers are not saturated
//   combined peak RSS (VmHWM) and CPU seconds of both agent processes.
// Agents alternate F,T,F,T…; medians over the replicates. Results on stdout (Markdown) and in .bench/s3-*.json.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, freePorts, portOpen, sleep, stopPid } from '../scripts/services/lib.mjs';
import { AGENTS } from './agents.mjs';

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

const { RpcServer } = await import('../dist/components/rpc/server.js');
const { AvroSession, knownClients } = await import('../dist/components/rpc/avro/session.js');
const { pino } = await import('pino');

function tierConf(kind, { inPort, outPort }) {
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
    '',
  ].join('\n');
}

/** The collector: an Avro server that reads each body's send time. */
async function collector(port) {
  const st = { received: 0, lat: [], measuring: false };
  const record = (events) => {
    const now = Date.now();
    for (const e of events) {
      // body: "<12-digit seq> <13-digit ms> filler"
      const t = Number(e.body.toString('latin1', 13, 26));
      if (st.measuring) st.lat.push(now - t);
    }
    st.received += events.length;
    return 'OK';
  };
  const handler = { append: async (e) => record([e]), appendBatch: async (es) => record(es) };
  const known = knownClients();
  const server = new RpcServer({
    bind: '127.0.0.1',
    port,
    logger: pino({ level: 'warn' }),
    label: 'collector',
    layers: {},
    newSession: () => new AvroSession(handler, known),
  });
  await server.listen();
  return { st, close: () => server.close() };
}

/** Generator: writes lines with seq + send time; `allow()` says how many more may go now. */
function generator(port) {
  const sock = net.connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  sock.resume();
  const filler = Buffer.alloc(LINE, 'x');
  let seq = 0;
  const make = (n) => {
    const b = Buffer.allocUnsafe(n * LINE);
    const t = String(Date.now());
    for (let i = 0; i < n; i++) {
      const o = i * LINE;
      filler.copy(b, o);
      b.write(String(seq++).padStart(12, '0'), o, 'latin1');
      b[o + 12] = 32;
      b.write(t, o + 13, 'latin1');
      b[o + LINE - 1] = 10;
    }
    return b;
  };
  return {
    ready: new Promise((r) => sock.once('connect', r)),
    get sent() {
      return seq;
    },
    /** sends up to n lines; resolves when the socket accepted them */
    send: (n) => new Promise((r) => (sock.write(make(n)) ? r() : sock.once('drain', r))),
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

const pct = (a, p) => (a.length ? a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))] : NaN);

async function replicate(name) {
  const A = AGENTS[name];
  const [p1, p2, pc, m1, m2] = await freePorts(5);
  const dir = path.join(ROOT, '.bench', `s3-${name}-${Date.now()}`);
  fs.mkdirSync(dir, { recursive: true });
  const col = await collector(pc);
  const f2 = path.join(dir, 'tier2.conf');
  const f1 = path.join(dir, 'tier1.conf');
  fs.writeFileSync(f2, tierConf(2, { inPort: p2, outPort: pc }));
  fs.writeFileSync(f1, tierConf(1, { inPort: p1, outPort: p2 }));
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
    const cpu0 = procStat(t1.pid).cpu + procStat(t2.pid).cpu;
    let self0;
    const end1 = Date.now() + (WARMUP + SECONDS) * 1000;
    const measureFrom = Date.now() + WARMUP * 1000;
    let base = -1;
    let tBase = 0;
    while (Date.now() < end1) {
      if (base < 0 && Date.now() >= measureFrom) {
        base = col.st.received;
        tBase = Date.now();
        self0 = process.cpuUsage();
        col.st.measuring = true;
      }
      const room = WINDOW - (gen.sent - col.st.received);
      if (room >= 100) await gen.send(Math.min(room, 1000));
      else await sleep(1);
    }
    const got = col.st.received - base;
    const el = (Date.now() - tBase) / 1000;
    col.st.measuring = false;
    const lat1 = col.st.lat.sort((a, b) => a - b);
    res.eventsPerSec = got / el;
    const self = process.cpuUsage(self0);
    // the generator + collector process: near 100% means it, not the agents, limits the closed-loop rate
    res.benchCpuPct = ((self.user + self.system) / 1e6 / el) * 100;
    res.loadavg1 = os.loadavg()[0];
    res.maxP50 = pct(lat1, 50);
    res.maxP99 = pct(lat1, 99);
    res.cpuSecPerMEvents = ((procStat(t1.pid).cpu + procStat(t2.pid).cpu - cpu0) / Math.max(1, got)) * 1e6;
    // drain, then phase 2: fixed rate
    const drainUntil = Date.now() + 60_000;
    while (col.st.received < gen.sent && Date.now() < drainUntil) await sleep(50);
    col.st.lat = [];
    col.st.measuring = true;
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
    while (col.st.received < gen.sent && Date.now() < end2 + 30_000) await sleep(20);
    col.st.measuring = false;
    const lat2 = col.st.lat.sort((a, b) => a - b);
    res.rateP50 = pct(lat2, 50);
    res.rateP99 = pct(lat2, 99);
    res.lost = gen.sent - col.st.received;
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
