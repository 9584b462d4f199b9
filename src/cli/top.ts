/**
 * `flume-ts top [--host H --port P | URL] [--interval S]`: a live terminal view of a running agent through its
 * monitoring endpoint (`/metrics`, Flume's JSON; works against Apache Flume's HTTP monitoring too). Plain ANSI escapes
 * (alternate screen, clear, reverse video for the header): a table refreshed in place needs nothing more, and a TUI
 * library would be a dependency every agent install pays for.
 */
import { parseArgs } from 'node:util';
import { frameLines, rowsOf, type Metrics, type Row, type SortKey } from './top-view.js';

export const TOP_USAGE = `Usage: flume-ts top [--host HOST] [--port PORT] [--interval SECONDS] [--once] [URL]

A live view of a running agent's sources, channels and sinks through its monitoring endpoint
(-Dflume.monitoring.type=http -Dflume.monitoring.port=PORT): rates in and out (events/s between two polls),
channel fill level, totals, failures and connection state. Keys: n/r/f sort by name/rate/fill, p or space
pause/resume, q quit. When the agent goes away it says so and keeps polling.

  --host HOST         monitoring host (default 127.0.0.1)
  --port PORT         monitoring port (default 41414, Flume's)
  --interval SECONDS  refresh interval (default 2)
  --once              print one table (two polls one interval apart) without ANSI codes and exit
  URL                 instead of --host/--port: http://host:port (or …/metrics)

Examples:
  flume-ts top --port 41414
  flume-ts top http://10.0.0.5:41414 --interval 5
`;

type Io = { out: (s: string) => void; err: (s: string) => void };

interface Target {
  url: string;
  label: string;
  intervalS: number;
}

function targetOf(argv: string[]): Target | { help: true } | { usage: string } {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', short: 'H' },
      port: { type: 'string', short: 'p' },
      interval: { type: 'string', short: 'i' },
      once: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) return { help: true };
  const intervalS = Number(values.interval ?? 2);
  if (!(intervalS > 0)) return { usage: '--interval must be a positive number of seconds' };
  if (positionals.length > 1) return { usage: 'give at most one URL' };
  let base = positionals[0] ?? `http://${values.host ?? '127.0.0.1'}:${values.port ?? 41414}`;
  if (!/^https?:\/\//.test(base)) base = `http://${base}`;
  base = base.replace(/\/(metrics)?$/, '');
  return { url: `${base}/metrics`, label: base, intervalS };
}

/** The metrics document, or why there is none (an HTTP status that is not 200). */
async function fetchMetrics(url: string, timeoutMs: number): Promise<Metrics | string> {
  const res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) return `HTTP ${res.status} from ${url}`;
  return (await res.json()) as Metrics;
}

const why = (err: unknown): string => {
  const e = err as { cause?: { code?: string; message?: string }; name?: string; message?: string };
  if (e?.name === 'TimeoutError') return 'no answer (timeout)';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
};

/** Polls and keeps the rows, rates computed between consecutive successful polls. */
class Poller {
  prev?: { at: number; m: Metrics };
  rows: Row[] = [];
  updated?: Date;
  error?: string;

  constructor(readonly t: Target) {}

  async poll(): Promise<void> {
    try {
      const m = await fetchMetrics(this.t.url, Math.min(5000, Math.max(500, this.t.intervalS * 1000)));
      if (typeof m === 'string') {
        this.error = m;
        this.prev = undefined;
        return;
      }
      const at = Date.now();
      this.rows = rowsOf(m, this.prev?.m, this.prev ? (at - this.prev.at) / 1000 : 0);
      this.prev = { at, m };
      this.updated = new Date(at);
      this.error = undefined;
    } catch (err) {
      this.error = why(err);
      this.prev = undefined; // rates start again when it is back
    }
  }
}

async function once(t: Target, io: Io): Promise<number> {
  const p = new Poller(t);
  await p.poll();
  if (!p.error) {
    await new Promise((r) => setTimeout(r, t.intervalS * 1000));
    await p.poll();
  }
  const lines = frameLines({ target: t.label, intervalS: t.intervalS, sort: 'name', paused: false, ...p, width: 200 });
  io.out(`${lines.join('\n')}\n`);
  return p.error ? 1 : 0;
}

const ESC = '\x1b[';

/** The interactive view: alternate screen, redraw on every poll and key, restore the terminal on exit. */
function interactive(t: Target): Promise<number> {
  const out = process.stdout;
  const stdin = process.stdin;
  const p = new Poller(t);
  let sort: SortKey = 'name';
  let paused = false;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    const lines = frameLines({ target: t.label, intervalS: t.intervalS, sort, paused, ...p, width: out.columns || 120 });
    const [head, ...rest] = lines;
    out.write(`${ESC}H${ESC}2J${ESC}7m${head}${ESC}0m\n${rest.join('\n')}\n`);
  };
  const tick = async () => {
    await p.poll();
    if (!paused) draw();
    timer = paused ? undefined : setTimeout(() => void tick(), t.intervalS * 1000);
  };
  return new Promise((resolve) => {
    const quit = () => {
      if (timer) clearTimeout(timer);
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
      out.write(`${ESC}?25h${ESC}?1049l`);
      resolve(0);
    };
    const onKey = (k: string) => {
      if (k === 'q' || k === '\u0003' || k === '\u001b') return quit();
      if (k === 'n' || k === 'r' || k === 'f') sort = k === 'n' ? 'name' : k === 'r' ? 'rate' : 'fill';
      if (k === 'p' || k === ' ') {
        paused = !paused;
        if (!paused) {
          p.prev = undefined;
          void tick();
          return;
        }
        if (timer) clearTimeout(timer);
        timer = undefined;
      }
      draw();
    };
    out.write(`${ESC}?1049h${ESC}?25l`);
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.on('data', (d: string) => {
      for (const k of d) onKey(k);
    });
    process.once('SIGINT', quit);
    process.once('SIGTERM', quit);
    void tick();
  });
}

export async function topMain(
  argv: string[],
  io: Io = { out: (s) => process.stdout.write(s), err: (s) => console.error(s) },
): Promise<number> {
  const t = targetOf(argv);
  if ('help' in t) {
    io.out(TOP_USAGE);
    return 0;
  }
  if ('usage' in t) {
    io.err(`flume-ts top: ${t.usage}\n${TOP_USAGE}`);
    return 2;
  }
  if (argv.includes('--once') || !process.stdout.isTTY) return once(t, io);
  return interactive(t);
}
