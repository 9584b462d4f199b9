/** ExecSource with real child processes: splitting, batching, back-pressure, restart, stderr, process-group kill. */
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ExecSource, execArgv, execSource, type ExecOptions } from '../../../src/components/sources/exec.js';
import { ReadLineSplitter } from '../../../src/components/sources/exec-lines.js';
import { ChannelFullError } from '../../../src/core/errors.js';
import type { Event } from '../../../src/core/event.js';
import type { ChannelProcessor } from '../../../src/core/source.js';
import { configure, silentLogger } from '../../support/context.js';
import { tmpDir, waitFor } from '../../support/agent-process.js';
import { PaceGate } from '../../support/pace-gate.js';

class Collector implements ChannelProcessor {
  readonly maxBatchSize = 1000;
  events: Event[] = [];
  batches: number[] = [];
  pace?: () => Promise<void> | undefined;
  /** Reject this many batches with ChannelFullError first. */
  refuse = 0;
  async processEvent(e: Event) {
    return this.processEventBatch([e]);
  }
  async processEventBatch(events: Event[]) {
    if (this.refuse > 0) {
      this.refuse--;
      throw new ChannelFullError("Space for commit to queue couldn't be acquired");
    }
    this.batches.push(events.length);
    this.events.push(...events);
  }
  lines(): string[] {
    return this.events.map((e) => e.body.toString('utf8'));
  }
}

const opts = (o: Partial<ExecOptions> & { command: string }): ExecOptions => ({
  restartThrottle: 10_000,
  restart: false,
  logStdErr: false,
  batchSize: 20,
  batchTimeout: 3000,
  charset: 'UTF-8',
  ...o,
});

let sources: ExecSource[] = [];
afterEach(async () => {
  await Promise.all(sources.map((s) => s.stop()));
  sources = [];
});

