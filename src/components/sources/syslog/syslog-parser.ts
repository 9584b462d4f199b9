/**
 * Flume's SyslogParser (the parser of multiport_syslogtcp), reproduced for the same headers and body. Headers:
 * `Priority` (the text between `<` and `>`), Facility, Severity, `Version` (only for "1 "), `timestamp`, `host`.
 *
 * Time stamps as Flume computes them (Joda-Time, UTC, strict):
 * - `-`: the current time;
 * - RFC 3164 (first char A–Z): the next 15 chars, parsed as `MMM d HH:mm:ss` (first double space made single) in a
 *   default year of 2000; an unparsable stamp gives "0". Flume then sets the current year, but where the date is more
 *   than a month ahead it takes year 1999 and where it is more than a month back year 2001 (it adjusts the year-2000
 *   date, not the fixed one): those values are Flume's, kept.
 * - RFC 5424: the first 19 chars as `yyyy-MM-dd'T'HH:mm:ss` UTC; a fraction of any length truncated to milliseconds;
 *   `Z`, `±hh:mm`, or anything else (ignored, taken as UTC).
 * A message Flume cannot parse becomes an Invalid event with the raw line as body.
 *
 * Better than Flume: where Flume's parser throws an unexpected exception (a fraction without a time zone, an empty
 * line), Flume drops the whole batch being built and the rest of the read buffer; here such a line is an Invalid
 * event like any other unparsable line, and an empty line is skipped.
 */
import { FlumeError } from '../../../core/errors.js';
import { keptFieldsPrefix, type KeepFields } from './keep-fields.js';
import { SHORT_MONTHS, MONTHS } from './java-date-format.js';

/**
 * A line SyslogParser rejects. `flumeCrash`: Flume fails on it with an unexpected exception (Joda errors come out of
 * its cache as UncheckedExecutionException; reading past a fraction is StringIndexOutOfBoundsException) and loses
 * the batch, where flume-ts makes it an Invalid event like the others.
 */
export class SyslogParseError extends FlumeError {
  constructor(
    message: string,
    readonly flumeCrash = false,
  ) {
    super('FLUME_SYSLOG_PARSE', message);
  }
}

export interface ParsedMessage {
  /** in Flume's order (see flumeOrdered), not yet marked with the copy's capacity */
  headers: Record<string, string>;
  /** the body text (Flume encodes it with the port's charset) */
  body: string;
  /** when the body is the end of the message as received (no kept fields): where it starts, in chars */
  bodyStart?: number;
}

/** The header keys of a parsed message in the order Java iterates Flume's map (with and without Version). */
const ORDER_V = ['Version', 'Priority', 'host', 'Severity', 'Facility', 'timestamp'];
const ORDER = ['Priority', 'host', 'Severity', 'Facility', 'timestamp'];

const stampCache = { second: -1, map: new Map<string, number>() };

function cachedStamp(key: string, now: number, compute: () => number): number {
  const second = Math.floor(now / 1000);
  if (stampCache.second !== second || stampCache.map.size > 1000) {
    stampCache.second = second;
    stampCache.map.clear();
  }
  let v = stampCache.map.get(key);
  if (v === undefined) {
    v = compute();
    stampCache.map.set(key, v);
  }
  return v;
}

const fail = (m: string): never => {
  throw new SyslogParseError(m);
};

