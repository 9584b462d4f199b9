#!/usr/bin/env node
// Closed-loop line load generator for the benchmark runner (bench/run.mjs), one TCP connection (or `connections`).
//
//   node bench/loadgen.mjs '{"port":41414,"lineSize":100,"warmupSeconds":20,"seconds":60,"maxEvents":50000000}'
//
// Every line is `lineSize` bytes including '\n' and starts with its 12-digit sequence number (0, 1, 2, …),
// then a space and filler. Lines are prebuilt in 1 MiB-ish chunks from a template; each connection keeps a small pool
// of such chunks (`inFlight`, default 4) and only patches the digits of a chunk whose previous write has completed, so
// the socket always has the next chunk queued and no chunk is allocated, copied or page-faulted per write. (Before
// 2026-12-01 it built a fresh 1 MiB chunk per write and waited for 'drain' before building the next one: that
// generator topped out near 300–500 MB/s on the 2-core machines, i.e. ~120 k lines/s at 4 KiB, below what the agents
// can take; see bench/results/2026-12-01-large-events.md.) Reads and discards anything the agent answers
// (so `ack-every-event=true` runs cannot deadlock). Bounded by time and by maxEvents.
// Prints JSON lines on stdout: {"event":"measure","t":…,"sent":…} at the end of the warm-up, then, once the
// agent has closed the connection after the generator's half-close,
// {"event":"done","sent":…,"t":…(end of writing),"cpuUserMs":…,"cpuSystemMs":…,"acked":…}.
import net from 'node:net';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const host = cfg.host ?? '127.0.0.1';
const port = Number(cfg.port);
// several agent ports (bench/run.mjs --flows): connection i goes to ports[i % ports.length]
const ports = Array.isArray(cfg.ports) && cfg.ports.length ? cfg.ports.map(Number) : [port];
const lineSize = Number(cfg.lineSize ?? 100);
const warmupMs = Number(cfg.warmupSeconds ?? 0) * 1000;
const measureMs = Number(cfg.seconds ?? 10) * 1000;
const maxEvents = Number(cfg.maxEvents ?? 100_000_000);
const startSeq = Number(cfg.startSeq ?? 0);
const DIGITS = 12;
// optional bytes before the sequence number on every line (e.g. a syslog "<13>Nov 30 22:00:00 host app: " header)
const prefix = Buffer.from(cfg.prefix ?? '', 'utf8');
const P = prefix.length;
if (!port || lineSize < P + DIGITS + 2) throw new Error('need port and lineSize >= prefix + 14');

const linesPerChunk = Math.max(1, Math.floor((1 << 20) / lineSize));
const template = Buffer.alloc(linesPerChunk * lineSize);
{
  const filler = Buffer.from(
    ' flume-ts benchmark payload abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 '.repeat(Math.ceil(lineSize / 60) + 1),
  );
  for (let i = 0; i < linesPerChunk; i++) {
    const o = i * lineSize;
    prefix.copy(template, o);
    filler.copy(template, o + P + DIGITS, 0, lineSize - P - DIGITS - 1);
    template[o + lineSize - 1] = 10;
  }
}

/** A fresh chunk buffer of `n` lines: the template (filler and newlines), digits not yet set. @param {number} n */
const newChunk = (n) => Buffer.from(template.subarray(0, n * lineSize));

/** Writes the sequence numbers `seq` … `seq + n - 1` into the first `n` lines of `b`. @param {Buffer} b @param {number} seq @param {number} n */
function number(b, seq, n) {
  for (let i = 0; i < n; i++) {
    let v = seq + i;
    const o = i * lineSize + P;
    for (let d = DIGITS - 1; d >= 0; d--) {
      b[o + d] = 48 + (v % 10);
      v = Math.floor(v / 10);
    }
  }
  return b;
}

const out = (/** @type {object} */ o) => process.stdout.write(JSON.stringify(o) + '\n');

const connections = Math.max(1, Number(cfg.connections ?? 1));
/** @type {net.Socket[]} */
const socks = [];
let acked = 0;
let ending = false;
let sent = 0;
for (let i = 0; i < connections; i++) {
  const sock = net.connect({ host, port: ports[i % ports.length] });
  sock.setNoDelay(false);
  sock.on('data', (d) => (acked += d.length));
  sock.on('error', (e) => {
    if (ending) return; // a reset after our half-close: 'close' follows
    out({ event: 'error', message: e.message, sent: sent });
    process.exit(1);
  });
  socks.push(sock);
}
await Promise.all(socks.map((s) => new Promise((r) => s.once('connect', r))));
const t0 = Date.now();
const cpu0 = process.cpuUsage();
out({ event: 'start', t: t0 });
let measuring = warmupMs === 0;
let measureStart = t0;
if (measuring) out({ event: 'measure', t: t0, sent: 0 });
const hardEnd = t0 + warmupMs + measureMs;
// with several connections, smaller chunks (at most ~64 KiB each past 16 connections) so the buffers stay bounded
const perChunk = connections === 1 ? linesPerChunk : Math.max(1, Math.floor(linesPerChunk / Math.min(16, connections)));
// chunks per connection queued at the socket at once (each reused once its write has completed)
const inFlight = Math.max(1, Number(cfg.inFlight ?? 4));
/** One connection's closed loop: the next chunk of sequence numbers, whichever connection is ready. @param {net.Socket} sock */
async function pump(sock) {
  const free = Array.from({ length: inFlight }, () => newChunk(perChunk));
  let pending = 0;
  /** @type {(() => void) | undefined} */
  let wake;
  const settle = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  for (;;) {
    const now = Date.now();
    if (!measuring && now - t0 >= warmupMs) {
      measuring = true;
      measureStart = now;
      out({ event: 'measure', t: now, sent });
    }
    if (now >= hardEnd || sent >= maxEvents) break;
    const b = free.pop();
    if (b === undefined) {
      await new Promise((r) => (wake = /** @type {() => void} */ (r)));
      continue;
    }
    const n = Math.min(perChunk, maxEvents - sent);
    const seq = startSeq + sent;
    sent += n;
    pending++;
    sock.write(n === perChunk ? number(b, seq, n) : number(b, seq, n).subarray(0, n * lineSize), () => {
      pending--;
      free.push(b);
      settle();
    });
    if (connections > 1) await new Promise((r) => setImmediate(r)); // let the other connections write too
  }
  while (pending > 0) await new Promise((r) => (wake = /** @type {() => void} */ (r)));
}
await Promise.all(socks.map(pump));
// Half-close, then keep reading until the agent closes its side: with acks on, it is still writing "OK"s for
// the lines it has buffered, and destroying the socket now would make it drop them. Bounded by 60 s.
const closed = Promise.all(socks.map((s) => new Promise((r) => s.once('close', r))));
ending = true;
await Promise.all(socks.map((s) => new Promise((r) => s.end(r))));
const tEnd = Date.now();
const cpu = process.cpuUsage(cpu0);
await Promise.race([closed, new Promise((r) => setTimeout(r, 60_000).unref())]);
out({
  event: 'done',
  t: tEnd,
  closedAfterMs: Date.now() - tEnd,
  sent,
  measureStart,
  cpuUserMs: cpu.user / 1000,
  cpuSystemMs: cpu.system / 1000,
  acked,
  lineSize,
  connections,
});
for (const s of socks) s.destroy();
process.exit(0);