function start(o: ExecOptions, p = new Collector(), logger = silentLogger): { src: ExecSource; p: Collector } {
  const src = new ExecSource('r1', o, p, logger);
  sources.push(src);
  void src.start();
  return { src, p };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('exec: argv like Flume', () => {
  it('splits command and shell on whitespace, the command stays one argument of the shell', () => {
    expect(execArgv('tail  -F /var/log/x')).toEqual(['tail', '-F', '/var/log/x']);
    expect(execArgv('for i in /p/*.txt; do cat $i; done', '/bin/bash -c')).toEqual([
      '/bin/bash',
      '-c',
      'for i in /p/*.txt; do cat $i; done',
    ]);
  });

  it("declares Flume's properties and defaults", () => {
    const c = configure(execSource, { command: 'ls' });
    expect(c).toMatchObject({
      restartThrottle: 10000,
      restart: false,
      logStdErr: false,
      batchSize: 20,
      batchTimeout: 3000,
      charset: 'UTF-8',
    });
    expect(() => configure(execSource, { command: 'ls', charset: 'EBCDIC-XYZ' })).toThrow(/not supported/);
  });
});

describe('exec: lines like Java readLine', () => {
  it('ends lines at \\n, \\r and \\r\\n, also across chunk boundaries, and keeps an unterminated last line', () => {
    const s = new ReadLineSplitter();
    const out: string[] = [];
    const f = (b: Buffer, a: number, e: number) => out.push(b.toString('utf8', a, e));
    for (const c of ['a\nb\r', '\nc\rd', '\r', '', 'e\r\n\nf', 'g']) s.push(Buffer.from(c), f);
    s.end(f);
    expect(out).toEqual(['a', 'b', 'c', 'd', 'e', '', 'fg']);
  });
});

describe('exec: real commands', () => {
  it('runs the course example as written (shell = /bin/bash -c, a for loop over *.txt)', async () => {
    const d = tmpDir('exec-course-');
    fs.writeFileSync(path.join(d, 'a.txt'), 'one\ntwo\r\nthree\rfour\n');
    fs.writeFileSync(path.join(d, 'b.txt'), 'five\n');
    fs.writeFileSync(path.join(d, 'c.log'), 'not me\n');
    const { p } = start(opts({ shell: '/bin/bash -c', command: `for i in ${d}/*.txt; do cat $i; done` }));
    await waitFor(() => p.events.length >= 5, 'five lines');
    expect(p.lines()).toEqual(['one', 'two', 'three', 'four', 'five']);
    expect(p.events.every((e) => Object.keys(e.headers).length === 0)).toBe(true);
  });

  it('delivers seq 1 100000 exactly, in order, in batches of batchSize', async () => {
    const { p } = start(opts({ command: 'seq 1 100000', batchSize: 500 }));
    await waitFor(() => p.events.length >= 100_000, '100000 lines', 60_000);
    const lines = p.lines();
    expect(lines.length).toBe(100_000);
    expect(lines.every((l, i) => l === String(i + 1))).toBe(true);
    expect(Math.max(...p.batches)).toBe(500);
  });

  it('keeps a refused batch and pauses the command (back-pressure) instead of losing it', async () => {
    const p = new Collector();
    p.refuse = 3;
    start(opts({ command: 'seq 1 5000', batchSize: 100 }), p);
    await waitFor(() => p.events.length >= 5000, '5000 lines', 30_000);
    expect(p.lines()).toEqual(Array.from({ length: 5000 }, (_, i) => String(i + 1)));
  });

  it('holds the command while the channels ask it to wait for their sinks (pace), then delivers everything', async () => {
    const p = new Collector();
    const gate = new PaceGate().close();
    p.pace = gate.pace;
    start(opts({ command: 'seq 1 5000', batchSize: 100 }), p);
    await waitFor(() => gate.calls > 0, 'the source to ask');
    await new Promise((r) => setTimeout(r, 100));
    expect(p.events.length).toBe(0);
    gate.open();
    await waitFor(() => p.events.length >= 5000, '5000 lines', 30_000);
    expect(p.lines()).toEqual(Array.from({ length: 5000 }, (_, i) => String(i + 1)));
  });

  it('flushes a partial batch after batchTimeout while the command keeps running', async () => {
    const { p } = start(opts({ shell: '/bin/sh -c', command: 'echo early; sleep 30', batchSize: 100, batchTimeout: 100 }));
    await waitFor(() => p.events.length === 1, 'the timed flush', 5000);
    expect(p.lines()).toEqual(['early']);
  });

  it('restarts the command after restartThrottle when restart = true', async () => {
    const { p } = start(opts({ command: 'echo hi', restart: true, restartThrottle: 50 }));
    await waitFor(() => p.events.length >= 3, 'three runs', 10_000);
    expect(new Set(p.lines())).toEqual(new Set(['hi']));
  });

  it('logs stderr lines when logStdErr = true', async () => {
    const logs: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void logs.push(JSON.parse(s).msg as string) });
    const { p } = start(opts({ shell: '/bin/sh -c', command: 'echo out; echo oops >&2', logStdErr: true }), new Collector(), logger);
    await waitFor(() => logs.some((l) => l.startsWith('Command [')), 'exit logged', 5000);
    expect(logs).toContain("StderrLogger[1] = 'oops'");
    expect(p.lines()).toEqual(['out']);
    expect(logs.some((l) => l === 'Command [echo out; echo oops >&2] exited with 0')).toBe(true);
  });

  it('stop ends the whole process group, with SIGKILL for members that ignore SIGTERM', async () => {
    const d = tmpDir('exec-pg-');
    const pids = path.join(d, 'pids');
    const cmd = `trap '' TERM; sleep 300 & echo $! > ${pids}; echo $$ >> ${pids}; echo started; wait`;
    const { src, p } = start(opts({ shell: '/bin/bash -c', command: cmd, batchTimeout: 50, killGraceMs: 300 }));
    await waitFor(() => p.events.length === 1 && fs.readFileSync(pids, 'utf8').trim().split('\n').length === 2, 'started', 10_000);
    const members = fs.readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(members.every(alive)).toBe(true);
    const t0 = Date.now();
    await src.stop();
    await waitFor(() => !members.some(alive), 'the group to be gone', 5000);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a command that cannot start is logged and the source stays up', async () => {
    const logs: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void logs.push(s) });
    start(opts({ command: '/nonexistent/cmd arg' }), new Collector(), logger);
    await waitFor(() => logs.some((l) => l.includes('exited with')), 'exit logged', 5000);
    expect(logs.some((l) => l.includes('Failed while running command') && l.includes('ENOENT'))).toBe(true);
  });
});
