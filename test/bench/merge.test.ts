import { describe, expect, it } from 'vitest';
import { combine } from '../../bench/merge.mjs';

// The merge logic of `npm run bench -- all --merge a.json,b.json` (bench/merge.mjs): pure, no runs.
const row = (id: string, startedAt: string, eps = 1) => ({
  id,
  startedAt,
  endedAt: startedAt,
  rows: [{ agent: 'ts', eventsPerSec: eps }],
  loads: [1],
});
const run = (started: string, results: any[], scaling: Record<string, any[]> = {}, options: Record<string, unknown> = {}) => ({
  started,
  ended: started,
  options,
  results,
  scaling,
});
const ORDER = ['s1', 's1-roll', 'hdfs-100', 'kafka'];

describe('bench all --merge', () => {
  it('puts the rows of several runs in the table order and numbers the runs by start time', () => {
    const a = run('2026-12-01T10:00:00.000Z', [row('hdfs-100', '2026-12-01T10:00:00.000Z')], {}, { only: 'hdfs' });
    const b = run('2026-12-01T08:00:00.000Z', [row('s1-roll', '2026-12-01T08:01:00.000Z'), row('s1', '2026-12-01T08:00:00.000Z')]);
    const c = combine(
      [
        { json: a, file: 'a.json' },
        { json: b, file: 'b.json' },
      ],
      ORDER,
    );
    expect(c.results.map((r) => r.id)).toEqual(['s1', 's1-roll', 'hdfs-100']);
    expect(c.runs.map((r) => r.file)).toEqual(['b.json', 'a.json']);
    expect(c.results.map((r) => r.run)).toEqual([1, 1, 2]);
    expect(c.results[2].opts).toMatchObject({ replicates: '3', seconds: '20', warmup: '5' });
    expect(c.replaced).toEqual([]);
  });

  it('a later row of the same scenario replaces the earlier one, whatever the order of the files, and says so', () => {
    const early = run('2026-12-01T08:00:00.000Z', [row('s1', '2026-12-01T08:00:00.000Z', 100), row('kafka', '2026-12-01T08:05:00.000Z')]);
    const late = run('2026-12-01T09:00:00.000Z', [row('s1', '2026-12-01T09:00:00.000Z', 200)]);
    for (const inputs of [
      [{ json: early }, { json: late }],
      [{ json: late }, { json: early }],
    ]) {
      const c = combine(inputs, ORDER);
      expect(c.results.map((r) => [r.id, r.rows[0].eventsPerSec, r.run])).toEqual([
        ['s1', 200, 2],
        ['kafka', 1, 1],
      ]);
      expect(c.replaced).toEqual([
        { key: 's1', old: { startedAt: '2026-12-01T08:00:00.000Z', run: 1 }, by: { startedAt: '2026-12-01T09:00:00.000Z', run: 2 } },
      ]);
    }
  });

  it('scaling points merge per dimension and x, sorted by x; unknown ids and dimensions follow the known ones', () => {
    const p = (x: number, t: string) => ({ ...row(`d ${x}`, t), x });
    const a = run('2026-12-01T08:00:00.000Z', [row('new-one', '2026-12-01T08:00:00.000Z')], {
      connections: [p(16, '2026-12-01T08:00:00.000Z'), p(1, '2026-12-01T08:01:00.000Z')],
    });
    const b = run('2026-12-01T09:00:00.000Z', [row('s1', '2026-12-01T09:00:00.000Z')], {
      'channel fill (%)': [p(90, '2026-12-01T09:00:00.000Z')],
      connections: [p(256, '2026-12-01T09:00:00.000Z'), p(16, '2026-12-01T09:01:00.000Z')],
    });
    const c = combine([{ json: a }, { json: b }], ORDER, ['connections', 'channel fill (%)']);
    expect(c.results.map((r) => r.id)).toEqual(['s1', 'new-one']);
    expect(Object.keys(c.scaling)).toEqual(['connections', 'channel fill (%)']);
    expect(c.scaling.connections.map((r) => [r.x, r.run])).toEqual([
      [1, 1],
      [16, 2],
      [256, 2],
    ]);
    expect(c.replaced.map((r) => r.key)).toEqual(['connections = 16']);
  });

  it('a merged file merges again (its runs and per-row windows are kept); rows without their own window take the run start', () => {
    const old = {
      started: '2026-12-01T02:00:00.000Z',
      options: { quick: true },
      results: [{ id: 's1', rows: [], loads: [] }],
      scaling: {},
    };
    const first = combine([{ json: old, file: 'old.json' }], ORDER);
    expect(first.results[0]).toMatchObject({ startedAt: '2026-12-01T02:00:00.000Z', opts: { replicates: '1', quick: true } });
    const next = run('2026-12-01T09:00:00.000Z', [row('hdfs-100', '2026-12-01T09:00:00.000Z')]);
    const again = combine([{ json: { started: first.runs[0].started, ...first } }, { json: next, file: 'next.json' }], ORDER);
    expect(again.runs.map((r) => r.file)).toEqual(['old.json', 'next.json']);
    expect(again.results.map((r) => [r.id, r.run])).toEqual([
      ['s1', 1],
      ['hdfs-100', 2],
    ]);
  });
});