function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const monthLength = (y: number, m: number) => (m === 2 ? (isLeap(y) ? 29 : 28) : [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!);

function utcMillis(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  return ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60_000 + s * 1000;
}

/** A Joda decimal field: 1..max digits (signed: optional + or -). */
function num(text: string, pos: number, max: number, signed = false): [number, number] {
  let i = pos;
  let sign = 1;
  if (signed && (text[i] === '-' || text[i] === '+')) {
    sign = text[i] === '-' ? -1 : 1;
    i++;
  }
  const start = i;
  while (i < text.length && i - start < max && text[i]! >= '0' && text[i]! <= '9') i++;
  if (i === start) fail('bad number');
  return [sign * Number(text.slice(start, i)), i];
}

function lit(text: string, pos: number, c: string): number {
  if (text[pos]?.toLowerCase() !== c.toLowerCase()) fail('bad literal');
  return pos + 1;
}

function checkTime(h: number, mi: number, s: number): void {
  if (h > 23 || mi > 59 || s > 59) fail('time out of range');
}

/** Joda `yyyy-MM-dd'T'HH:mm:ss` in UTC, the whole string (a failure is a crash in Flume: see SyslogParseError). */
export function parseRfc5424Prefix(text: string): number {
  try {
    return parseJodaPrefix(text);
  } catch (err) {
    throw new SyslogParseError(`bad timestamp format: ${text} (${(err as Error).message})`, true);
  }
}

function parseJodaPrefix(text: string): number {
  let p: number;
  let y: number, mo: number, d: number, h: number, mi: number, s: number;
  [y, p] = num(text, 0, 9, true);
  p = lit(text, p, '-');
  [mo, p] = num(text, p, 2);
  p = lit(text, p, '-');
  [d, p] = num(text, p, 2);
  p = lit(text, p, 'T');
  [h, p] = num(text, p, 2);
  p = lit(text, p, ':');
  [mi, p] = num(text, p, 2);
  p = lit(text, p, ':');
  [s, p] = num(text, p, 2);
  if (p !== text.length) fail('trailing text');
  if (mo < 1 || mo > 12 || d < 1 || d > monthLength(y, mo)) fail('date out of range');
  checkTime(h, mi, s);
  return utcMillis(y, mo, d, h, mi, s);
}

function monthName(text: string, pos: number): [number, number] {
  for (let len = Math.min(9, text.length - pos); len > 0; len--) {
    const w = text.slice(pos, pos + len);
    for (let i = 0; i < 12; i++) {
      for (const n of [SHORT_MONTHS[i]!, MONTHS[i]!]) {
        if (w === n || w === n.toLowerCase() || w === n.toUpperCase()) return [i + 1, pos + len];
      }
    }
  }
  return fail('bad month');
}

/** Joda `MMM d HH:mm:ss` (UTC, year 2000) → [month, day, h, m, s], or undefined when Joda would throw. */
function parse3164Fields(ts: string): [number, number, number, number, number] | undefined {
  try {
    let p: number;
    let mo: number, d: number, h: number, mi: number, s: number;
    [mo, p] = monthName(ts, 0);
    p = lit(ts, p, ' ');
    [d, p] = num(ts, p, 2);
    p = lit(ts, p, ' ');
    [h, p] = num(ts, p, 2);
    p = lit(ts, p, ':');
    [mi, p] = num(ts, p, 2);
    p = lit(ts, p, ':');
    [s, p] = num(ts, p, 2);
    if (p !== ts.length || d < 1 || d > monthLength(2000, mo)) return undefined;
    checkTime(h, mi, s);
    return [mo, d, h, mi, s];
  } catch {
    return undefined;
  }
}

/** Joda's plusMonths: the day is pinned to the target month's length. */
function plusMonths(y: number, mo: number, d: number, n: number): [number, number, number] {
  const total = y * 12 + (mo - 1) + n;
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  return [ny, nm, Math.min(d, monthLength(ny, nm))];
}

/** SyslogParser.parseRfc3164Time, with its year arithmetic (see the file comment). */
export function parseRfc3164Time(ts: string, now: number): number {
  const f = parse3164Fields(ts.replace('  ', ' '));
  if (!f) return 0;
  const [mo, d, h, mi, s] = f;
  const year = new Date(now).getFullYear(); // DateTime.now() in the default zone
  const at = (y: number, m: number, day: number) => utcMillis(y, m, day, h, mi, s);
  const fixedDay = Math.min(d, monthLength(year, mo));
  const fixed = at(year, mo, fixedDay);
  if (fixed > now && at(...plusMonths(year, mo, fixedDay, -1)) > now) return at(1999, mo, Math.min(d, monthLength(1999, mo)));
  if (fixed < now && at(...plusMonths(year, mo, fixedDay, 1)) < now) return at(2001, mo, Math.min(d, monthLength(2001, mo)));
  return fixed;
}

/** SyslogParser.parseRfc5424Date. */
export function parseRfc5424Date(ts: string): number {
  const len = ts.length;
  if (len <= 19) fail(`Not a valid RFC5424 timestamp: ${ts}`);
  let t = parseRfc5424Prefix(ts.slice(0, 19));
  let pos = 19;
  if (ts[pos] === '.') {
    let end = pos + 1;
    if (len <= end) fail('bad timestamp format (no TZ)');
    while (end < len && ts[end]! >= '0' && ts[end]! <= '9') end++;
    // Flume reads past the end here (StringIndexOutOfBoundsException): an Invalid event instead
    if (end >= len) throw new SyslogParseError('bad timestamp format (fraction without a time zone)', true);
    const digits = end - (pos + 1);
    if (digits === 0) fail(`Invalid timestamp (fractional portion): ${ts}`);
    const str = ts.slice(pos + 1, end);
    if (BigInt(str) > 9223372036854775807n) fail('fraction overflows a long');
    let ms = Number(str);
    if (digits > 3) ms = Math.trunc(ms / 10 ** (digits - 3));
    else if (digits < 3) ms *= 10 ** (3 - digits);
    t += ms;
    pos = end;
  }
  const c = ts[pos];
  if (c === '+' || c === '-') {
    if (len <= pos + 5) fail(`Invalid timezone (${ts})`);
    const m = /^(\d\d):(\d\d)/.exec(ts.slice(pos + 1, pos + 6));
    if (!m) fail(`Invalid timezone: ${ts}`);
    t -= (c === '+' ? 1 : -1) * (Number(m![1]) * 60 + Number(m![2])) * 60_000;
  }
  return t;
}

function parseStamp(msg: string, pos: number, now: () => number): { ts: number; tsString: string; pos: number } {
  const c = msg[pos]!;
  if (c === '-') {
    if (msg.length <= pos + 2) fail('bad syslog format (missing hostname)');
    return { ts: now(), tsString: '-', pos: pos + 2 };
  }
  if (c >= 'A' && c <= 'Z') {
    if (msg.length <= pos + 15) fail('bad timestamp format');
    const tsString = msg.slice(pos, pos + 15);
    const t = now();
    return { ts: cachedStamp(tsString, t, () => parseRfc3164Time(tsString, t)), tsString, pos: pos + 16 };
  }
  const sp = msg.indexOf(' ', pos);
  if (sp < 0) fail('bad timestamp format');
  const tsString = msg.slice(pos, sp);
  return { ts: parseRfc5424Date(tsString), tsString, pos: sp + 1 };
}

/** SyslogParser.parseMessage; throws SyslogParseError where Flume makes an Invalid event (or loses the batch). */
export function parseMessage(msg: string, keep: KeepFields | undefined, now: () => number = Date.now): ParsedMessage {
  if (msg[0] !== '<') fail("invalid priority: cannot find open bracket '<'");
  const gt = msg.indexOf('>');
  if (gt <= 0 || gt > 6) fail("invalid priority: cannot find end bracket '>'");
  const priority = msg.slice(1, gt);
  if (!/^[+-]?\d+$/.test(priority)) fail(`invalid priority ${priority}`);
  const pri = Number(priority);
  if (msg.length <= gt + 1) fail('no data except priority');
  const v: Record<string, string> = { Priority: priority, Facility: String(Math.trunc(pri / 8)), Severity: String(pri % 8) };
  let pos = gt + 1;
  let version: string | null = null;
  if (msg.length > pos + 2 && msg.startsWith('1 ', pos)) {
    version = '1';
    v.Version = version;
    pos += 2;
  }
  const st = parseStamp(msg, pos, now);
  v.timestamp = String(st.ts);
  pos = st.pos;
  const sp = msg.indexOf(' ', pos);
  if (sp < 0) fail('bad syslog format (missing hostname)');
  const host = msg.slice(pos, sp);
  v.host = host;
  const h: Record<string, string> = {};
  for (const k of version ? ORDER_V : ORDER) h[k] = v[k]!;
  if (msg.length > sp + 1 && !keep?.all) {
    const prefix = keptFieldsPrefix(keep, priority, version, st.tsString, host);
    return prefix ? { headers: h, body: prefix + msg.slice(sp + 1) } : { headers: h, body: msg.slice(sp + 1), bodyStart: sp + 1 };
  }
  return { headers: h, body: msg };
}
