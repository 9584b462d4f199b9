#!/usr/bin/env node
// Side-by-side benchmark: real Apache Flume 1.11 (F) vs flume-ts (T) on the same config and load.
//
//   npm run bench -- s1 [more scenarios] [--replicates 5] [--seconds 60] [--warmup 20] [--agents flume,ts]
//                       [--max-events N] [--heap 1g] [--out DIR] [--no-probe]
//
// Method (shared/reference/perf-anchors.md §4–5): agents alternate F,T,F,T,… (≥5 replicates each by default).
// Per replicate: start the agent, time until its source port accepts (start-to-ready), run one load-generator
// process (bench/loadgen.mjs: prebuilt 100-byte lines, each with a sequence number, one connection, closed
// loop) for warm-up + measured seconds, sample GET /metrics (Flume's HTTP JSON monitoring, served by both
// agents) every 250 ms, then wait until the sink has drained everything sent (bounded).
//   events/s       = Δ SINK.k1.EventDrainSuccessCount over the measured window / window length — counted at
//                    the sink after its commit, interpolated at the window edges
//   CPU s / M ev   = Δ (utime+stime) of the agent process (/proc/PID/stat) over the window per million events
//   peak RSS       = VmHWM (/proc/PID/status) at the end
//   loss / dups    = sent − drained (null sink), or, for file_roll scenarios, every sequence number read back
// Results: a Markdown table on stdout and JSON + Markdown in .bench/.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import readline from 'node:readline';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ROOT, freePorts, pidAlive, portOpen, sleep, stopPid } from '../scripts/services/lib.mjs';
import { AGENTS, BASE_PROPS } from './agents.mjs';
import { machineProbe } from './probe.mjs';
import { GROUPS, SCENARIOS } from './scenarios.mjs';
import { mannWhitney, summary } from './stats.mjs';

// s3 (two tiers joined by Avro RPC) has its own runner: npm run bench -- s3 [bench/s3.mjs options];
// `all` runs every scenario into one dated table: npm run bench -- all [bench/all.mjs options]
if (process.argv[2] === 's3' || process.argv[2] === 'all') {
  const r = (await import('node:child_process')).spawnSync(
    process.execPath,
    [path.join(ROOT, 'bench', process.argv[2] === 'all' ? 'all.mjs' : 's3.mjs'), ...process.argv.slice(3)],
    { stdio: 'inherit' },
  );
  process.exit(r.status ?? 1);
}

const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    replicates: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '20' },
    agents: { type: 'string', default: 'flume,ts' },
    'max-events': { type: 'string', default: '200000000' },
    'tmpfs-gib': { type: 'string', default: '1.5' },
    'line-size': { type: 'string' },
    connections: { type: 'string' },
    flows: { type: 'string', default: '1' },
    tmpfs: { type: 'boolean', default: false },
    heap: { type: 'string', default: '1g' },
    out: { type: 'string', default: path.join(ROOT, '.bench') },
    'no-probe': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (opt.help || positionals.length === 0) {
  console.log(`usage: npm run bench -- <scenario...> [--replicates 5] [--seconds 60] [--warmup 20] [--agents flume,ts] [--max-events N] [--line-size B] [--connections N] [--flows N] [--tmpfs [--tmpfs-gib 1.5]] [--heap 1g] [--out DIR] [--no-probe]
scenarios: ${Object.keys(SCENARIOS).join(', ')}; groups: ${Object.entries(GROUPS)
    .map(([g, l]) => `${g} = ${l.join(' + ')}`)
    .join(', ')}`);
  process.exit(positionals.length === 0 && !opt.help ? 2 : 0);
}

const replicates = Math.max(1, Number(opt.replicates));
const seconds = Number(opt.seconds);
const warmup = Number(opt.warmup);
const TMPFS_DIR = path.join('/dev/shm', `flume-ts-bench-${process.pid}`);
// in tmpfs, at most ~1.5 GiB of output per replicate (it is RAM)
const maxEvents = opt.tmpfs
  ? Math.min(Number(opt['max-events']), Math.floor((Number(opt['tmpfs-gib']) * 2 ** 30) / Number(opt['line-size'] ?? 100)))
  : Number(opt['max-events']);
