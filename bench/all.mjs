#!/usr/bin/env node
// `npm run bench -- all`: every side-by-side scenario (Apache Flume 1.11 vs flume-ts), one dated table.
//
//   npm run bench -- all [--quick] [--replicates 3] [--seconds 20] [--warmup 5] [--only a,b] [--no-scaling]
//                        [--scaling-only a,b] [--heap 512m] [--out bench/results]
//   npm run bench -- all --merge A.json,B.json,… [--out bench/results]     (one table from several runs)
//   npm run bench -- all --render A.json [--out DIR]                       (the same for one run: re-render)
//
// Runs each scenario as a child process: bench/run.mjs (most), bench/s3.mjs (two-tier Avro), bench/es.mjs
// (Elasticsearch, flume-ts only), bench/fill.mjs (the channel-fill axis), with interleaved replicates (F,T,F,T,…).
// Services a scenario needs (HDFS, Kafka, HBase, Elasticsearch, Hive) are started through the harness just before the
// first scenario that needs them when none is running, and stopped after the last one that needs them (only the ones
// this run started). While each scenario runs, the machine's 1-minute load average is sampled every 2 s. Writes
// <out>/<date>-all.md (+ .json) and, for the scaling sweep, two SVG charts per dimension (events/s, CPU per event;
// bench/svg.mjs) beside it. Every row records its own time window and options.
//
// --only a,b          scenarios whose id starts with one of these (no scaling unless --scaling-only is given too)
// --scaling-only a,b  the scaling dimensions whose name starts with one of these (no scenarios unless --only too)
// --merge a,b,…       no run: combine the JSON files of earlier runs (or earlier merges) into ONE table, written as
//                     <out>/<date of the latest run>-all.md (+ .json, SVGs); rows in the table's order, each with its
//                     own time window and load; when two files measured the same scenario or scaling point, the row
//                     that started later replaces the other, and the table says so.
// --render FILE.json  --merge with one file (after a change to the table's layout).
// --quick: 1 replicate, 3 s warm-up + 8 s, fewer scenarios and scaling points (about 35 minutes on a busy 2-core box).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../scripts/services/lib.mjs';
import { combine, rowOptions } from './merge.mjs';
import { summary } from './stats.mjs';
import { lineChart } from './svg.mjs';

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    replicates: { type: 'string' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    only: { type: 'string' },
    'no-scaling': { type: 'boolean', default: false },
    heap: { type: 'string', default: '512m' },
    out: { type: 'string', default: path.join(ROOT, 'bench', 'results') },
    render: { type: 'string' },
    merge: { type: 'string' },
    'scaling-only': { type: 'string' },
  },
});
const quick = Boolean(opt.quick);
const R = Number(opt.replicates ?? (quick ? 1 : 3));
const SECONDS = Number(opt.seconds ?? (quick ? 8 : 20));
const WARMUP = Number(opt.warmup ?? (quick ? 3 : 5));

/**
 * The scenarios of the table. `run`: bench/run.mjs scenario + extra flags; `s3`: bench/s3.mjs flags; `es`: bench/es.mjs
 * flags (flume-ts' sink in-process); `fill`: bench/fill.mjs flags. `flumeNa`: why Apache Flume has no figure.
 * @typedef {{ id: string, run?: [string, ...string[]], s3?: string[], es?: string[], fill?: string[], services?: string[],
 *             quick?: boolean, flumeNa?: string }} Entry
 * @type {Entry[]}
 */
