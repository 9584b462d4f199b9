#!/usr/bin/env node
// Channel-fill axis of the scaling sweep: how fast each agent delivers when its memory channel is (nearly) empty or
// 90 % full. Apache Flume 1.11 (F) vs flume-ts (T), the same properties file for both.
//
//   node bench/fill.mjs [--fill 90] [--capacity 1000000] [--empty-window 20000] [--batch 1000] [--line-size 100]
//                       [--replicates 3] [--seconds 20] [--warmup 5] [--agents flume,ts] [--heap 1g] [--json FILE]
//
//   generator ──netcat──▶ netcat (ack-every-event=false) → memory (capacity C) → avro sink ──avro──▶ collector
//   (generator and collector live in this process; the collector is flume-ts' Avro server code for both agents)
//
// Phase 1 (fill): the collector's port is not listening yet, so the avro sink cannot deliver. The generator sends
//   exactly W events, W = fill % of C (--fill 0: W = --empty-window, the "empty" point), and waits until the agent
//   counts W committed puts (CHANNEL.c1.EventPutSuccessCount). W ≤ 90 % of C: the channel is never overfilled (Flume's
//   netcat source drops a line it cannot put; so does flume-ts' with ack-every-event=false).
// Phase 2 (measure): the collector starts listening. Both sinks reconnect on their own retry timer (Flume: SinkRunner
//   sleeps maxBackoffSleep = 5 s after each EventDeliveryException; flume-ts: 250 ms doubling up to 5 s), so the
//   window does not start at the opening but at the first event received, plus --warmup seconds: no timer of either
//   agent is inside the window. The generator keeps W events in flight (sent − received): the channel stays at the
//   fill level during the window, never above W + one batch. Measured over --seconds:
//     events/s        events received by the collector / window
//     CPU s / M ev    Δ utime+stime of the agent over the window per million received events
//     fill at start/end of the window: CHANNEL.c1.ChannelSize / C (GET /metrics)
//     empty batches   Δ SINK.k1.BatchEmptyCount in the window (> 0: the sink found the channel empty at least once;
//                     Flume's SinkRunner then sleeps 1 s, flume-ts waits for the next put)
// Then the generator stops, the agent drains (bounded), and every sequence number is checked at the collector:
// lost = sent − distinct received, dups = received more than once.
// Agents alternate F,T,F,T…; one JSON file (--json) with one row per replicate, as bench/s3.mjs writes.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, freePorts, pidAlive, portOpen, sleep, stopPid } from '../scripts/services/lib.mjs';
import { AGENTS } from './agents.mjs';

const { values: opt } = parseArgs({
  options: {
    fill: { type: 'string', default: '90' },
    capacity: { type: 'string', default: '1000000' },
    'empty-window': { type: 'string', default: '20000' },
    batch: { type: 'string', default: '1000' },
    'line-size': { type: 'string', default: '100' },
    replicates: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    agents: { type: 'string', default: 'flume,ts' },
    heap: { type: 'string', default: '1g' },
    json: { type: 'string' },
  },
});
const FILL = Number(opt.fill);
const CAP = Number(opt.capacity);
const BATCH = Number(opt.batch);
const LINE = Number(opt['line-size']);
const SECONDS = Number(opt.seconds);
const WARMUP = Number(opt.warmup);
/** Events kept in flight: the fill level. */
const W = FILL > 0 ? Math.round((CAP * FILL) / 100) : Number(opt['empty-window']);
if (!(W > 0) || W > 0.9 * CAP) throw new Error(`--fill ${FILL} of --capacity ${CAP}: W = ${W} must be in 1..90 % of capacity`);
if (LINE < 14) throw new Error('--line-size must be at least 14 (12-digit sequence number, a space, the newline)');

const { avroCollector } = await import('./avro-collector.mjs');

/** @param {{ port: number, collectorPort: number }} p */
function config({ port, collectorPort }) {
  return [
    'a1.sources = r1',
    'a1.channels = c1',
    'a1.sinks = k1',
    'a1.sources.r1.type = netcat',
    'a1.sources.r1.bind = 127.0.0.1',
    `a1.sources.r1.port = ${port}`,
    'a1.sources.r1.ack-every-event = false',
    `a1.sources.r1.max-line-length = ${Math.max(512, LINE * 2)}`,
    'a1.sources.r1.channels = c1',
    'a1.channels.c1.type = memory',
    `a1.channels.c1.capacity = ${CAP}`,
    `a1.channels.c1.transactionCapacity = ${Math.max(10000, BATCH)}`,
    'a1.sinks.k1.type = avro',
    'a1.sinks.k1.channel = c1',
    'a1.sinks.k1.hostname = 127.0.0.1',
    `a1.sinks.k1.port = ${collectorPort}`,
    `a1.sinks.k1.batch-size = ${BATCH}`,
    '',
  ].join('\n');
}

