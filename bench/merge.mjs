// Combining `npm run bench -- all` runs into one table (bench/all.mjs --merge / --render), no I/O here.
//
// A run's JSON (bench/all.mjs writes <date>-all.json) is { started, ended?, options, results, scaling, runs? }:
// `results` one object per scenario ({ id, rows, loads, … }), `scaling` { dimension: [{ id, x, rows, … }] }.
// Every row of the combined table keeps its own time window (startedAt / endedAt) and options (replicates, seconds,
// warm-up, heap), so rows measured hours apart say so. When two runs measured the same scenario (or the same point
// of a scaling dimension), the row that started later wins (a re-run after a code change) and the replacement is
// recorded. JSON written before rows carried their own window falls back to its run's start and options.

/**
 * @typedef {{ file?: string, started: string, ended?: string, options: Record<string, unknown> }} RunInfo
 * @typedef {{ id: string, startedAt: string, endedAt?: string, opts: Record<string, unknown>, run: number, x?: number,
 *             [k: string]: unknown }} Row
 * @typedef {{ key: string, old: { startedAt: string, run: number }, by: { startedAt: string, run: number } }} Replacement
 */

/** The options a row was measured with. @param {Record<string, unknown>} o */
export const rowOptions = (o) => ({
  replicates: o.replicates ?? (o.quick ? '1' : '3'),
  seconds: o.seconds ?? (o.quick ? '8' : '20'),
  warmup: o.warmup ?? (o.quick ? '3' : '5'),
  heap: o.heap ?? '512m',
  quick: Boolean(o.quick),
});

/**
 * The runs a JSON file holds (a combined file lists the runs it was made from) and its rows with their window.
 * @param {any} json @param {string} [file]
 * @returns {{ runs: RunInfo[], results: any[], scaling: Record<string, any[]> }}
 */
export function normalise(json, file) {
  /** @type {RunInfo[]} */
  const runs =
    Array.isArray(json.runs) && json.runs.length
      ? json.runs
      : [{ file, started: json.started, ended: json.ended, options: json.options ?? {} }];
  const fix = (/** @type {any} */ r) => ({
    ...r,
    startedAt: r.startedAt ?? json.started,
    endedAt: r.endedAt ?? json.ended,
    opts: r.opts ?? rowOptions(json.options ?? {}),
    runStarted: r.runStarted ?? json.started,
  });
  /** @type {Record<string, any[]>} */
  const scaling = {};
  for (const [dim, pts] of Object.entries(json.scaling ?? {})) scaling[dim] = /** @type {any[]} */ (pts).map(fix);
  return { runs, results: (json.results ?? []).map(fix), scaling };
}

/** @param {{ startedAt: string }} a @param {{ startedAt: string }} b */
const later = (a, b) => Date.parse(a.startedAt) > Date.parse(b.startedAt);

/**
 * Combines runs: rows in `order` (ids not in it follow, in the order met), scaling points by x within each dimension
 * (dimensions in `dimOrder`, then others); later rows replace earlier ones for the same key.
 * @param {Array<{ json: any, file?: string }>} inputs @param {string[]} order @param {string[]} [dimOrder]
 */
export function combine(inputs, order, dimOrder = []) {
  /** @type {RunInfo[]} */
  const runs = [];
  /** @type {Map<string, any>} */
  const byId = new Map();
  /** @type {Map<string, Map<number, any>>} */
  const byDim = new Map();
  /** @type {Replacement[]} */
  const replaced = [];
  for (const { json, file } of inputs) {
    const n = normalise(json, file);
    for (const r of n.runs) if (!runs.some((x) => x.started === r.started)) runs.push(r);
    for (const r of n.results) keep(byId, r.id, r, replaced, r.id);
    for (const [dim, pts] of Object.entries(n.scaling)) {
      if (!byDim.has(dim)) byDim.set(dim, new Map());
      for (const p of pts) keep(/** @type {Map<number, any>} */ (byDim.get(dim)), p.x, p, replaced, `${dim} = ${p.x}`);
    }
  }
  runs.sort((a, b) => Date.parse(a.started) - Date.parse(b.started));
  const runOf = (/** @type {any} */ r) => {
    const i = runs.findIndex((x) => x.started === r.runStarted);
    return i < 0 ? 0 : i + 1;
  };
  const rank = (/** @type {string[]} */ list, /** @type {string} */ k) => {
    const i = list.indexOf(k);
    return i < 0 ? list.length : i;
  };
  const results = [...byId.values()]
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(order, a.r.id) - rank(order, b.r.id) || a.i - b.i)
    .map(({ r }) => ({ ...r, run: runOf(r) }));
  /** @type {Record<string, any[]>} */
  const scaling = {};
  const dims = [...byDim.keys()].map((d, i) => ({ d, i })).sort((a, b) => rank(dimOrder, a.d) - rank(dimOrder, b.d) || a.i - b.i);
  for (const { d } of dims) {
    scaling[d] = [.../** @type {Map<number, any>} */ (byDim.get(d)).values()]
      .sort((a, b) => a.x - b.x)
      .map((p) => ({ ...p, run: runOf(p) }));
  }
  const fixRun = (/** @type {{ startedAt: string, runStarted?: string }} */ r) => ({ startedAt: r.startedAt, run: runOf(r) });
  return {
    runs,
    results,
    scaling,
    replaced: replaced.map((x) => ({ key: x.key, old: fixRun(x.old), by: fixRun(x.by) })),
  };
}

/**
 * Puts `row` under `key` unless a row that started later is there already; records what was replaced.
 * @template K @param {Map<K, any>} map @param {K} key @param {any} row @param {any[]} replaced @param {string} label
 */
function keep(map, key, row, replaced, label) {
  const old = map.get(key);
  if (!old) map.set(key, row);
  else if (later(row, old)) {
    replaced.push({ key: label, old, by: row });
    map.set(key, row);
  } else if (old !== row && old.startedAt !== row.startedAt) replaced.push({ key: label, old: row, by: old });
}