const ENTRIES = [
  { id: 's1 (null, 100 B)', run: ['s1'], quick: true },
  { id: 's1 (null, 512 B)', run: ['s1', '--line-size', '512'] },
  { id: 's1 (null, 4 KiB)', run: ['s1', '--line-size', '4096'] },
  // s1-roll at 512 B and 4 KiB writes GiBs to /dev/shm, into memory these VMs have not touched recently, which they
  // write at 0.2–0.8 GiB/s (both agents slow down to it): run those two with --warmup 3 --seconds 5 (docs/services.md).
  // s1-roll-away measures the agents without that bound: files rolled every second and removed once closed.
  { id: 's1-roll 100 B', run: ['s1-roll', '--tmpfs', '--tmpfs-gib', '8'], quick: true },
  { id: 's1-roll 512 B', run: ['s1-roll', '--tmpfs', '--tmpfs-gib', '8', '--line-size', '512'], quick: true },
  { id: 's1-roll 4 KiB', run: ['s1-roll', '--tmpfs', '--tmpfs-gib', '8', '--line-size', '4096'], quick: true },
  { id: 's1-roll-away 512 B', run: ['s1-roll-away', '--tmpfs', '--tmpfs-gib', '40', '--line-size', '512'] },
  { id: 's1-roll-away 4 KiB', run: ['s1-roll-away', '--tmpfs', '--tmpfs-gib', '40', '--line-size', '4096'], quick: true },
  { id: 's1-ack', run: ['s1-ack'] },
  { id: 'h1 (http)', run: ['h1'] },
  { id: 'syslog', run: ['syslog'] },
  { id: 'spool', run: ['spool'] },
  { id: 'tail', run: ['tail'] },
  { id: 's2-b100 (file channel)', run: ['s2-b100'] },
  { id: 's2-b1000 (file channel)', run: ['s2-b1000'] },
  { id: 'hdfs-100', run: ['hdfs-100'], services: ['hdfs'], quick: true },
  { id: 'hdfs-1000', run: ['hdfs-1000'], services: ['hdfs'], quick: true },
  { id: 's3 batch 100', s3: ['--batch', '100'], quick: true },
  { id: 's3 batch 1000', s3: ['--batch', '1000'], quick: true },
  { id: 'kafka-sink acks=1', run: ['kafka-sink-1'], services: ['kafka'], quick: true },
  { id: 'kafka-sink acks=all', run: ['kafka-sink-all'], services: ['kafka'], quick: true },
  { id: 'kafka-source', run: ['kafka-source'], services: ['kafka'], quick: true },
  { id: 'kafka-channel (parseAsFlumeEvent, acks=all)', run: ['kafka-channel'], services: ['kafka'], quick: true },
  { id: 'kafka-channel (parseAsFlumeEvent=false)', run: ['kafka-channel-raw'], services: ['kafka'] },
  { id: 'kafka-channel acks=1', run: ['kafka-channel-1'], services: ['kafka'] },
  { id: 'hbase-100 (hbase2)', run: ['hbase-100'], services: ['hbase'], quick: true },
  { id: 'hbase-1000 (hbase2)', run: ['hbase-1000'], services: ['hbase'] },
  { id: 'elasticsearch batch 100', es: ['--batches', '100'], services: ['es'], flumeNa: 'es' },
  { id: 'elasticsearch batch 1000', es: ['--batches', '1000'], services: ['es'], flumeNa: 'es', quick: true },
  { id: 'hive-1000', run: ['hive-1000', '--agents', 'ts'], services: ['hdfs', 'hive'], flumeNa: 'hive', quick: true },
  { id: 'hive-15000', run: ['hive-15000', '--agents', 'ts'], services: ['hdfs', 'hive'], flumeNa: 'hive' },
];

/** Why Flume's column is empty (footnotes of the table, keyed by Entry.flumeNa). */
const FLUME_NA = {
  es:
    "Apache Flume 1.11 has no Elasticsearch sink for Elasticsearch 7/8: Flume 1.9's spoke the 0.90 transport protocol and " +
    'was removed in 1.10 (FLUME-3414). flume-ts figures from bench/es.mjs: a memory channel filled beforehand → the ' +
    'elasticsearch sink in the bench process (LogStash documents, one bulk request per transaction), against the ' +
    "harness's Elasticsearch 8.19 (1 shard, 0 replicas); CPU is the bench process's; RSS and start-up not measured; " +
    'lost = events − documents counted in the index. The note gives the ceiling: pre-built bulk bodies POSTed by a ' +
    'minimal keep-alive client.',
  hive:
    "Apache Flume 1.11's hive sink is built on Hive 3.1's hcatalog streaming client (hive-exec 3.1.2), which the harness " +
    'does not have (its Maven dependencies are not all on Maven Central) and which was removed in Hive 4, the version of ' +
    "the harness's metastore; see docs/hive.md, Not done. flume-ts only (bench/run.mjs --agents ts).",
};

