#!/usr/bin/env node
// `npm run bench -- all`: every side-by-side scenario (Apache Flume 1.11 vs flume-ts), one dated table.
//
//   npm run bench -- all [--quick] [--replicates 3] [--seconds 20] [--warmup 5] [--only a,b] [--no-scaling]
//                        [--heap 512m] [--out bench/results]
//
// Runs each scenario through bench/run.mjs (or bench/s3.mjs for the two-tier Avro ones) as a child process, with
// interleaved replicates (F,T,F,T,…). Services a scenario needs (HDFS) are started through the harness when none is
// running and stopped again at the end. While each scenario runs, the machine's 1-minute load average is sampled
// every 2 s. Writes bench/results/<date>-all.md (+ .json) and, for the scaling sweep, one SVG chart per dimension
// beside it (bench/svg.mjs).
//
// --quick: 1 replicate, 3 s warm-up + 8 s, fewer scenarios and scaling points (about 25 minutes on a busy 2-core box).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../scripts/services/lib.mjs';
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
    // --scaling-only a,b: only the scaling dimensions whose name starts with one of these (and no scenario table)
    'scaling-only': { type: 'string' },
  },
});
// --render FILE.json: write the Markdown and SVGs again from a run's JSON (after a change to the table's layout)
const rendered = opt.render ? JSON.parse(fs.readFileSync(String(opt.render), 'utf8')) : undefined;
/** The options of the run: this one's, or the rendered run's. */
const ro = rendered ? { ...rendered.options, out: opt.out } : opt;
const quick = Boolean(ro.quick);
const R = Number(ro.replicates ?? (quick ? 1 : 3));
const SECONDS = Number(ro.seconds ?? (quick ? 8 : 20));
const WARMUP = Number(ro.warmup ?? (quick ? 3 : 5));

/**
 * The scenarios of the table. `run`: bench/run.mjs scenario + extra flags; `s3`: bench/s3.mjs flags.
 * @typedef {{ id: string, run?: [string, ...string[]], s3?: string[], services?: string[], quick?: boolean }} Entry
 * @type {Entry[]}
 */
const ENTRIES = [
  { id: 's1 (null, 100 B)', run: ['s1'], quick: true },
  { id: 's1-roll 100 B', run: ['s1-roll', '--tmpfs'], quick: true },
  { id: 's1-roll 512 B', run: ['s1-roll', '--tmpfs', '--line-size', '512'], quick: true },
  { id: 's1-roll 4 KiB', run: ['s1-roll', '--tmpfs', '--line-size', '4096'], quick: true },
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
];

/**
 * Scaling sweep: s1-roll (netcat → memory → file_roll) against one dimension at a time. `flows`: N netcat → memory →
 * file_roll flows in one agent (bench/run.mjs --flows), one connection per flow, 1 GiB Flume heap (N full channels).
 * @type {Record<string, { flag: string, values: number[], extra?: string[] }>}
 */
const SCALING = {
  'event size (bytes)': { flag: '--line-size', values: quick ? [100, 4096, 16384] : [100, 512, 4096, 16384] },
  connections: { flag: '--connections', values: quick ? [1, 16, 256] : [1, 4, 16, 64, 256] },
  'flows in one agent': { flag: '--flows', values: quick ? [1, 4, 16] : [1, 2, 4, 8, 16], extra: ['--heap', '1g'] },
};

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
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'flume-ts-bench-all-'));

/**
 * One scenario: per agent median / min / max of each metric.
 * @param {Entry} e
 */
