#!/usr/bin/env node
// Closed-loop HTTP load generator for the benchmark runner (bench/run.mjs): `connections` keep-alive connections,
// each POSTing one JSON batch (Flume's JSONHandler format) at a time and waiting for the answer.
//
//   node bench/loadgen-http.mjs '{"port":41414,"lineSize":100,"batch":100,"connections":4,"warmupSeconds":10,"seconds":20}'
//
// Every event body is `lineSize - 1` bytes and starts with its 12-digit sequence number, with one header
// ("host":"loadgen"). Request bodies are prebuilt from a template; only the digits are patched. A batch counts as
// sent only when answered 200 (after the agent's channel commit); a 503 (channel full) is retried with the same
// numbers after 5 ms. Prints the same JSON lines as bench/loadgen.mjs (start, measure, done).
import http from 'node:http';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const port = Number(cfg.port);
const lineSize = Number(cfg.lineSize ?? 100);
const batch = Number(cfg.batch ?? 100);
const connections = Number(cfg.connections ?? 4);
const warmupMs = Number(cfg.warmupSeconds ?? 0) * 1000;
const measureMs = Number(cfg.seconds ?? 10) * 1000;
const maxEvents = Number(cfg.maxEvents ?? 100_000_000);
const DIGITS = 12;

const filler = ' flume-ts benchmark payload abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 '.repeat(
  Math.ceil(lineSize / 60) + 1,
);
const bodyText = '0'.repeat(DIGITS) + filler.slice(0, Math.max(0, lineSize - 1 - DIGITS));
const parts = [];
for (let i = 0; i < batch; i++) parts.push(`{"headers":{"host":"loadgen"},"body":"${bodyText}"}`);
const template = Buffer.from(`[${parts.join(',')}]`);
/** byte offsets of each event's digits */
const offsets = [];
for (let from = 0, i = 0; i < batch; i++) {
  const o = template.indexOf('"body":"', from) + 8;
  offsets.push(o);
  from = o;
}

/** @param {number} seq */
function request(seq) {
  const b = Buffer.from(template);
  for (let i = 0; i < batch; i++) {
    let v = seq + i;
    for (let d = DIGITS - 1; d >= 0; d--) {
      b[offsets[i] + d] = 48 + (v % 10);
      v = Math.floor(v / 10);
    }
  }
  return b;
}

const out = (/** @type {object} */ o) => process.stdout.write(JSON.stringify(o) + '\n');
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });

/** @param {Buffer} body @returns {Promise<number>} */
function post(body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let next = 0;
let sent = 0;
let failed = 0;
const t0 = Date.now();
const cpu0 = process.cpuUsage();
out({ event: 'start', t: t0 });
let measuring = warmupMs === 0;
if (measuring) out({ event: 'measure', t: t0, sent: 0 });
const hardEnd = t0 + warmupMs + measureMs;

async function worker() {
  for (;;) {
    const now = Date.now();
    if (!measuring && now - t0 >= warmupMs) {
      measuring = true;
      out({ event: 'measure', t: now, sent });
    }
    if (now >= hardEnd || next >= maxEvents) return;
    const seq = next;
    next += batch;
    const body = request(seq);
    for (;;) {
      const status = await post(body);
      if (status === 200) break;
      failed++;
      if (status !== 503) throw new Error(`agent answered ${status}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    sent += batch;
  }
}

try {
  await Promise.all(Array.from({ length: connections }, worker));
} catch (e) {
  out({ event: 'error', message: /** @type {Error} */ (e).message, sent });
  process.exit(1);
}
const tEnd = Date.now();
const cpu = process.cpuUsage(cpu0);
agent.destroy();
out({
  event: 'done',
  t: tEnd,
  closedAfterMs: 0,
  sent,
  cpuUserMs: cpu.user / 1000,
  cpuSystemMs: cpu.system / 1000,
  acked: sent,
  retries: failed,
  lineSize,
});
process.exit(0);