/** bench/fill.mjs's in-flight window for the "empty" point (--fill 0). */
const EMPTY_WINDOW = 20000;
const FILL_CAPACITY = 1_000_000;

/**
 * Scaling sweep, one dimension at a time. `flag`: s1-roll (netcat → memory → file_roll) with this bench/run.mjs flag;
 * `flows`: N netcat → memory → file_roll flows in one agent (bench/run.mjs --flows), one connection per flow, 1 GiB
 * Flume heap (N full channels). `channel fill`: bench/fill.mjs (netcat → memory (capacity 1,000,000) → avro sink →
 * collector in the bench process), 0 = "empty" (20,000 events in flight, 2 %), 90 = 900,000 in flight; 1 GiB heap.
 * @type {Record<string, { flag?: string, values: number[], extra?: string[], entry?: (v: number) => Entry,
 *                          title?: string, xName?: (v: number) => string, linearX?: boolean }>}
 */
const SCALING = {
  'event size (bytes)': { flag: '--line-size', values: quick ? [100, 4096, 16384] : [100, 512, 4096, 16384] },
  connections: { flag: '--connections', values: quick ? [1, 16, 256] : [1, 4, 16, 64, 256] },
  'flows in one agent': { flag: '--flows', values: quick ? [1, 4, 16] : [1, 2, 4, 8, 16], extra: ['--heap', '1g'] },
  'channel fill (%)': {
    values: quick ? [0, 90] : [0, 50, 90],
    entry: (v) => ({
      id: `fill, channel fill ${v === 0 ? 'empty' : `${v} %`}`,
      fill: ['--fill', String(v), '--capacity', String(FILL_CAPACITY), '--empty-window', String(EMPTY_WINDOW), '--heap', '1g'],
    }),
    title: 'netcat → memory (1 M) → avro → collector',
    xName: (v) => (v === 0 ? `empty (${(EMPTY_WINDOW / FILL_CAPACITY) * 100} %)` : `${v} %`),
    linearX: true,
  },
};

/** The bench/run.mjs (or other runner) entry of one scaling point. @param {string} dim @param {number} v @returns {Entry} */
function scalingEntry(dim, v) {
  const d = SCALING[dim];
  if (d.entry) return d.entry(v);
  return { id: `s1-roll, ${dim} ${v}`, run: ['s1-roll', '--tmpfs', '--tmpfs-gib', '8', String(d.flag), String(v), ...(d.extra ?? [])] };
}

/** Runs a child process; resolves with its exit code; samples the load average meanwhile. @param {string[]} args */
function child(args) {
  const loads = [];
  const timer = setInterval(() => loads.push(os.loadavg()[0]), 2000);
  loads.push(os.loadavg()[0]);
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    p.once('exit', (code) => {
      clearInterval(timer);
      resolve({ code: code ?? 1, loads });
    });
  });
}

/** The newest run directory under `dir` (bench/run.mjs names them by time stamp). @param {string} dir */
function newestRun(dir) {
  const ds = fs.existsSync(dir) ? fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, 'results.json'))) : [];
  ds.sort();
  return ds.length ? JSON.parse(fs.readFileSync(path.join(dir, ds[ds.length - 1], 'results.json'), 'utf8')) : undefined;
}

