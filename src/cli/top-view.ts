/**
 * What `flume-ts top` shows, as pure functions: rows from two /metrics snapshots (Flume's JSON: string values per
 * `SOURCE.x`, `CHANNEL.x`, `SINK.x`), sorting, and the frame's text lines.
 */
export type Metrics = Record<string, Record<string, string>>;
export type SortKey = 'name' | 'rate' | 'fill';

export interface Row {
  type: 'SOURCE' | 'CHANNEL' | 'SINK';
  name: string;
  /** events/s in (source accepted, channel put); undefined where it does not apply. */
  inRate?: number;
  /** events/s out (channel take, sink drained). */
  outRate?: number;
  /** Channel fill level in percent. */
  fill?: number;
  size?: number;
  capacity?: number;
  total: number;
  failures: number;
  /** Connection state: open connections of a source, `connected`/`failing`/`idle` for a sink. */
  conn: string;
}

const num = (m: Record<string, string> | undefined, k: string) => {
  const v = Number(m?.[k]);
  return Number.isFinite(v) ? v : 0;
};

function rate(cur: Record<string, string>, prev: Record<string, string> | undefined, k: string, dt: number): number | undefined {
  if (!prev || dt <= 0) return undefined;
  return Math.max(0, (num(cur, k) - num(prev, k)) / dt);
}

function sinkConn(cur: Record<string, string>, prev: Record<string, string> | undefined): string {
  if (prev && num(cur, 'ConnectionFailedCount') > num(prev, 'ConnectionFailedCount')) return 'failing';
  const open = num(cur, 'ConnectionCreatedCount') - num(cur, 'ConnectionClosedCount');
  return open > 0 ? 'connected' : num(cur, 'ConnectionFailedCount') > 0 ? 'failed' : '-';
}

function rowOf(key: string, cur: Record<string, string>, prev: Record<string, string> | undefined, dt: number): Row | undefined {
  const dot = key.indexOf('.');
  const type = key.slice(0, dot);
  const name = key.slice(dot + 1);
  if (type === 'SOURCE') {
    const failures = num(cur, 'EventReadFail') + num(cur, 'ChannelWriteFail') + num(cur, 'GenericProcessingFail');
    const conn = cur.OpenConnectionCount !== undefined ? `${num(cur, 'OpenConnectionCount')} open` : '-';
    return { type, name, inRate: rate(cur, prev, 'EventAcceptedCount', dt), total: num(cur, 'EventAcceptedCount'), failures, conn };
  }
  if (type === 'CHANNEL') {
    const size = num(cur, 'ChannelSize');
    const capacity = num(cur, 'ChannelCapacity');
    const fill = cur.ChannelFillPercentage !== undefined ? num(cur, 'ChannelFillPercentage') : capacity ? (100 * size) / capacity : 0;
    return {
      type,
      name,
      inRate: rate(cur, prev, 'EventPutSuccessCount', dt),
      outRate: rate(cur, prev, 'EventTakeSuccessCount', dt),
      fill,
      size,
      capacity,
      total: num(cur, 'EventPutSuccessCount'),
      failures: 0,
      conn: '-',
    };
  }
  if (type === 'SINK') {
    const failures = num(cur, 'EventWriteFail') + num(cur, 'ChannelReadFail') + num(cur, 'ConnectionFailedCount');
    return {
      type,
      name,
      outRate: rate(cur, prev, 'EventDrainSuccessCount', dt),
      total: num(cur, 'EventDrainSuccessCount'),
      failures,
      conn: sinkConn(cur, prev),
    };
  }
  return undefined;
}

/** Rows for the sources, channels and sinks of `cur`; rates need `prev` and the seconds between the two. */
export function rowsOf(cur: Metrics, prev: Metrics | undefined, dtSeconds: number): Row[] {
  const rows: Row[] = [];
  for (const [k, v] of Object.entries(cur)) {
    const r = rowOf(k, v, prev?.[k], dtSeconds);
    if (r) rows.push(r);
  }
  return rows;
}

const TYPE_ORDER = { SOURCE: 0, CHANNEL: 1, SINK: 2 } as const;
const byName = (a: Row, b: Row) => TYPE_ORDER[a.type] - TYPE_ORDER[b.type] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const rateOf = (r: Row) => Math.max(r.inRate ?? 0, r.outRate ?? 0);

export function sortRows(rows: readonly Row[], key: SortKey): Row[] {
  const out = [...rows];
  if (key === 'name') return out.sort(byName);
  if (key === 'rate') return out.sort((a, b) => rateOf(b) - rateOf(a) || byName(a, b));
  return out.sort((a, b) => (b.fill ?? -1) - (a.fill ?? -1) || byName(a, b));
}

const fmtRate = (r: number | undefined) => (r === undefined ? '-' : r >= 100 ? Math.round(r).toString() : r.toFixed(1));

function fillCell(r: Row): string {
  if (r.fill === undefined) return '-';
  const bar = Math.round(Math.min(100, r.fill) / 10);
  return `[${'#'.repeat(bar)}${' '.repeat(10 - bar)}] ${r.fill.toFixed(1)}%`;
}

export interface FrameState {
  target: string;
  intervalS: number;
  sort: SortKey;
  paused: boolean;
  /** When the shown data was fetched. */
  updated?: Date;
  /** Why the last poll failed, if it did. */
  error?: string;
  rows: readonly Row[];
  width: number;
}

const HEADER = ['TYPE', 'NAME', 'IN/s', 'OUT/s', 'FILL', 'SIZE/CAP', 'TOTAL', 'FAILS', 'CONN'];
const WIDTHS = [8, 18, 9, 9, 20, 13, 11, 7, 10];

function line(cells: string[]): string {
  return cells
    .map((c, i) => (i >= 2 && i !== 4 && i !== 8 ? c.padStart(WIDTHS[i]! - 1).padEnd(WIDTHS[i]!) : c.padEnd(WIDTHS[i]!)))
    .join('')
    .trimEnd();
}

/** The frame's lines (without ANSI codes; the caller clears the screen and highlights). */
export function frameLines(s: FrameState): string[] {
  const time = (d?: Date) => (d ? d.toISOString().slice(11, 19) : '--:--:--');
  const state = s.paused ? 'PAUSED' : s.error ? 'AGENT DOWN' : 'LIVE';
  const lines = [`flume-ts top  ${s.target}  every ${s.intervalS}s  sort: ${s.sort}  [${state}]  updated ${time(s.updated)} UTC`];
  lines.push(s.error ? `agent not answering: ${s.error} (still polling every ${s.intervalS}s; rows show the last data)` : '');
  lines.push(line(HEADER));
  for (const r of sortRows(s.rows, s.sort)) {
    const sizeCap = r.type === 'CHANNEL' ? `${r.size}/${r.capacity}` : '-';
    const name = r.name.length > 17 ? `${r.name.slice(0, 16)}…` : r.name;
    lines.push(
      line([r.type, name, fmtRate(r.inRate), fmtRate(r.outRate), fillCell(r), sizeCap, String(r.total), String(r.failures), r.conn]),
    );
  }
  if (!s.rows.length && !s.error) lines.push('(no sources, channels or sinks reported yet)');
  lines.push('');
  lines.push('keys: n sort by name · r sort by rate · f sort by fill · p/space pause · q quit');
  return lines.map((l) => (l.length > s.width ? l.slice(0, s.width) : l));
}
