/**
 * The part of java.text.SimpleDateFormat (lenient, Locale.ENGLISH, the JVM's default time zone = the process TZ) that
 * Flume's SyslogUtils uses to turn syslog time stamps into the `timestamp` header, plus java.util.Calendar.add.
 *
 * Supported pattern letters: y M d H m s S Z and quoted literals ('T'), which covers Flume's built-in formats and the
 * usual `format.dateFormat` values. Semantics kept from the JDK: `parse(String)` succeeds once every pattern field is
 * read, whatever text follows (so `yyyy-MM-dd'T'HH:mm:ss.S` reads "…11.123+02:00" and ignores the offset); spaces and
 * tabs before a field are skipped; a numeric field reads all its digits unless a numeric field follows directly
 * (then exactly its letter count); `S` is a plain millisecond count (".5" is 5 ms); values overflow leniently
 * (month 13 is January of the next year, day 0 the last day of the previous month, hour 24 the next day).
 * Not reproduced: the Julian calendar before 1582, and how the JDK resolves wall times inside a DST gap or overlap.
 */
import { FlumeError } from '../../../core/errors.js';

export class DateFormatError extends FlumeError {
  constructor(message: string) {
    super('FLUME_SYSLOG_DATE_FORMAT', message);
  }
}

type Token = { lit: string } | { letter: string; count: number };

export interface JavaDateFormat {
  readonly pattern: string;
  readonly tokens: readonly Token[];
}

const SUPPORTED = 'yMdHmsSZ';
const NUMERIC = 'ydHmsS';
export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
export const SHORT_MONTHS = MONTHS.map((m) => m.slice(0, 3));

export function compileDateFormat(pattern: string): JavaDateFormat {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new DateFormatError(`unterminated quote in date format "${pattern}"`);
      tokens.push({ lit: end === i + 1 ? "'" : pattern.slice(i + 1, end) });
      i = end + 1;
    } else if (/[a-zA-Z]/.test(c)) {
      if (!SUPPORTED.includes(c)) {
        const supported = SUPPORTED.split('').join(' ');
        throw new DateFormatError(`date format "${pattern}": pattern letter '${c}' is not supported (supported: ${supported})`);
      }
      let n = 1;
      while (pattern[i + n] === c) n++;
      tokens.push({ letter: c, count: n });
      i += n;
    } else {
      tokens.push({ lit: c });
      i++;
    }
  }
  return { pattern, tokens };
}

interface Fields {
  year: number;
  month: number; // 0-based, may overflow
  day: number;
  hour: number;
  minute: number;
  second: number;
  milli: number;
  offsetMinutes?: number;
}