const common = ['--replicates', String(R), '--seconds', String(SECONDS), '--warmup', String(WARMUP), '--heap', String(opt.heap)];
/** Scratch directory of a run (not made for --merge / --render). */
let work = '';
/** `name` starts with one of `prefixes`. @param {string[]} prefixes @param {string} name */
const has = (prefixes, name) => prefixes.some((p) => name.startsWith(p));

/** A runner that writes one JSON file (s3, es, fill): its `runs`. @param {string} script @param {string[]} args */
async function jsonRunner(script, args) {
  const json = path.join(work, `${script}-${Date.now()}.json`);
  const r = await child([path.join(ROOT, 'bench', `${script}.mjs`), ...args, '--json', json]);
  const runs = fs.existsSync(json) ? JSON.parse(fs.readFileSync(json, 'utf8')).runs : [];
  return { ...r, runs };
}

/**
 * bench/es.mjs: flume-ts' sink in-process; the plain client's median events/s goes to the note.
 * @param {string[]} args
 */
async function esEntry(args) {
  const events = String(Math.max(10000, Math.min(100000, SECONDS * 5000)));
  const { code, loads, runs } = await jsonRunner('es', [
    '--replicates',
    String(R),
    '--events',
    events,
    '--variants',
    'plain,sink',
    ...args,
  ]);
  const rows = runs
    .filter((/** @type {any} */ r) => r.variant === 'sink')
    .map((/** @type {any} */ r) => ({ agent: 'ts', eventsPerSec: r.eps, cpuSecPerMEvents: r.cpuUs, lost: r.lost, error: r.error }));
  const plain = summary(runs.filter((/** @type {any} */ r) => r.variant === 'plain').map((/** @type {any} */ r) => r.eps));
  return { code, loads, rows, note: `${events} events per replicate; ceiling (plain client) ${fmt(plain.median)} ev/s` };
}

/**
 * One scenario: every replicate's row, the load samples, its time window and options.
 * @param {Entry} e
 */
async function runEntry(e) {
  const startedAt = new Date().toISOString();
  /** @type {{ code: number, loads: number[], rows: any[], note?: string }} */
  let r;
  if (e.s3) {
    const x = await jsonRunner('s3', [...common, ...e.s3]);
    const rows = x.runs.map((/** @type {any} */ y) => ({ ...y, peakRssMiB: y.rssMb, p99: y.maxP99, rateP99: y.rateP99 }));
    r = { ...x, rows, note: 'CPU and RSS: both tiers together' };
  } else if (e.fill) {
    const x = await jsonRunner('fill', [...common, ...e.fill]);
    const f = x.runs.find((/** @type {any} */ y) => !y.error);
    r = { ...x, rows: x.runs, note: f ? `${fmt(f.inFlight)} of ${fmt(f.capacity)} in flight; ${fillNote(x.runs)}` : undefined };
  } else if (e.es) r = await esEntry(e.es);
  else {
    const out = path.join(work, `run-${Date.now()}`);
    const x = await child([path.join(ROOT, 'bench', 'run.mjs'), ...common, ...(e.run ?? []), '--out', out, '--no-probe']);
    const res = newestRun(out);
    r = { ...x, rows: res ? Object.values(res.results).flat() : [] };
  }
  return { id: e.id, ...r, flumeNa: e.flumeNa, startedAt, endedAt: new Date().toISOString(), opts: rowOptions(opt) };
}

/** Fill (% of capacity) at the window's start, sink reconnect time, empty batches: per agent. @param {any[]} runs */
function fillNote(runs) {
  const part = (/** @type {string} */ a, /** @type {string} */ k) => fmt(stat(runs, a, 'fillPctStart').median) + k;
  const rc = (/** @type {string} */ a) => fmt(stat(runs, a, 'reconnectMs').median);
  const eb = (/** @type {string} */ a) => fmt(total(runs, a, 'emptyBatches'));
  return `fill at window start F ${part('flume', ' %')} / T ${part('ts', ' %')}; sink reconnect F ${rc('flume')} / T ${rc('ts')} ms; empty batches F ${eb('flume')} / T ${eb('ts')}`;
}