/** A bitmap of sequence numbers that grows as needed. */
class Seen {
  bits = new Uint8Array(1 << 20);
  distinct = 0;
  dups = 0;
  /** @param {number} seq */
  add(seq) {
    if (seq >= this.bits.length) {
      const b = new Uint8Array(Math.max(this.bits.length * 2, seq + 1));
      b.set(this.bits);
      this.bits = b;
    }
    if (this.bits[seq]) this.dups++;
    else {
      this.bits[seq] = 1;
      this.distinct++;
    }
  }
}

/** The collector: an Avro server, created now, listening only when `open()` is called. @param {number} port */
function collector(port) {
  const st = { received: 0, bad: 0, seen: new Seen() };
  /** @param {Array<{ body: Buffer }>} events */
  const record = (events) => {
    for (const e of events) {
      let seq = 0;
      let ok = e.body.length >= 12;
      for (let i = 0; ok && i < 12; i++) {
        const c = e.body[i];
        if (c < 48 || c > 57) ok = false;
        else seq = seq * 10 + (c - 48);
      }
      if (ok) st.seen.add(seq);
      else st.bad++;
    }
    st.received += events.length;
    return 'OK';
  };
  const server = avroCollector(port, record);
  let listening = false;
  return {
    st,
    open: async () => {
      await server.listen();
      listening = true;
    },
    close: async () => {
      if (listening) await server.close();
    },
  };
}

/** The generator: numbered lines (12-digit sequence number, space, filler, newline) on one connection. @param {number} port */
function generator(port) {
  const sock = net.connect(port, '127.0.0.1');
  sock.resume();
  const template = Buffer.alloc(LINE, 'x');
  template[12] = 32;
  template[LINE - 1] = 10;
  let seq = 0;
  /** @param {number} n */
  const make = (n) => {
    const b = Buffer.allocUnsafe(n * LINE);
    for (let i = 0; i < n; i++) {
      const o = i * LINE;
      template.copy(b, o);
      let v = seq++;
      for (let d = 11; d >= 0; d--) {
        b[o + d] = 48 + (v % 10);
        v = Math.floor(v / 10);
      }
    }
    return b;
  };
  return {
    ready: new Promise((r, j) => {
      sock.once('connect', r);
      sock.once('error', j);
    }),
    get sent() {
      return seq;
    },
    /** @param {number} n @returns {Promise<void>} resolves when the socket took the lines */
    send: (n) => new Promise((r) => (sock.write(make(n)) ? r(undefined) : sock.once('drain', r))),
    close: () => sock.destroy(),
  };
}

/** GET /metrics → JSON, or undefined. @param {number} port @returns {Promise<Record<string, Record<string, string>> | undefined>} */
function metrics(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/metrics', timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** @param {number} pid */
function procStat(pid) {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  const hwm = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpu: (Number(f[11]) + Number(f[12])) / 100, rssMiB: hwm ? Number(hwm[1]) / 1024 : NaN };
}

/** @param {Record<string, Record<string, string>> | undefined} m @param {string} k */
const chan = (m, k) => Number(m?.['CHANNEL.c1']?.[k] ?? NaN);

/**
 * Waits for `cond` (polled every 50 ms), failing after `ms` or when the agent died.
 * @param {() => Promise<boolean>} cond @param {number} ms @param {number} pid @param {string} what
 */
async function until(cond, ms, pid, what) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (!pidAlive(pid)) throw new Error(`the agent exited while waiting for ${what}`);
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * Phase 2: keeps W events in flight until `tEnd()` says stop; notes the first receipt.
 * @param {ReturnType<typeof generator>} gen @param {ReturnType<typeof collector>} col @param {() => boolean} stop
 */
async function keepInFlight(gen, col, stop) {
  const chunk = Math.max(1, Math.min(1000, Math.floor(W / 10)));
  while (!stop()) {
    const room = W - (gen.sent - col.st.received);
    if (room >= chunk) await gen.send(Math.min(room, 4 * chunk));
    else await sleep(1);
  }
}