function isNumericToken(t: Token | undefined): boolean {
  if (!t || 'lit' in t) return false;
  return NUMERIC.includes(t.letter) || (t.letter === 'M' && t.count <= 2);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** DecimalFormat-like integer read: optional '-', digits (at most `max` chars when max > 0). */
function readNumber(text: string, pos: number, max: number): { value: number; end: number } | undefined {
  let i = pos;
  const limit = max > 0 ? Math.min(text.length, pos + max) : text.length;
  let neg = false;
  if (text[i] === '-' && i < limit) {
    neg = true;
    i++;
  }
  const start = i;
  while (i < limit && isDigit(text[i])) i++;
  if (i === start) return undefined;
  const v = Number(text.slice(start, i));
  return { value: neg ? -v : v, end: i };
}

function readMonthName(text: string, pos: number): { value: number; end: number } | undefined {
  for (const names of [MONTHS, SHORT_MONTHS]) {
    let best = -1;
    let bestLen = 0;
    names.forEach((n, i) => {
      if (n.length > bestLen && text.slice(pos, pos + n.length).toLowerCase() === n.toLowerCase()) {
        best = i;
        bestLen = n.length;
      }
    });
    if (best >= 0) return { value: best, end: pos + bestLen };
  }
  return undefined;
}

/** SimpleDateFormat's 'Z' field: "+HHMM"/"-HHMM" (hours ≤ 23, minutes ≤ 59), or "GMT", "GMT+H[H][:MM]", "UTC". */
function readZone(text: string, pos: number): { value: number; end: number } | undefined {
  const c = text[pos];
  if (c === '+' || c === '-') {
    const m = /^(\d\d)(\d\d)/.exec(text.slice(pos + 1, pos + 5));
    if (!m) return undefined;
    const h = Number(m[1]);
    const mi = Number(m[2]);
    if (h > 23 || mi > 59) return undefined;
    return { value: (c === '-' ? -1 : 1) * (h * 60 + mi), end: pos + 5 };
  }
  const g = /^(?:GMT|UTC)(?:([+-])(\d\d?)(?::?(\d\d))?)?/i.exec(text.slice(pos));
  if (!g) return undefined;
  const off = g[1] ? (g[1] === '-' ? -1 : 1) * (Number(g[2]) * 60 + Number(g[3] ?? 0)) : 0;
  return { value: off, end: pos + g[0].length };
}

function readField(t: { letter: string; count: number }, next: Token | undefined, text: string, pos: number, f: Fields): number {
  if (t.letter === 'Z') {
    const z = readZone(text, pos);
    if (!z) return -1;
    f.offsetMinutes = z.value;
    return z.end;
  }
  if (t.letter === 'M' && t.count >= 3) {
    const m = readMonthName(text, pos);
    if (!m) return -1;
    f.month = m.value;
    return m.end;
  }
  const n = readNumber(text, pos, isNumericToken(next) ? t.count : 0);
  if (!n) return -1;
  switch (t.letter) {
    case 'y':
      f.year = t.count <= 2 && n.end - pos === 2 && n.value >= 0 ? twoDigitYear(n.value) : n.value;
      break;
    case 'M':
      f.month = n.value - 1;
      break;
    case 'd':
      f.day = n.value;
      break;
    case 'H':
      f.hour = n.value;
      break;
    case 'm':
      f.minute = n.value;
      break;
    case 's':
      f.second = n.value;
      break;
    default:
      f.milli = n.value;
  }
  return n.end;
}

/** SimpleDateFormat's default century: a 2-digit year lands within 80 years before and 20 after now. */
function twoDigitYear(yy: number): number {
  const now = new Date();
  const start = now.getFullYear() - 80;
  let y = Math.floor(start / 100) * 100 + yy;
  if (y < start) y += 100;
  return y;
}

/** `format.parse(text)` as epoch milliseconds, or undefined where Java throws ParseException. */
export function parseJavaDate(format: JavaDateFormat, text: string): number | undefined {
  const f: Fields = { year: 1970, month: 0, day: 1, hour: 0, minute: 0, second: 0, milli: 0 };
  let pos = 0;
  const toks = format.tokens;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if ('lit' in t) {
      if (text.slice(pos, pos + t.lit.length) !== t.lit) return undefined;
      pos += t.lit.length;
      continue;
    }
    while (text[pos] === ' ' || text[pos] === '\t') pos++;
    if (pos >= text.length) return undefined;
    pos = readField(t, toks[i + 1], text, pos, f);
    if (pos < 0) return undefined;
  }
  if (f.offsetMinutes !== undefined) {
    const d = new Date(0);
    d.setUTCFullYear(f.year, f.month, f.day);
    d.setUTCHours(f.hour, f.minute, f.second, f.milli);
    return d.getTime() - f.offsetMinutes * 60_000;
  }
  return localTime(f.year, f.month, f.day, f.hour, f.minute, f.second, f.milli);
}

function localTime(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const t = new Date(0);
  t.setFullYear(y, mo, d);
  t.setHours(h, mi, s, ms);
  return t.getTime();
}

function daysInMonth(y: number, mo: number): number {
  const t = new Date(0);
  t.setUTCFullYear(y, mo + 1, 0);
  return t.getUTCDate();
}

/** java.util.Calendar.add(MONTH or YEAR, n) in the default time zone: the day is pinned to the target month's length. */
export function calendarAdd(ms: number, field: 'month' | 'year', n: number): number {
  const t = new Date(ms);
  const total = t.getFullYear() * 12 + t.getMonth() + (field === 'month' ? n : n * 12);
  const y = Math.floor(total / 12);
  const mo = total - y * 12;
  const day = Math.min(t.getDate(), daysInMonth(y, mo));
  return localTime(y, mo, day, t.getHours(), t.getMinutes(), t.getSeconds(), t.getMilliseconds());
}