/** @param {any[]} rows @param {string} agent @param {string} key */
const stat = (rows, agent, key) => summary(rows.filter((r) => r.agent === agent && !r.error).map((r) => Number(r[key])));
/** @param {number} x @param {number} [d] */
const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a');
/** @param {any[]} rows @param {string} agent @param {string} key */
const total = (rows, agent, key) => {
  const xs = rows.filter((r) => r.agent === agent && !r.error && r[key] !== undefined).map((r) => Number(r[key]));
  return xs.length ? xs.reduce((a, b) => a + b, 0) : NaN;
};
/** HH:MM of an ISO time. @param {string | undefined} t */
const hhmm = (t) => (t ? new Date(t).toISOString().slice(11, 16) : '?');

/** The table row of one scenario. @param {any} r */
function row(r) {
  const na = r.flumeNa ? `n/a[^${r.flumeNa}]` : undefined;
  const f = stat(r.rows, 'flume', 'eventsPerSec');
  const t = stat(r.rows, 'ts', 'eventsPerSec');
  const spread = (/** @type {ReturnType<typeof summary>} */ s) =>
    s.n > 1 ? `±${fmt(((s.max - s.min) / 2 / s.median) * 100)}%, n=${s.n}` : `n=${s.n}`;
  const both = (/** @type {(a: string) => string} */ g) => `${na ?? g('flume')} / ${g('ts')}`;
  const cpu = (/** @type {string} */ a) => fmt(stat(r.rows, a, 'cpuSecPerMEvents').median, 2);
  const rss = (/** @type {string} */ a) => fmt(stat(r.rows, a, 'peakRssMiB').median);
  const measured = r.rows.some((/** @type {any} */ x) => x.p99 !== undefined);
  const p99 = (/** @type {string} */ a) => `${fmt(stat(r.rows, a, 'p99').median, 1)}; ${fmt(stat(r.rows, a, 'rateP99').median, 1)}`;
  const ready = (/** @type {string} */ a) => fmt(stat(r.rows, a, 'readyMs').median);
  const dup = (/** @type {string} */ a) =>
    r.rows.some((/** @type {any} */ x) => x.agent === a && x.dups !== undefined) ? fmt(total(r.rows, a, 'dups')) : '–';
  const lost = (/** @type {string} */ a) => `${fmt(total(r.rows, a, 'lost'))}/${dup(a)}`;
  const l = summary(r.loads);
  const failed = r.rows.filter((/** @type {any} */ x) => x.error).length + (r.code !== 0 && r.rows.length === 0 ? 1 : 0);
  const o = r.opts ?? {};
  const notes = [r.note, failed ? `${failed} failed` : ''].filter(Boolean).join('; ');
  return [
    r.id,
    na ?? `${fmt(f.median)} (${spread(f)})`,
    `${fmt(t.median)} (${spread(t)})`,
    na ? '–' : Number.isFinite(t.median / f.median) ? `**${fmt(t.median / f.median, 2)}×**` : 'n/a',
    both(cpu),
    both(rss),
    measured ? both(p99) : '–',
    both(ready),
    `${na ?? lost('flume')} ; ${lost('ts')}`,
    `${fmt(l.min, 1)}–${fmt(l.max, 1)} (med ${fmt(l.median, 1)})`,
    `${hhmm(r.startedAt)}${r.endedAt ? `–${hhmm(r.endedAt)}` : ''}${r.run ? ` (run ${r.run})` : ''}, ${o.replicates}× ${o.warmup}+${o.seconds} s`,
    notes,
  ];
}

