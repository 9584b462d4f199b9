import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

// One tiny run of the benchmark runner (1 replicate per available agent, a few thousand events) to keep it
// working. It asserts correctness only (the run completes, nothing lost or duplicated), never timings.
describe('bench runner smoke run', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  function bench(args: string[]) {
    const r = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'bench/run.mjs'),
        ...args,
        '--replicates',
        '1',
        '--warmup',
        '0',
        '--seconds',
        '2',
        '--max-events',
        '20000',
        '--heap',
        '256m',
        '--no-probe',
        '--out',
        out,
      ],
      { encoding: 'utf8', timeout: 240_000 },
    );
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const dir = fs.readdirSync(out).find((d) => d.endsWith(args[0]));
    expect(dir).toBeDefined();
    const res = JSON.parse(fs.readFileSync(path.join(out, dir!, 'results.json'), 'utf8'));
    fs.rmSync(path.join(out, dir!), { recursive: true, force: true });
    expect(r.stdout).toContain('| events/s delivered');
    return res.results[args[0]] as Array<{ agent: string; error?: string; sent: number; lost: number; dups?: number; linesOut?: number }>;
  }

  it('npm run bench -- s1 --replicates 1: every available agent delivers everything it was sent', () => {
    const rows = bench(['s1']);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.error).toBeUndefined();
      expect(row.sent).toBeGreaterThan(0);
      expect(row.lost).toBe(0);
    }
  });

  it('npm run bench -- s1-roll-away --replicates 1: file_roll rolling every second with closed files removed, nothing lost', () => {
    const rows = bench(['s1-roll-away']) as Array<{ agent: string; error?: string; sent: number; lost: number; filesRemoved?: number }>;
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.error).toBeUndefined();
      expect(row.sent).toBeGreaterThan(0);
      expect(row.lost).toBe(0);
      expect(row.filesRemoved).toBeGreaterThanOrEqual(0);
    }
  });

  it('npm run bench -- s1-roll --replicates 1: sequence numbers read back, zero loss and zero duplicates', () => {
    const rows = bench(['s1-roll']);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.error).toBeUndefined();
      expect(row.lost).toBe(0);
      expect(row.dups).toBe(0);
      expect(row.linesOut).toBe(row.sent);
    }
  });

  it('bench/s3.mjs (two tiers, collector thread, glibc settings re-exec): every event reaches the collector', () => {
    const json = path.join(out, 's3.json');
    const r = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'bench/s3.mjs'),
        '--agents',
        'ts',
        '--replicates',
        '1',
        '--warmup',
        '0',
        '--seconds',
        '2',
        '--rate',
        '500',
        '--json',
        json,
      ],
      { encoding: 'utf8', timeout: 240_000 },
    );
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const { runs } = JSON.parse(fs.readFileSync(json, 'utf8')) as {
      runs: Array<{ eventsPerSec: number; lost: number; maxP99: number; rateP99: number }>;
    };
    expect(runs).toHaveLength(1);
    expect(runs[0]!.eventsPerSec).toBeGreaterThan(0);
    expect(runs[0]!.lost).toBe(0);
    expect(Number.isFinite(runs[0]!.maxP99)).toBe(true);
    expect(Number.isFinite(runs[0]!.rateP99)).toBe(true);
    expect(r.stdout).toContain('| flume-ts |');
  });
});