async function runEntry(e) {
  const t0 = Date.now();
  if (e.s3) {
    const json = path.join(work, `s3-${t0}.json`);
    const { code, loads } = await child([path.join(ROOT, 'bench', 's3.mjs'), ...common, ...e.s3, '--json', json]);
    const runs = fs.existsSync(json) ? JSON.parse(fs.readFileSync(json, 'utf8')).runs : [];
    return {
      id: e.id,
      code,
      loads,
      rows: runs.map((/** @type {any} */ r) => ({ ...r, peakRssMiB: r.rssMb, p99: r.maxP99, rateP99: r.rateP99 })),
    };
  }
  const out = path.join(work, `run-${t0}`);
  const { code, loads } = await child([path.join(ROOT, 'bench', 'run.mjs'), ...common, ...e.run, '--out', out, '--no-probe']);
  const res = newestRun(out);
  const rows = res ? Object.values(res.results).flat() : [];
  return { id: e.id, code, loads, rows };
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

/** The table row of one scenario. @param {Awaited<ReturnType<typeof runEntry>>} r */
function row(r) {
  const f = stat(r.rows, 'flume', 'eventsPerSec');
  const t = stat(r.rows, 'ts', 'eventsPerSec');
  const spread = (/** @type {ReturnType<typeof summary>} */ s) => (s.n > 1 ? `±${fmt(((s.max - s.min) / 2 / s.median) * 100)}%` : 'n=1');
  const cpu = (/** @type {string} */ a) => fmt(stat(r.rows, a, 'cpuSecPerMEvents').median, 2);
  const rss = (/** @type {string} */ a) => fmt(stat(r.rows, a, 'peakRssMiB').median);
  const p99 = (/** @type {string} */ a) => `${fmt(stat(r.rows, a, 'p99').median, 1)}; ${fmt(stat(r.rows, a, 'rateP99').median, 1)}`;
  const ready = (/** @type {string} */ a) => fmt(stat(r.rows, a, 'readyMs').median);
  const lost = (/** @type {string} */ a) => `${fmt(total(r.rows, a, 'lost'))}/${fmt(total(r.rows, a, 'dups'))}`;
  const l = summary(r.loads);
  const failed = r.rows.filter((x) => x.error).length + (r.code !== 0 && r.rows.length === 0 ? 1 : 0);
  return [
    r.id,
    `${fmt(f.median)} (${spread(f)})`,
    `${fmt(t.median)} (${spread(t)})`,
    `**${fmt(t.median / f.median, 2)}×**`,
    `${cpu('flume')} / ${cpu('ts')}`,
    `${rss('flume')} / ${rss('ts')}`,
    `${p99('flume')} / ${p99('ts')}`,
    `${ready('flume')} / ${ready('ts')}`,
    `${lost('flume')} ; ${lost('ts')}`,
    `${fmt(l.min, 1)}–${fmt(l.max, 1)} (med ${fmt(l.median, 1)})`,
    failed ? `${failed} failed` : '',
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
  '',
];

/** Starts the services the selected entries need and that are not running; returns a stop function. */
async function services(/** @type {Entry[]} */ entries) {
  const need = [...new Set(entries.flatMap((e) => e.services ?? []))];
  const { liveService } = await import('../scripts/services/lib.mjs');
  const missing = need.filter((s) => !liveService(s));
  if (missing.length === 0) return async () => {};
  process.stderr.write(`[all] starting ${missing.join(', ')} through the harness\n`);
  const { code } = await child([path.join(ROOT, 'scripts', 'services', 'cli.mjs'), 'start', ...missing]);
  if (code !== 0) throw new Error(`could not start ${missing.join(', ')} (npm run services -- start ${missing.join(' ')})`);
  return async () => {
    await child([path.join(ROOT, 'scripts', 'services', 'cli.mjs'), 'stop', ...missing]);
  };
}

async function main() {
  if (rendered) {
    const ids = new Set(rendered.results.map((/** @type {any} */ r) => r.id));
    write(
      new Date(rendered.started),
      ENTRIES.filter((e) => ids.has(e.id)),
      rendered.results,
      rendered.scaling,
    );
    return;
  }
  const only = opt.only ? String(opt.only).split(',') : undefined;
  const scalingOnly = opt['scaling-only'] ? String(opt['scaling-only']).split(',') : undefined;
  const entries = scalingOnly ? [] : ENTRIES.filter((e) => (only ? only.some((o) => e.id.startsWith(o)) : !quick || e.quick));
  const stop = await services(entries);
  const started = new Date();
  const results = [];
  try {
    for (const e of entries) {
      process.stderr.write(`[all] ${e.id}…\n`);
      results.push(await runEntry(e));
    }
    /** @type {Record<string, Array<Awaited<ReturnType<typeof runEntry>> & { x: number }>>} */
    const scaling = {};
    if (!opt['no-scaling'] && !only) {
      for (const [dim, { flag, values, extra = [] }] of Object.entries(SCALING)) {
        if (scalingOnly && !scalingOnly.some((o) => dim.startsWith(o))) continue;
        scaling[dim] = [];
        for (const v of values) {
          process.stderr.write(`[all] scaling ${dim} = ${v}…\n`);
          const r = await runEntry({ id: `s1-roll, ${dim} ${v}`, run: ['s1-roll', '--tmpfs', flag, String(v), ...extra] });
          scaling[dim].push({ ...r, x: v });
        }
      }
    }
    write(started, entries, results, scaling);
  } finally {
    await stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * @param {Date} started @param {Entry[]} entries @param {any[]} results @param {Record<string, any[]>} scaling
 */
function write(started, entries, results, scaling) {
  const day = started.toISOString().slice(0, 10);
  fs.mkdirSync(String(ro.out), { recursive: true });
  const base = path.join(String(opt.out), `${day}-all${quick ? '-quick' : ''}`);
  const table = (/** @type {any[]} */ rs) =>
    [`| ${HEAD.join(' | ')} |`, `|${HEAD.map(() => '---').join('|')}|`, ...rs.map((r) => `| ${row(r).join(' | ')} |`)].join('\n');
  const md = [
    `# flume-ts vs Apache Flume 1.11: all scenarios (${started.toISOString()})`,
    '',
    `\`npm run bench -- all${quick ? ' --quick' : ''}\`: ${R} replicate(s) per agent, interleaved F,T,…;` +
      ` warm-up ${WARMUP} s, measured ${SECONDS} s; Flume heap ${ro.heap}. Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}),` +
      ` ${Math.round(os.totalmem() / 2 ** 30)} GiB, shared with other work: the load average column says how busy it was.`,
    '',
    'events/s: medians of the replicates, spread = ±half the min–max range as % of the median (n=1: one replicate, no spread).',
    'T/F: ratio of the medians. CPU: agent utime+stime per million delivered events. p99: end-to-end latency (s3 only,',
    'closed loop). lost/dup: sent − delivered (or sequence numbers missing / seen twice at a file_roll output); totals over',
    'the replicates. With one replicate, or a load average far above 2 on 2 cores, a ratio is indicative only.',
    '',
    table(results),
    '',
  ];
  for (const [dim, rs] of Object.entries(scaling)) {
    const file = `${path.basename(base)}-${dim.split(' ')[0]}.svg`;
    const xs = rs.map((r) => r.x);
    const series = (/** @type {string} */ key) => [
      { name: 'Apache Flume', ys: rs.map((r) => stat(r.rows, 'flume', key).median) },
      { name: 'flume-ts', ys: rs.map((r) => stat(r.rows, 'ts', key).median) },
    ];
    fs.writeFileSync(
      path.join(String(opt.out), file),
      lineChart({
        title: `netcat → memory → file_roll: events/s vs ${dim}`,
        xLabel: dim,
        yLabel: 'events/s',
        xs,
        series: series('eventsPerSec'),
      }),
    );
    const cpuFile = file.replace(/\.svg$/, '-cpu.svg');
    fs.writeFileSync(
      path.join(String(opt.out), cpuFile),
      lineChart({
        title: `CPU s per million events vs ${dim}`,
        xLabel: dim,
        yLabel: 'CPU s / M events',
        xs,
        series: series('cpuSecPerMEvents'),
      }),
    );
    md.push(
      `## Scaling: ${dim} (s1-roll: netcat → memory → file_roll, batch 1000)`,
      '',
      table(rs),
      '',
      `![events/s](${file}) ![CPU](${cpuFile})`,
      '',
    );
  }
  md.push(
    '## Not measured here',
    '',
    '- Scaling by channel fill (empty vs 90 % full memory channel at the start): not built yet. A memory channel can only',
    '  be pre-filled inside the running agent (e.g. started without its sink, filled, then the sink added by a reload that',
    '  keeps the channel, in both agents); see issue #19.',
    `- Scenarios left out of this run: ${
      ENTRIES.filter((e) => !entries.includes(e))
        .map((e) => e.id)
        .join(', ') || 'none'
    }.`,
    '',
  );
  fs.writeFileSync(`${base}.md`, md.join('\n'));
  if (!rendered) fs.writeFileSync(`${base}.json`, JSON.stringify({ started, options: opt, results, scaling }, null, 2));
  process.stdout.write(`${md.join('\n')}\nwritten: ${path.relative(ROOT, base)}.md\n`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