const HEAD = [
  'scenario',
  'Flume ev/s (spread)',
  'flume-ts ev/s (spread)',
  'T/F',
  'CPU s/M ev F / T',
  'peak RSS MiB F / T',
  'p99 ms F / T (closed loop; at fixed rate)',
  'start→ready ms F / T',
  'lost/dup F ; T',
  'load avg (1 min) during',
  'when (UTC), replicates × warm-up+measured',
  'notes',
];

/**
 * Starts the services `e` needs that are not running (remembered in `mine`); stops those of `mine` no later entry needs.
 * @param {Entry[]} entries @param {number} i index of the entry about to run (entries.length: the end)
 * @param {Set<string>} mine
 */
async function services(entries, i, mine) {
  const { liveService } = await import('../scripts/services/lib.mjs');
  // HBase for the bench gets a 2 GiB heap: with the harness's 384 MiB its memstores block writes every few seconds and
  // the hbase rows would measure its flushes (bench/scenarios.mjs, warnSmallHbaseHeap)
  process.env.FLUME_TS_HBASE_HEAP ??= '2g';
  const cli = path.join(ROOT, 'scripts', 'services', 'cli.mjs');
  const later = new Set(entries.slice(i).flatMap((e) => e.services ?? []));
  const done = [...mine].filter((s) => !later.has(s));
  if (done.length) {
    process.stderr.write(`[all] stopping ${done.join(', ')} (started by this run)\n`);
    await child([cli, 'stop', ...done]);
    for (const s of done) mine.delete(s);
  }
  const missing = (entries[i]?.services ?? []).filter((s) => !liveService(s));
  if (missing.length === 0) return;
  process.stderr.write(`[all] starting ${missing.join(', ')} through the harness\n`);
  const { code } = await child([cli, 'start', ...missing]);
  for (const s of missing) if (liveService(s)) mine.add(s);
  if (code !== 0) throw new Error(`could not start ${missing.join(', ')} (npm run services -- start ${missing.join(' ')})`);
}

/** The scenarios and scaling dimensions this run measures. */
function selection() {
  const only = opt.only ? String(opt.only).split(',') : undefined;
  const scalingOnly = opt['scaling-only'] ? String(opt['scaling-only']).split(',') : undefined;
  const entries = only ? ENTRIES.filter((e) => has(only, e.id)) : scalingOnly ? [] : ENTRIES.filter((e) => !quick || e.quick);
  const dims = Object.keys(SCALING).filter((d) => (scalingOnly ? has(scalingOnly, d) : !only && !opt['no-scaling']));
  return { entries, dims };
}

async function main() {
  const inputs = opt.merge ? String(opt.merge).split(',').filter(Boolean) : opt.render ? [String(opt.render)] : [];
  if (inputs.length) {
    write(
      combine(
        inputs.map((file) => ({ file, json: JSON.parse(fs.readFileSync(file, 'utf8')) })),
        ENTRIES.map((e) => e.id),
        Object.keys(SCALING),
      ),
    );
    return;
  }
  const { entries, dims } = selection();
  const plan = [...entries, ...dims.flatMap((d) => SCALING[d].values.map((v) => ({ ...scalingEntry(d, v), dim: d, x: v })))];
  const started = new Date().toISOString();
  /** @type {any[]} */
  const results = [];
  /** @type {Record<string, any[]>} */
  const scaling = {};
  const mine = new Set();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'flume-ts-bench-all-'));
  try {
    for (let i = 0; i < plan.length; i++) {
      const e = plan[i];
      process.stderr.write(`[all] ${e.id}…\n`);
      const r = await services(plan, i, mine).then(
        () => runEntry(e),
        (err) => ({ id: e.id, code: 1, loads: [], rows: [], note: `not run: ${err.message}`, startedAt: new Date().toISOString() }),
      );
      if ('dim' in e) (scaling[e.dim] ??= []).push({ ...r, x: e.x });
      else results.push(r);
    }
  } finally {
    await services(plan, plan.length, mine);
    fs.rmSync(work, { recursive: true, force: true });
  }
  const json = { started, ended: new Date().toISOString(), options: opt, results, scaling };
  const base = write(
    combine(
      [{ json }],
      ENTRIES.map((e) => e.id),
      Object.keys(SCALING),
    ),
  );
  fs.writeFileSync(`${base}.json`, JSON.stringify(json, null, 2));
}