/** One replicate of one agent. @param {string} name */
async function replicate(name) {
  const A = AGENTS[name];
  const [port, collectorPort, monPort] = await freePorts(3);
  const dir = path.join(ROOT, '.bench', `fill-${FILL}-${name}-${Date.now()}`);
  fs.mkdirSync(dir, { recursive: true });
  const confFile = path.join(dir, 'agent.conf');
  fs.writeFileSync(confFile, config({ port, collectorPort }));
  const col = collector(collectorPort);
  const t0 = Date.now();
  const run = A.start({ confFile, monPort, logDir: path.join(dir, 'logs'), heap: String(opt.heap) });
  /** @type {Record<string, any>} */
  const res = { agent: name, fillTarget: FILL, inFlight: W, capacity: CAP };
  /** @type {ReturnType<typeof generator> | undefined} */
  let gen;
  try {
    await until(() => portOpen(port), 120_000, run.pid, 'the netcat source port');
    res.readyMs = Date.now() - t0;
    await until(async () => Number.isFinite(chan(await metrics(monPort), 'EventPutSuccessCount')), 30_000, run.pid, 'GET /metrics');
    gen = generator(port);
    await gen.ready;
    // phase 1: W events into the channel while the sink cannot deliver
    const f0 = Date.now();
    for (let left = W; left > 0; ) {
      const n = Math.min(left, 10000);
      await gen.send(n);
      left -= n;
    }
    await until(async () => chan(await metrics(monPort), 'EventPutSuccessCount') >= W, 300_000, run.pid, `${W} puts in the channel`);
    res.fillSeconds = (Date.now() - f0) / 1000;
    // phase 2: open the destination, keep W in flight
    await col.open();
    const opened = Date.now();
    let stopping = false;
    const loop = keepInFlight(gen, col, () => stopping);
    await until(async () => col.st.received > 0, 60_000, run.pid, 'the first event at the collector (sink reconnect)');
    res.reconnectMs = Date.now() - opened;
    await sleep(WARMUP * 1000);
    const read = async () => {
      const m = await metrics(monPort);
      const empties = Number(m?.['SINK.k1']?.BatchEmptyCount ?? NaN);
      return { t: Date.now(), got: col.st.received, cpu: procStat(run.pid).cpu, size: chan(m, 'ChannelSize'), empties };
    };
    const self0 = process.cpuUsage();
    const a = await read();
    await sleep(SECONDS * 1000);
    const b = await read();
    const self = process.cpuUsage(self0);
    stopping = true;
    await loop;
    const windowS = (b.t - a.t) / 1000;
    const got = b.got - a.got;
    Object.assign(res, {
      windowS,
      eventsPerSec: got / windowS,
      cpuSecPerMEvents: ((b.cpu - a.cpu) / Math.max(1, got)) * 1e6,
      cpuUtil: (b.cpu - a.cpu) / windowS,
      fillPctStart: (a.size / CAP) * 100,
      fillPctEnd: (b.size / CAP) * 100,
      emptyBatches: b.empties - a.empties,
      benchCpuPct: ((self.user + self.system) / 1e6 / windowS) * 100,
      loadavg1: os.loadavg()[0],
    });
    // drain, then check every sequence number
    const sent = gen.sent;
    const drainEnd = Date.now() + 120_000;
    while (col.st.received < sent && Date.now() < drainEnd && pidAlive(run.pid)) await sleep(50);
    res.peakRssMiB = procStat(run.pid).rssMiB;
    Object.assign(res, { sent, lost: sent - col.st.seen.distinct, dups: col.st.seen.dups, badBodies: col.st.bad });
  } finally {
    gen?.close();
    await stopPid(run.pid, 30_000);
    await col.close();
  }
  return res;
}

for (const a of String(opt.agents).split(',')) {
  if (!AGENTS[a]) throw new Error(`unknown agent ${a} (known: ${Object.keys(AGENTS).join(', ')})`);
  const why = AGENTS[a].unavailable();
  if (why) throw new Error(`${a}: ${why}`);
  AGENTS[a].prepare();
}
const runs = [];
for (let r = 1; r <= Number(opt.replicates); r++) {
  for (const a of String(opt.agents).split(',')) {
    try {
      const x = await replicate(a);
      process.stderr.write(`[fill ${FILL}%] ${a} #${r}: ${JSON.stringify(x)}\n`);
      runs.push({ ...x, replicate: r });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      process.stderr.write(`[fill ${FILL}%] ${a} #${r} FAILED: ${error}\n`);
      runs.push({ agent: a, replicate: r, error });
    }
  }
}
const out = opt.json ?? path.join(ROOT, '.bench', `fill-${FILL}-${Date.now()}.json`);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify({ opt, runs }, null, 2));
process.stdout.write(`fill ${FILL} % (${W} of ${CAP} in flight): ${runs.length} runs → ${out}\n`);
if (runs.some((r) => r.error)) process.exitCode = 1;