const CLK_TCK = 100; // Linux USER_HZ
// --flows N: N copies of a netcat scenario's flow in one agent (r1/c1/k1 … rN/cN/kN, each source on its own port,
// each file_roll sink in its own directory); the generator spreads its connections over the N ports (at least one
// each) and events/s is summed over the N channels.
const FLOWS = Math.max(1, Number(opt.flows));

/** Live agent pids, killed if the runner dies. @type {Set<number>} */
const live = new Set();
process.on('exit', () => {
  for (const p of live) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  if (opt.tmpfs) fs.rmSync(TMPFS_DIR, { recursive: true, force: true });
});
for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(sig, () => process.exit(130));

/** @param {number} pid */
function cpuSeconds(pid) {
  const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK; // utime, stime (fields 14, 15)
}

/** @param {number} pid @returns {number} MiB */
function peakRss(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** GET /metrics → JSON, or undefined. @param {number} port @returns {Promise<Record<string, Record<string, string>> | undefined>} */
function metrics(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/metrics', headers: { accept: 'application/json' }, timeout: 2000 }, (res) => {
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

/**
 * Events delivered by the sink: CHANNEL.c1.EventTakeSuccessCount (counted when the sink's take transaction
 * commits; Flume's null sink has no SINK counters), else SINK.k1.EventDrainSuccessCount.
 * @param {Record<string, Record<string, string>> | undefined} m
 */
const drained1 = (m, i = 1) => Number(m?.[`CHANNEL.c${i}`]?.EventTakeSuccessCount ?? m?.[`SINK.k${i}`]?.EventDrainSuccessCount ?? NaN);
/** Summed over the flows (--flows). @param {Record<string, Record<string, string>> | undefined} m */
const drained = (m) => {
  let n = 0;
  for (let i = 1; i <= FLOWS; i++) n += drained1(m, i);
  return n;
};

/**
 * N copies of a one-flow configuration (--flows): r1/c1/k1 renamed rI/cI/kI, each with its own port and output directory.
 * @param {(c: any) => string} config @param {any} ctx @param {number[]} ports
 */
function multiFlow(config, ctx, ports) {
  const lists = { sources: [], channels: [], sinks: [] };
  const bodies = ports.map((port, k) => {
    const i = k + 1;
    const outDir = path.join(ctx.outDir, `f${i}`);
    fs.mkdirSync(outDir, { recursive: true });
    lists.sources.push(`r${i}`);
    lists.channels.push(`c${i}`);
    lists.sinks.push(`k${i}`);
    return config({ ...ctx, port, outDir })
      .split('\n')
      .filter((l) => !/^a1\.(sources|channels|sinks)\s*=/.test(l))
      .map((l) =>
        l
          .replace(/^a1\.sources\.r1\./, `a1.sources.r${i}.`)
          .replace(/^a1\.channels\.c1\./, `a1.channels.c${i}.`)
          .replace(/^a1\.sinks\.k1\./, `a1.sinks.k${i}.`)
          .replace(/\.(channels?) = c1$/, `.$1 = c${i}`),
      )
      .join('\n');
  });
  return [...Object.entries(lists).map(([k, v]) => `a1.${k} = ${v.join(' ')}`), ...bodies].join('\n');
}

/** Sink count at time t, linearly interpolated between samples. @param {Array<[number, number]>} s @param {number} t */
function countAt(s, t) {
  if (s.length === 0) return NaN;
  if (t <= s[0][0]) return s[0][1];
  for (let i = 1; i < s.length; i++) {
    if (s[i][0] >= t) {
      const [t0, c0] = s[i - 1];
      const [t1, c1] = s[i];
      return t1 === t0 ? c1 : c0 + ((c1 - c0) * (t - t0)) / (t1 - t0);
    }
  }
  return s[s.length - 1][1];
}

/** Rates over consecutive `step` ms slices from t0. @param {Array<[number, number]>} s @param {number} t0 @param {number} step */
function rates(s, t0, step) {
  const out = [];
  const end = s.length ? s[s.length - 1][0] : t0;
  for (let t = t0; t + step <= end; t += step) out.push(Math.round(((countAt(s, t + step) - countAt(s, t)) * 1000) / step));
  return out;
}

/**
 * Removes every file of `dir` but the newest (file_roll's names end in -<n>, n counting up) every 200 ms, as a shipper
 * would once the sink has rolled to the next file; counts them in `tally.removed`. Returns the function that stops it.
 * @param {string} dir @param {{ removed: number }} tally
 */
function removeClosedFiles(dir, tally) {
  let on = true;
  const seq = (f) => Number(/-(\d+)(?:\.[^.]*)?$/.exec(f)?.[1] ?? -1);
  const loop = (async () => {
    while (on) {
      const files = fs
        .readdirSync(dir)
        .filter((f) => !f.startsWith('.'))
        .sort((a, b) => seq(a) - seq(b));
      for (const f of files.slice(0, -1)) {
        fs.rmSync(path.join(dir, f), { force: true });
        tally.removed++;
      }
      await sleep(200);
    }
  })();
  return async () => {
    on = false;
    await loop;
  };
}

/**
 * Reads every file_roll output file (streamed in 16 MiB blocks: outputs run to several GB) and checks
 * sequence numbers 0..sent-1 (with --flows: over the N sinks' directories together).
 * @param {string} dir @param {number} sent @param {number} lineSize
 */
function verifyRoll(dir, sent, lineSize) {
  const seen = new Uint8Array(sent);
  let lines = 0;
  let dups = 0;
  let bad = 0;
  const block = Buffer.allocUnsafe(16 << 20);
  /** @param {Buffer} buf @param {number} start @param {number} nl */
  const line = (buf, start, nl) => {
    lines++;
    let seq = 0;
    let ok = nl - start === lineSize - 1;
    for (let i = 0; ok && i < 12; i++) {
      const c = buf[start + i];
      if (c < 48 || c > 57) ok = false;
      else seq = seq * 10 + (c - 48);
    }
    if (!ok || seq >= sent) bad++;
    else if (seen[seq]) dups++;
    else seen[seq] = 1;
  };
  const files = fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory() ? fs.readdirSync(path.join(dir, d.name)).map((f) => path.join(dir, d.name, f)) : [path.join(dir, d.name)],
    );
  for (const file of files) {
    const fd = fs.openSync(file, 'r');
    try {
      let carry = Buffer.alloc(0);
      for (;;) {
        const n = fs.readSync(fd, block, 0, block.length, null);
        if (n === 0) break;
        const buf = carry.length ? Buffer.concat([carry, block.subarray(0, n)]) : block.subarray(0, n);
        let start = 0;
        for (;;) {
          const nl = buf.indexOf(10, start);
          if (nl < 0) break;
          line(buf, start, nl);
          start = nl + 1;
        }
        carry = Buffer.from(buf.subarray(start));
      }
      if (carry.length) {
        lines++;
        bad++; // a last line without its newline
      }
    } finally {
      fs.closeSync(fd);
    }
  }
  let missing = 0;
  for (let i = 0; i < sent; i++) if (!seen[i]) missing++;
  return { lines, missing, dups, bad };
}

/**
 * A scenario whose source makes its own load (seq): ready = counters served; then warm-up, then one measured
 * window between two reads of GET /metrics. fsyncs/s: flume-ts counts them (CHANNEL.c1.FsyncCount); Flume's file
 * channel does one fdatasync per committed transaction (LogFile.Writer.commit with fsyncPerTransaction=true), so
 * for Flume it is (put commits + take commits)/s = Δ(EventPutSuccessCount + EventTakeSuccessCount) / batch.
 * @param {{ pid: number, logDir: string }} run @param {any} agent @param {any} sc @param {number} monPort @param {number} t0
 * @param {Record<string, unknown>} result
 */
async function selfDriven(run, agent, sc, monPort, t0, result) {
  const deadline = t0 + 120_000;
  while (Number.isNaN(drained(await metrics(monPort)))) {
    if (!pidAlive(run.pid)) throw new Error(`${agent.label} exited before serving its counters; see ${run.logDir}`);
    if (Date.now() > deadline) throw new Error(`${agent.label}: no CHANNEL.c1 counters in GET /metrics after 120 s`);
    await sleep(20);
  }
  result.readyMs = Date.now() - t0;
  await sleep(warmup * 1000);
  const read = async () => {
    const m = await metrics(monPort);
    const c = m?.['CHANNEL.c1'] ?? {};
    return {
      t: Date.now(),
      cpu: cpuSeconds(run.pid),
      taken: drained(m),
      put: Number(c.EventPutSuccessCount),
      fsyncs: c.FsyncCount === undefined ? NaN : Number(c.FsyncCount),
    };
  };
  const a = await read();
  await sleep(seconds * 1000);
  const b = await read();
  const windowS = (b.t - a.t) / 1000;
  const delivered = b.taken - a.taken;
  result.windowS = windowS;
  result.eventsPerSec = delivered / windowS;
  result.offeredPerSec = (b.put - a.put) / windowS;
  result.cpuSecPerMEvents = ((b.cpu - a.cpu) / Math.max(1, delivered)) * 1e6;
  result.cpuUtil = (b.cpu - a.cpu) / windowS;
  if (sc.noFsync) return Object.assign(result, { peakRssMiB: peakRss(run.pid), loadavg1: (await import('node:os')).loadavg()[0] });
  result.fsyncsPerSec = Number.isFinite(b.fsyncs - a.fsyncs)
    ? (b.fsyncs - a.fsyncs) / windowS
    : (b.put - a.put + delivered) / (sc.batch ?? 1) / windowS;
  result.fsyncsEstimated = !Number.isFinite(b.fsyncs - a.fsyncs);
  result.peakRssMiB = peakRss(run.pid);
  result.loadavg1 = (await import('node:os')).loadavg()[0];
  result.channelSizeAtEnd = b.put - b.taken;
  // a prepared corpus that was used up before the window ended makes the rate an underestimate
  if (sc.corpusLines !== undefined) result.corpusRanDry = b.taken >= sc.corpusLines;
  return result;
}

/**
 * A source that drains a prepared corpus of `sc.corpusLines` events (the Kafka source over a filled topic, spooldir's
 * files, TAILDIR's file): the counters are sampled every 100 ms until everything was taken (or no progress for 15 s,
 * bounded by 180 s); the rate
 * is taken between the moments 10 % and 90 % of the corpus had been delivered (interpolated), so start-up and group
 * join are left out; CPU over the samples nearest those moments.
 * @param {{ pid: number, logDir: string }} run @param {any} agent @param {any} sc @param {number} monPort @param {number} t0
 * @param {Record<string, unknown>} result
 */
async function drainCorpus(run, agent, sc, monPort, t0, result) {
  const n = Number(sc.corpusLines);
  /** @type {Array<{ t: number, c: number, cpu: number }>} */
  const s = [];
  const deadline = t0 + 180_000;
  let lastProgress = Date.now();
  for (;;) {
    if (!pidAlive(run.pid)) throw new Error(`${agent.label} exited while draining; see ${run.logDir}`);
    const c = drained(await metrics(monPort));
    const now = Date.now();
    if (Number.isFinite(c)) {
      if (result.readyMs === undefined) result.readyMs = now - t0;
      if (c > 0 && result.firstEventMs === undefined) result.firstEventMs = now - t0;
      if (s.length === 0 || c > s[s.length - 1].c) lastProgress = now;
      s.push({ t: now, c, cpu: cpuSeconds(run.pid) });
      if (c >= n) break;
    }
    if ((s.length > 0 && s[s.length - 1].c > 0 && now - lastProgress > 15_000) || now > deadline) break;
    await sleep(100);
  }
  const at = (/** @type {number} */ x) => {
    const i = s.findIndex((p) => p.c >= x);
    if (i <= 0) return i === 0 ? s[0] : undefined;
    const a = s[i - 1];
    const b = s[i];
    return { t: a.t + ((b.t - a.t) * (x - a.c)) / Math.max(1, b.c - a.c), cpu: b.cpu, c: x };
  };
  const lo = at(0.1 * n);
  const hi = at(0.9 * n);
  if (!lo || !hi || hi.t <= lo.t) throw new Error(`${agent.label} delivered ${s.at(-1)?.c ?? 0} of ${n} events; see ${run.logDir}`);
  const windowS = (hi.t - lo.t) / 1000;
  result.windowS = windowS;
  result.eventsPerSec = (0.8 * n) / windowS;
  result.cpuSecPerMEvents = ((hi.cpu - lo.cpu) / (0.8 * n)) * 1e6;
  result.cpuUtil = (hi.cpu - lo.cpu) / windowS;
  result.peakRssMiB = peakRss(run.pid);
  result.loadavg1 = (await import('node:os')).loadavg()[0];
  result.drained = s.at(-1)?.c;
  result.lost = Math.max(0, n - Number(result.drained));
  return result;
}

/**
 * One agent, one replicate.
 * @param {string} agentName @param {string} scenarioName @param {number} rep @param {string} runDir
 */
async function runOnce(agentName, scenarioName, rep, runDir) {
  const agent = AGENTS[agentName];
  const sc = SCENARIOS[scenarioName];
  const lineSize = Number(opt['line-size'] ?? sc.load.lineSize);
  const [port, monPort, ...more] = await freePorts(1 + FLOWS);
  const ports = [port, ...more];
  if (FLOWS > 1 && sc.load.kind !== 'netcat') throw new Error(`--flows needs a netcat scenario, not ${scenarioName}`);
  // --tmpfs: the agent's output and data directories in /dev/shm (a busy shared disk measures the disk, not the agent)
  const dir = path.join(opt.tmpfs ? TMPFS_DIR : runDir, `${scenarioName}-${agent.key}${rep}`);
  const outDir = path.join(dir, 'out');
  const dataDir = path.join(dir, 'data');
  for (const d of [dir, outDir, dataDir]) fs.mkdirSync(d, { recursive: true });
  const confFile = path.join(dir, 'agent.conf');
  const ctx = { port, outDir, dataDir, lineSize };
  // prepare first: a Kafka scenario's config names the topic its prepare made
  await sc.prepare?.(ctx);
  const conf = FLOWS > 1 ? multiFlow(sc.config, ctx, ports) : sc.config(ctx);
  fs.writeFileSync(confFile, agentName === 'tsbase' && BASE_PROPS.length > 0 ? `${conf}\n${BASE_PROPS.join('\n')}\n` : conf);

  const t0 = Date.now();
  const run = agent.start({ confFile, monPort, logDir: path.join(dir, 'logs'), heap: String(opt.heap) });
  live.add(run.pid);
  /** @type {Record<string, unknown>} */
  const result = { agent: agentName, scenario: scenarioName, replicate: rep, dir };
  // the metrics sampler of a netcat/http replicate; stopped in `finally` too (a failed generator must not leave it polling)
  const stopSampling = { stop: () => {} };
  // s1-roll-away: the loop that removes file_roll's closed files (stopped in `finally`)
  const stopConsumer = { stop: async () => {}, removed: 0 };
  try {
    if (sc.load.kind === 'self') return await selfDriven(run, agent, sc, monPort, t0, result);
    if (sc.load.kind === 'drain') return await drainCorpus(run, agent, sc, monPort, t0, result);
    // Start-to-ready: the source port accepts connections (polled every 20 ms; bounded).
    const readyDeadline = t0 + 120_000;
    while (!(await Promise.all(ports.map((p) => portOpen(p)))).every(Boolean)) {
      if (!pidAlive(run.pid)) throw new Error(`${agent.label} exited before its source was ready; see ${run.logDir}`);
      if (Date.now() > readyDeadline) throw new Error(`${agent.label} not ready after 120 s`);
      await sleep(20);
    }
    result.readyMs = Date.now() - t0;
    // Metrics endpoint too (it may come up a little later than the source).
    const mDeadline = Date.now() + 30_000;
    while (Number.isNaN(drained(await metrics(monPort)))) {
      if (Date.now() > mDeadline) throw new Error(`${agent.label}: no CHANNEL.c1 / SINK.k1 counters in GET /metrics on port ${monPort}`);
      await sleep(50);
    }

    /** @type {Array<[number, number]>} */
    const samples = [];
    let sampling = true;
    stopSampling.stop = () => {
      sampling = false;
    };
    const sampler = (async () => {
      while (sampling) {
        const c = drained(await metrics(monPort));
        if (Number.isFinite(c)) samples.push([Date.now(), c]);
        await sleep(250);
      }
    })();

    if (sc.consume === 'roll-away') stopConsumer.stop = removeClosedFiles(outDir, stopConsumer);

    const genScript = sc.load.kind === 'http' ? 'loadgen-http.mjs' : 'loadgen.mjs';
    const genArgs = { port, lineSize, warmupSeconds: warmup, seconds, maxEvents, prefix: sc.load.prefix, ...(sc.load.options ?? {}) };
    if (opt.connections !== undefined) genArgs.connections = Number(opt.connections);
    if (FLOWS > 1) Object.assign(genArgs, { ports, connections: Math.max(FLOWS, Number(genArgs.connections ?? 1)) });
    const gen = spawn(process.execPath, [path.join(ROOT, 'bench', genScript), JSON.stringify(genArgs)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    /** @type {Record<string, any>} */
    const ev = {};
    let cpuAtMeasure = NaN;
    const rl = readline.createInterface({ input: /** @type {import('node:stream').Readable} */ (gen.stdout) });
    rl.on('line', (l) => {
      try {
        const m = JSON.parse(l);
        ev[m.event] = m;
        if (m.event === 'measure') cpuAtMeasure = cpuSeconds(run.pid);
      } catch {
        /* not ours */
      }
    });
    const genExit = new Promise((r) => gen.once('exit', r));
    const genTimeout = setTimeout(() => gen.kill('SIGKILL'), (warmup + seconds + 120) * 1000);
    await genExit;
    clearTimeout(genTimeout);
    const cpuAtEnd = cpuSeconds(run.pid);
    const done = ev.done;
    if (!done || !ev.measure) throw new Error(`load generator failed: ${JSON.stringify(ev.error ?? ev)}`);
    const sent = Number(done.sent);

    // Drain: wait until the sink has taken everything sent, or no progress for 10 s (bounded by 120 s).
    let last = -1;
    let lastProgress = Date.now();
    const drainDeadline = Date.now() + 120_000;
    let final = NaN;
    for (;;) {
      final = drained(await metrics(monPort));
      if (final >= sent) break;
      if (final !== last) {
        last = final;
        lastProgress = Date.now();
      }
      if (Date.now() - lastProgress > 10_000 || Date.now() > drainDeadline) break;
      await sleep(100);
    }
    result.drainMs = Date.now() - done.t;
    sampling = false;
    await sampler;
    samples.push([Date.now(), final]);
    // events/s per 5 s from the generator's start (warm-up included): shows whether the agent reached a plateau
    result.timeline = rates(samples, ev.start.t, 5000);

    const wStart = ev.measure.t;
    const wEnd = done.t;
    const windowS = (wEnd - wStart) / 1000;
    const delivered = countAt(samples, wEnd) - countAt(samples, wStart);
    result.sent = sent;
    result.sentInWindow = sent - ev.measure.sent;
    result.windowS = windowS;
    result.eventsPerSec = delivered / windowS;
    result.offeredPerSec = (sent - ev.measure.sent) / windowS;
    result.cpuSecPerMEvents = ((cpuAtEnd - cpuAtMeasure) / Math.max(1, delivered)) * 1e6;
    result.cpuUtil = (cpuAtEnd - cpuAtMeasure) / windowS;
    result.genCpuSec = (done.cpuUserMs + done.cpuSystemMs) / 1000;
    result.genCpuUtil = result.genCpuSec / ((done.t - ev.start.t) / 1000);
    result.peakRssMiB = peakRss(run.pid);
    result.loadavg1 = (await import('node:os')).loadavg()[0];
    result.drained = final;
    result.lost = Math.max(0, sent - final);
    result.extra = Math.max(0, final - sent);
    if (sc.verify === 'file_roll') {
      // Stop first so that file_roll closes (flushes) its file, then read every sequence number back.
      await stopPid(run.pid, 30_000);
      const v = verifyRoll(outDir, sent, lineSize);
      result.lost = v.missing;
      result.dups = v.dups;
      result.badLines = v.bad;
      result.linesOut = v.lines;
    }
  } finally {
    stopSampling.stop();
    await stopConsumer.stop();
    if (sc.consume) result.filesRemoved = stopConsumer.removed;
    await stopPid(run.pid, 30_000);
    live.delete(run.pid);
    if (!process.env.BENCH_KEEP_OUTPUT) fs.rmSync(path.join(dir, 'out'), { recursive: true, force: true });
    if (opt.tmpfs) {
      // keep the logs beside the report; the rest (output, data) was RAM
      fs.cpSync(path.join(dir, 'logs'), path.join(runDir, `${scenarioName}-${agent.key}${rep}`, 'logs'), { recursive: true });
      fs.rmSync(dir, { recursive: true, force: true });
    }
    if (sc.prepare) fs.rmSync(path.join(dir, 'data', 'spool'), { recursive: true, force: true });
    // what the replicate left outside its directory (a Kafka topic): the next replicate starts from the same state
    await sc.cleanup?.(ctx).catch((err) => process.stderr.write(`[bench] cleanup of ${scenarioName}: ${err.message}\n`));
  }
  return result;
}

/** @param {number} x @param {number} [d] */
const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a');

/** @param {ReturnType<typeof summary>} s @param {number} [d] */
const mmm = (s, d = 0) => `${fmt(s.median, d)} (${fmt(s.min, d)}–${fmt(s.max, d)})`;

/**
 * @param {string} scenarioName @param {Array<Record<string, any>>} rows @param {string[]} agents
 */
function table(scenarioName, rows, agents) {
  const by = (/** @type {string} */ a, /** @type {string} */ k) => rows.filter((r) => r.agent === a && !r.error).map((r) => Number(r[k]));
  const metricsList = [
    ['events/s delivered, median (min–max)', 'eventsPerSec', 0, 'higher'],
    ['offered by the generator, ev/s', 'offeredPerSec', 0, ''],
    ['agent CPU s per million events', 'cpuSecPerMEvents', 2, 'lower'],
    ['agent CPU utilisation (cores)', 'cpuUtil', 2, ''],
    ['load generator CPU utilisation (cores)', 'genCpuUtil', 2, ''],
    ['peak RSS (VmHWM), MiB', 'peakRssMiB', 0, 'lower'],
    ['start to ready (source port accepts), ms', 'readyMs', 0, 'lower'],
    ['drain after load ends, ms', 'drainMs', 0, ''],
    ['machine load average (1 min) at the end of the run', 'loadavg1', 1, ''],
    ['events lost (sent − delivered), total', 'lost', 0, ''],
  ];
  if (rows.some((r) => r.dups !== undefined)) metricsList.push(['duplicates at the output, total', 'dups', 0, '']);
  if (rows.some((r) => r.fsyncsPerSec !== undefined)) {
    metricsList.splice(1, 0, ['fdatasyncs/s (T: measured FsyncCount; F: one per commit, computed)', 'fsyncsPerSec', 0, '']);
    metricsList.splice(2, 1, ['events/s put by the source', 'offeredPerSec', 0, '']);
  }
  const labels = agents.map((a) => `${AGENTS[a].label} (${AGENTS[a].key})`);
  const two = agents.length === 2;
  let md = `| metric | ${labels.join(' | ')} |${two ? ' T/F (medians) | p (Mann–Whitney) |' : ''}\n|---|${agents.map(() => '---|').join('')}${two ? '---|---|' : ''}\n`;
  for (const [label, key, d, better] of metricsList) {
    const isTotal = String(label).endsWith('total');
    const cells = agents.map((a) => {
      const xs = by(a, String(key));
      return isTotal
        ? xs.some(Number.isFinite)
          ? fmt(xs.reduce((s, x) => s + (Number.isFinite(x) ? x : 0), 0))
          : 'n/a'
        : mmm(summary(xs), Number(d));
    });
    let extra = '';
    if (two) {
      const [f, t] = agents.map((a) => by(a, String(key)));
      if (!isTotal && better) {
        const ratio = summary(t).median / summary(f).median;
        const { p } = mannWhitney(t, f);
        const sig = p < 0.1 && Math.abs(ratio - 1) >= 0.05 ? ' ✓' : '';
        extra = ` ${fmt(ratio, 2)}× | ${fmt(p, 3)}${sig} |`;
      } else extra = ' | |';
    }
    md += `| ${label} | ${cells.join(' | ')} |${extra}\n`;
  }
  const errs = rows.filter((r) => r.error);
  if (errs.length) md += `\nFailed replicates: ${errs.map((r) => `${AGENTS[r.agent].key}${r.replicate}: ${r.error}`).join('; ')}\n`;
  return `### ${scenarioName}: ${SCENARIOS[scenarioName].description}\n\n${md}`;
}

async function main() {
  positionals.splice(0, positionals.length, ...positionals.flatMap((p) => GROUPS[p] ?? [p]));
  for (const s of positionals) if (!SCENARIOS[s]) throw new Error(`unknown scenario ${s} (known: ${Object.keys(SCENARIOS).join(', ')})`);
  let agents = String(opt.agents).split(',').filter(Boolean);
  for (const a of agents) if (!AGENTS[a]) throw new Error(`unknown agent ${a} (known: ${Object.keys(AGENTS).join(', ')})`);
  /** @type {string[]} */
  const notes = [];
  agents = agents.filter((a) => {
    const why = AGENTS[a].unavailable();
    if (why) notes.push(`${AGENTS[a].label} skipped: ${why}`);
    return !why;
  });
  if (agents.length === 0) throw new Error(`no agent can run: ${notes.join('; ')}`);
  for (const a of agents) AGENTS[a].prepare();

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = path.join(String(opt.out), `${stamp}-${positionals.join('+')}`);
  fs.mkdirSync(runDir, { recursive: true });
  const machine = opt['no-probe'] ? undefined : await machineProbe(runDir);
  const header = [
    `# flume-ts benchmark ${new Date().toISOString()}`,
    '',
    `Replicates: ${replicates} per agent, interleaved ${agents.map((a) => AGENTS[a].key).join(',')},…; warm-up ${warmup} s, measured ${seconds} s; Flume heap -Xms${opt.heap} -Xmx${opt.heap}; one load-generator process, one connection, closed loop.`,
    machine
      ? `Machine: ${machine.nproc} cores, ${machine.cpuModel}, ${machine.memGiB} GiB, ${machine.kernel}; ${machine.node}; ${machine.java}; loopback ${machine.loopbackMiBs} MiB/s (Node, 1 connection); fdatasync ${machine.fsync.perSecond}/s, p50 ${machine.fsync.p50ms} ms, p99 ${machine.fsync.p99ms} ms; load average at start ${machine.loadavg.join(' ')}.`
      : 'Machine probe skipped.',
    ...notes.map((n) => `Note: ${n}.`),
    '',
  ].join('\n');
  process.stdout.write(`${header}\n`);

  /** @type {Record<string, any[]>} */
  const all = {};
  for (const sc of positionals) {
    all[sc] = [];
    for (let rep = 1; rep <= replicates; rep++) {
      for (const a of agents) {
        const label = `${sc} ${AGENTS[a].key}${rep}`;
        process.stderr.write(`[bench] ${label}: running…`);
        try {
          const r = await runOnce(a, sc, rep, runDir);
          all[sc].push(r);
          process.stderr.write(
            ` ${fmt(r.eventsPerSec)} ev/s, ${fmt(r.cpuSecPerMEvents, 2)} CPU s/M ev, RSS ${fmt(r.peakRssMiB)} MiB, ready ${fmt(r.readyMs)} ms, lost ${fmt(r.lost)}${r.dups !== undefined ? `, dups ${r.dups}` : ''}\n`,
          );
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          all[sc].push({ agent: a, scenario: sc, replicate: rep, error: msg });
          process.stderr.write(` FAILED: ${msg}\n`);
        }
      }
    }
  }
  const tables = positionals.map((sc) => table(sc, all[sc], agents)).join('\n');
  const method =
    "\nevents/s = change of CHANNEL.c1.EventTakeSuccessCount (the sink's committed takes; GET /metrics, sampled every 250 ms, interpolated) over the measured window. CPU = utime+stime of the agent process over the window. ✓ = T/F differs by ≥5% at p<0.1.\n";
  process.stdout.write(`${tables}${method}`);
  fs.writeFileSync(
    path.join(runDir, 'results.json'),
    JSON.stringify({ machine, options: opt, scenarios: positionals, agents, notes, results: all }, null, 2),
  );
  fs.writeFileSync(path.join(runDir, 'report.md'), `${header}\n${tables}${method}`);
  process.stdout.write(`\nresults: ${path.relative(ROOT, runDir)}/{report.md,results.json}\n`);
  if (
    Object.values(all)
      .flat()
      .some((r) => r.error)
  )
    process.exitCode = 1;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