/** The Markdown table of some rows. @param {any[]} rs */
const table = (rs) =>
  [`| ${HEAD.join(' | ')} |`, `|${HEAD.map(() => '---').join('|')}|`, ...rs.map((r) => `| ${row(r).join(' | ')} |`)].join('\n');

/** The lines about where the table's rows come from. @param {ReturnType<typeof combine>} c */
function provenance(c) {
  const one = (/** @type {import('./merge.mjs').RunInfo} */ r, /** @type {number} */ i) => {
    const o = rowOptions(r.options);
    const sel = [
      r.options.only && `--only ${r.options.only}`,
      r.options['scaling-only'] && `--scaling-only ${r.options['scaling-only']}`,
    ].filter(Boolean);
    return `- run ${i + 1}: ${r.started}${r.ended ? ` – ${r.ended}` : ''}${r.file ? ` (\`${path.relative(ROOT, path.resolve(r.file))}\`)` : ''}: ${o.replicates} replicate(s), warm-up ${o.warmup} s, measured ${o.seconds} s, Flume heap ${o.heap}${o.quick ? ', --quick' : ''}${sel.length ? `, ${sel.join(' ')}` : ''}`;
  };
  const md = [];
  if (c.runs.length > 1)
    md.push(`Assembled on ${new Date().toISOString()} from ${c.runs.length} runs (\`npm run bench -- all --merge …\`):`, '');
  md.push(...c.runs.map(one));
  if (c.replaced.length) {
    md.push('', 'Replaced by a later run of the same scenario (the later row is the one shown):');
    for (const x of c.replaced)
      md.push(`- ${x.key}: run ${x.old.run} (${x.old.startedAt}) replaced by run ${x.by.run} (${x.by.startedAt})`);
  }
  return md;
}

/** The charts and table of one scaling dimension. @param {string} dim @param {any[]} rs @param {string} base */
function scalingSection(dim, rs, base) {
  const d = SCALING[dim] ?? {};
  const file = `${path.basename(base)}-${dim.split(' ')[0]}.svg`;
  const cpuFile = file.replace(/\.svg$/, '-cpu.svg');
  const xs = rs.map((r) => r.x);
  const chart = (/** @type {string} */ key, /** @type {string} */ title, /** @type {string} */ yLabel) =>
    lineChart({
      title,
      xLabel: dim,
      yLabel,
      xs,
      xNames: d.xName ? xs.map(d.xName) : undefined,
      logX: d.linearX ? false : undefined,
      series: [
        { name: 'Apache Flume', ys: rs.map((r) => stat(r.rows, 'flume', key).median) },
        { name: 'flume-ts', ys: rs.map((r) => stat(r.rows, 'ts', key).median) },
      ],
    });
  const what = d.title ?? 'netcat → memory → file_roll';
  fs.writeFileSync(path.join(String(opt.out), file), chart('eventsPerSec', `${what}: events/s vs ${dim}`, 'events/s'));
  fs.writeFileSync(
    path.join(String(opt.out), cpuFile),
    chart('cpuSecPerMEvents', `CPU s per million events vs ${dim}`, 'CPU s / M events'),
  );
  const heading = d.entry ? `${what}, bench/fill.mjs` : 's1-roll: netcat → memory → file_roll, batch 1000';
  return [`## Scaling: ${dim} (${heading})`, '', table(rs), '', `![events/s](${file}) ![CPU](${cpuFile})`, ''];
}

/**
 * Writes <out>/<date>-all[-quick].md and the SVGs; returns the base path (without extension).
 * @param {ReturnType<typeof combine>} c
 */
function write(c) {
  const last = c.runs.reduce(
    (a, r) => (Date.parse(r.started) > Date.parse(a) ? r.started : a),
    c.runs[0]?.started ?? new Date().toISOString(),
  );
  const allQuick = c.runs.length > 0 && c.runs.every((r) => rowOptions(r.options).quick);
  fs.mkdirSync(String(opt.out), { recursive: true });
  const base = path.join(String(opt.out), `${last.slice(0, 10)}-all${allQuick ? '-quick' : ''}`);
  const cpu = os.cpus();
  const md = [
    `# flume-ts vs Apache Flume 1.11: all scenarios (${c.runs.length > 1 ? `${c.runs.length} runs, the last started ` : ''}${last})`,
    '',
    ...provenance(c),
    '',
    `Replicates interleaved F,T,…. Machine: ${cpu.length} cores (${cpu[0]?.model ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB,` +
      ' shared with other work: the load average column says how busy it was while each row ran.',
    '',
    'events/s: medians of the replicates, spread = ±half the min–max range as % of the median, n = replicates that ran.',
    'T/F: ratio of the medians. CPU: agent utime+stime per million delivered events. p99: end-to-end latency (s3 only,',
    'closed loop; at a fixed rate). lost/dup: sent − delivered (or sequence numbers missing / seen twice where every',
    'number is read back: file_roll outputs, the fill collector), totals over the replicates; – = not measured.',
    'With one replicate, or a load average far above 2 on 2 cores, a ratio is indicative only.',
    '',
    table(c.results),
    '',
    ...Object.entries(FLUME_NA)
      .filter(([k]) => [...c.results, ...Object.values(c.scaling).flat()].some((r) => r.flumeNa === k))
      .map(([k, v]) => `[^${k}]: ${v}\n`),
  ];
  for (const [dim, rs] of Object.entries(c.scaling)) md.push(...scalingSection(dim, rs, base));
  if (c.scaling['channel fill (%)']) md.push(...FILL_METHOD, '');
  const ids = new Set([...c.results.map((r) => r.id)]);
  const dims = Object.keys(SCALING).filter((d) => !c.scaling[d]);
  md.push(
    '## Not measured here',
    '',
    `- Scenarios left out: ${
      ENTRIES.filter((e) => !ids.has(e.id))
        .map((e) => e.id)
        .join(', ') || 'none'
    }.`,
    `- Scaling dimensions left out: ${dims.join(', ') || 'none'}.`,
    '',
  );
  fs.writeFileSync(`${base}.md`, md.join('\n'));
  if (opt.merge || opt.render)
    fs.writeFileSync(`${base}.json`, JSON.stringify({ started: c.runs[0]?.started, ended: last, ...c }, null, 2));
  process.stdout.write(`${md.join('\n')}\nwritten: ${path.relative(ROOT, base)}.md\n`);
  return base;
}

const FILL_METHOD = [
  'Channel fill (bench/fill.mjs): netcat (ack-every-event=false) → memory (capacity 1,000,000) → avro sink (batch 1000)',
  '→ an Avro collector in the bench process. Phase 1: the collector does not listen yet; the generator sends exactly',
  'W events (90 %: 900,000; "empty": 20,000) and waits until the agent counts W puts. Phase 2: the collector listens;',
  "each sink reconnects on its own retry timer (Flume's SinkRunner sleeps 5 s after a failed delivery, flume-ts backs off",
  '250 ms doubling to 5 s), so the measured window starts at the first event received + the warm-up: no retry timer is',
  'inside it. The generator keeps W events in flight (the channel never exceeds W + one batch, so no source drops a',
  'line); events/s and CPU are counted over the window at the collector; every sequence number is checked after a drain.',
  "Notes: the channel fill measured at the window's start (ChannelSize / capacity), the sink's reconnect time, and",
  "empty batches in the window (> 0: the sink found the channel empty, and Flume's SinkRunner then slept ≥ 1 s).",
];

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
