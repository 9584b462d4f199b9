/**
 * Durability under kill -9: a child process drives the file channel (3 producers acknowledging each committed batch,
 * one consumer appending to an output file before committing its takes, checkpoints every 150 ms, 256 KiB logs over
 * two data dirs). The child is SIGKILLed at random moments (sometimes during start-up replay) and restarted; at the
 * end a clean child drains the channel. Every acknowledged event must be in the output at least once.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const childScript = path.join(here, 'file-crash-child.mjs');
const KILLS = 22;

let build = '';
let ownBuild = false;
let work = '';

/** dist/ is complete and newer than every file under src/ (as after `npm run build` / `npm ci`). */
function distIsFresh(): boolean {
  const main = path.join(repo, 'dist', 'components', 'channels', 'file', 'channel.js');
  if (!fs.existsSync(main)) return false;
  const built = fs.statSync(main).mtimeMs;
  const newer = (d: string): boolean =>
    fs.readdirSync(d, { withFileTypes: true }).some((e) => {
      const p = path.join(d, e.name);
      return e.isDirectory() ? newer(p) : fs.statSync(p).mtimeMs > built;
    });
  return !newer(path.join(repo, 'src'));
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-crash-'));
  if (distIsFresh()) {
    build = path.join(repo, 'dist');
    return;
  }
  // the child runs compiled code; build src into a cache dir inside the repo (so it resolves node_modules)
  build = path.join(repo, 'node_modules', '.cache', `flume-ts-file-crash-${process.pid}`);
  ownBuild = true;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(repo, 'tsconfig.json'), '--outDir', build, '--sourceMap', 'false'], {
    stdio: 'inherit',
  });
});

afterAll(() => {
  if (ownBuild) fs.rmSync(build, { recursive: true, force: true });
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  lines: string[];
  ready: Promise<string>;
  exited: Promise<number | null>;
}

function startChild(mode: 'run' | 'drain', base: number): Run {
  const child = spawn(process.execPath, [childScript, build, work, mode, String(base)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let onReady: (l: string) => void = () => {};
  const ready = new Promise<string>((r) => (onReady = r));
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    for (const l of parts) {
      lines.push(l);
      if (l.startsWith('READY')) onReady(l);
    }
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      if (code !== null && code !== 0) process.stderr.write(`crash child exited with ${code}: ${err}\n`);
      r(code);
    }),
  );
  return { child, lines, ready, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('file channel: kill -9', () => {
  it(`loses no acknowledged event over ${KILLS} SIGKILLs at random moments`, async () => {
    const acked: Array<[number, number]> = [];
    let killedBeforeReady = 0;
    let replayCorrupt = 0;
    for (let run = 0; run < KILLS; run++) {
      const r = startChild('run', (run + 1) * 10_000_000);
      if (Math.random() < 0.2) {
        await sleep(Math.random() * 250); // maybe during start-up or replay
      } else {
        await Promise.race([r.ready, r.exited]);
        await sleep(30 + Math.random() * 400);
      }
      if (!r.lines.some((l) => l.startsWith('READY'))) killedBeforeReady++;
      r.child.kill('SIGKILL');
      await r.exited;
      for (const l of r.lines) {
        const m = /^ACK (\d+) (\d+)$/.exec(l);
        if (m) acked.push([Number(m[1]), Number(m[2])]);
        const ready = /^READY \d+ \d+ (\d+)/.exec(l);
        if (ready) replayCorrupt += Number(ready[1]);
      }
    }
    const drain = startChild('drain', 0);
    const code = await drain.exited;
    expect(code).toBe(0);
    const drained = drain.lines.find((l) => l.startsWith('DRAINED'));
    expect(drained).toBeDefined();

    const counts = new Map<number, number>();
    for (const line of fs.readFileSync(path.join(work, 'out.txt'), 'utf8').split('\n')) {
      const m = /^e(\d+)$/.exec(line);
      if (m) counts.set(Number(m[1]), (counts.get(Number(m[1])) ?? 0) + 1);
    }
    let ackedEvents = 0;
    const missing: number[] = [];
    const ackedSet = new Set<number>();
    for (const [a, b] of acked) {
      for (let n = a; n <= b; n++) {
        ackedEvents++;
        ackedSet.add(n);
        if (!counts.has(n)) missing.push(n);
      }
    }
    let duplicates = 0;
    let unackedDelivered = 0;
    for (const [n, c] of counts) {
      if (c > 1) duplicates += c - 1;
      if (!ackedSet.has(n)) unackedDelivered++;
    }
    const stats = {
      kills: KILLS,
      killedBeforeReady,
      ackedBatches: acked.length,
      ackedEvents,
      delivered: counts.size,
      duplicates,
      unackedDelivered,
      replayCorruptRecords: replayCorrupt,
      logsLeftAfterDrain: Number(drained!.split(' ')[1]),
    };
    process.stdout.write(`file channel crash test: ${JSON.stringify(stats)}\n`);
    expect(missing.slice(0, 10)).toEqual([]);
    expect(ackedEvents).toBeGreaterThan(1000);
    expect(stats.logsLeftAfterDrain).toBeLessThanOrEqual(4);
  }, 120_000);
});
