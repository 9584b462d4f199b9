import type { DiagnosticCode } from './diagnostic-codes.js';

/** Where something is in a config file (1-based line and column). */
export interface Location {
  file: string;
  line: number;
  col: number;
}

/**
 * One physical `key=value` of a .properties file, after Java unescaping. `keyAt` is where the key starts, `valueAt`
 * where the value starts (for a value continued over several lines: its first line).
 */
export interface PropertyEntry {
  key: string;
  value: string;
  keyAt: Location;
  valueAt: Location;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  severity: Severity;
  /** Stable kebab-case code, e.g. `unknown-property` (catalogued in diagnostic-codes.ts). */
  code: DiagnosticCode | (string & {});
  message: string;
  at?: Location;
  /** The full property key concerned, if any. */
  key?: string;
  /** A did-you-mean or what to do. */
  hint?: string;
  /** What Flume 1.11 does with this problem, e.g. "Flume drops sink k1". */
  flume?: string;
}

export function formatLocation(at: Location | undefined): string {
  return at ? `${at.file}:${at.line}:${at.col}` : '<config>';
}

/** `file:line:col severity code message (hint)` — one line, editor-friendly. */
export function formatDiagnostic(d: Diagnostic): string {
  let s = `${formatLocation(d.at)} ${d.severity} ${d.code} ${d.message}`;
  if (d.hint) s += ` (${d.hint})`;
  if (d.flume) s += ` [Flume: ${d.flume}]`;
  return s;
}

export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds.sort((a, b) => {
    const fa = a.at?.file ?? '';
    const fb = b.at?.file ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    return (a.at?.line ?? 0) - (b.at?.line ?? 0) || (a.at?.col ?? 0) - (b.at?.col ?? 0);
  });
}

/** Damerau-free Levenshtein distance, for did-you-mean hints. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n]!;
}

/** The closest candidate (case-insensitive), if it is close enough to be a plausible typo. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(2, Math.floor(Math.max(word.length, best.length) / 3));
  return bestD <= limit && bestD > 0 ? best : bestD === 0 && best !== word ? best : undefined;
}
