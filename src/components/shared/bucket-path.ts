/**
 * Flume's BucketPath escapes (core/formatter/output/BucketPath.java, tools/TimestampRoundDownUtil.java), as one
 * standalone module: the HDFS sink uses it for hdfs.path / hdfs.filePrefix; the Kafka sink (kafka.topic), the
 * Elasticsearch index name and others use it too.
 *
 * Escapes (token regex `%(\w|%)|%\{([\w.-]+)\}|%\[(\w+)\]`, exactly Flume's):
 *  - `%{name}` header value ('' when absent); `%[localhost]` `%[IP]` `%[FQDN]` (case-insensitive) agent host data;
 *  - `%t` the raw `timestamp` header (or local ms with useLocalTimeStamp), never rounded; `%s` seconds since the
 *    epoch after rounding; `%%` a percent sign;
 *  - date fields as Java's SimpleDateFormat prints them in the English locale: `%a` EEE, `%A` EEEE, `%b` MMM,
 *    `%B` MMMM, `%c` `EEE MMM d HH:mm:ss yyyy`, `%d` dd, `%e` d, `%D` MM/dd/yy, `%H` HH, `%I` hh, `%j` DDD, `%k` H,
 *    `%l` h, `%m` MM, `%n` M, `%M` mm, `%p` a, `%S` ss, `%y` yy, `%Y` yyyy, `%z` ZZZ (-0400);
 *  - any other `%x` → ''.
 * As in Flume, every `%x` escape (even `%%` and unknown letters) needs the event time: without useLocalTimeStamp an
 * event with no `timestamp` header fails (MissingTimestampError), and a non-numeric one too (BadTimestampError).
 */
import os from 'node:os';
import dns from 'node:dns';
import { FlumeError } from '../../core/errors.js';

export const TAG_REGEX = /%(\w|%)|%\{([\w.-]+)\}|%\[(\w+)\]/g;

export type RoundUnit = 'second' | 'minute' | 'hour';

export interface EscapeOptions {
  /** An IANA zone id (`America/New_York`), `UTC`/`GMT`, or a Java custom id `GMT+05:30`; undefined = process zone. */
  timeZone?: string | TimeZoneInfo;
  /** Flume's hdfs.round: round the time down (all time escapes except %t). */
  round?: boolean;
  roundUnit?: RoundUnit;
  roundValue?: number;
  /** Use the agent's clock instead of the `timestamp` header. */
  useLocalTimeStamp?: boolean;
  /** Clock for useLocalTimeStamp (tests). */
  now?: () => number;
  /** The host names for %[localhost] %[IP] %[FQDN] (tests; defaults to this machine). */
  host?: HostInfo;
}

export interface HostInfo {
  hostName: string;
  hostAddress: string;
  canonicalHostName: string;
}

/** The event has no `timestamp` header but the escaped string needs one. */
export class MissingTimestampError extends FlumeError {
  constructor(what: string) {
    super(
      'FLUME_MISSING_TIMESTAMP',
      `Expected timestamp in the Flume event headers, but it was null (needed to resolve the time escapes in "${what}"). ` +
        'Add a `timestamp` header (e.g. with the timestamp interceptor on the source) or set hdfs.useLocalTimeStamp = true.',
    );
  }
}

/** The `timestamp` header is not a number of milliseconds. */
export class BadTimestampError extends FlumeError {
  constructor(value: string, what: string) {
    super(
      'FLUME_BAD_TIMESTAMP',
      `Flume wasn't able to parse timestamp header "${value}" in the event to resolve time based bucketing in "${what}". ` +
        'Please check that you are correctly populating the timestamp header (for example using the timestamp interceptor), ' +
        'or set useLocalTimeStamp = true.',
    );
  }
}

export class BadEscapeError extends FlumeError {
  constructor(key: string) {
    super('FLUME_BAD_ESCAPE', `The static escape string '${key}' was provided but does not match any of (localhost,IP,FQDN)`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Time zones

export interface TimeZoneInfo {
  readonly id: string;
  /** Offset from UTC in minutes at the instant `ts` (east positive). */
  offsetMinutes(ts: number): number;
}

const fixedZone = (id: string, minutes: number): TimeZoneInfo => ({ id, offsetMinutes: () => minutes });

const zoneCache = new Map<string, TimeZoneInfo>();

/**
 * Java's TimeZone.getTimeZone(id): IANA ids, `UTC`, `GMT`, and custom `GMT+h`, `GMT+hh:mm`, `GMT-hhmm`. Returns
 * undefined for an id Java would silently turn into GMT (the caller warns).
 */
export function resolveTimeZone(id: string): TimeZoneInfo | undefined {
  const hit = zoneCache.get(id);
  if (hit) return hit;
  let zone: TimeZoneInfo | undefined;
  const custom = /^GMT([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(id);
  if (custom) {
    const h = Number(custom[2]);
    const m = Number(custom[3] ?? '0');
    if (h <= 23 && m <= 59) zone = fixedZone(id, (custom[1] === '-' ? -1 : 1) * (h * 60 + m));
  } else if (id === 'UTC' || id === 'GMT') {
    zone = fixedZone(id, 0);
  } else {
    try {
      const fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: id,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
      zone = {
        id,
        offsetMinutes(ts: number): number {
          const p: Record<string, number> = {};
          for (const part of fmt.formatToParts(ts)) if (part.type !== 'literal') p[part.type] = Number(part.value);
          const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!, p.second!);
          const base = ts - (((ts % 1000) + 1000) % 1000);
          return Math.round((wall - base) / 60000);
        },
      };
    } catch {
      zone = undefined;
    }
  }
  if (zone) zoneCache.set(id, zone);
  return zone;
}

let defaultZone: TimeZoneInfo | undefined;
/** The process time zone (the JVM default in Flume). */
export function localTimeZone(): TimeZoneInfo {
  if (!defaultZone) {
    const id = Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
    defaultZone = resolveTimeZone(id) ?? fixedZone('UTC', 0);
  }
  return defaultZone;
}

function zoneOf(tz: EscapeOptions['timeZone']): TimeZoneInfo {
  if (tz === undefined) return localTimeZone();
  if (typeof tz !== 'string') return tz;
  return resolveTimeZone(tz) ?? fixedZone('GMT', 0);
}

/** Wall-clock fields of `ts` in a zone. */
interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  weekday: number;
  dayOfYear: number;
  offset: number;
}

function fields(ts: number, zone: TimeZoneInfo): Fields {
  const offset = zone.offsetMinutes(ts);
  const d = new Date(ts + offset * 60000);
  const year = d.getUTCFullYear();
  const startOfYear = Date.UTC(year, 0, 1);
  const dayStart = Date.UTC(year, d.getUTCMonth(), d.getUTCDate());
  return {
    year,
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    ms: d.getUTCMilliseconds(),
    weekday: d.getUTCDay(),
    dayOfYear: Math.round((dayStart - startOfYear) / 86400000) + 1,
    offset,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Rounding (TimestampRoundDownUtil)

/**
 * Rounds `ts` down to a multiple of `roundValue` units in `zone`, zeroing the lower fields, as Flume's
 * TimestampRoundDownUtil does with a Calendar. Flume requires ts > 0 and roundValue in 1..60 (1..24 for hours).
 */
export function roundDown(ts: number, unit: RoundUnit, roundValue: number, timeZone?: EscapeOptions['timeZone']): number {
  const max = unit === 'hour' ? 24 : 60;
  if (!(roundValue > 0 && roundValue <= max)) throw new FlumeError('FLUME_ROUND', `RoundDown must be > 0 and <=${max}`);
  if (!(ts > 0)) throw new FlumeError('FLUME_ROUND', 'Timestamp must be positive');
  const zone = zoneOf(timeZone);
  const f = fields(ts, zone);
  let { hour, minute, second } = f;
  if (unit === 'second') second -= second % roundValue;
  else if (unit === 'minute') [minute, second] = [minute - (minute % roundValue), 0];
  else [hour, minute, second] = [hour - (hour % roundValue), 0, 0];
  // The rounded wall-clock time back to an instant in the zone (the offset may differ across a DST change, as
  // Java's Calendar resolves it).
  const wall = Date.UTC(f.year, f.month - 1, f.day, hour, minute, second, 0);
  let guess = wall - f.offset * 60000;
  for (let i = 0; i < 2; i++) guess = wall - zone.offsetMinutes(guess) * 60000;
  return guess;
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const pad = (n: number, w: number): string => String(n).padStart(w, '0');
const hour12 = (h: number): number => (h % 12 === 0 ? 12 : h % 12);

function zzz(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  return `${sign}${pad(Math.floor(a / 60), 2)}${pad(a % 60, 2)}`;
}

/** One `%x` date escape of a time in a zone, as Flume prints it. */
export function formatTimeEscape(c: string, ts: number, zone: TimeZoneInfo): string {
  const f = fields(ts, zone);
  switch (c) {
    case 'a':
      return DAYS[f.weekday]!.slice(0, 3);
    case 'A':
      return DAYS[f.weekday]!;
    case 'b':
      return MONTHS[f.month - 1]!.slice(0, 3);
    case 'B':
      return MONTHS[f.month - 1]!;
    case 'c':
      return `${DAYS[f.weekday]!.slice(0, 3)} ${MONTHS[f.month - 1]!.slice(0, 3)} ${f.day} ${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)} ${pad(f.year, 4)}`;
    case 'd':
      return pad(f.day, 2);
    case 'e':
      return String(f.day);
    case 'D':
      return `${pad(f.month, 2)}/${pad(f.day, 2)}/${pad(f.year % 100, 2)}`;
    case 'H':
      return pad(f.hour, 2);
    case 'I':
      return pad(hour12(f.hour), 2);
    case 'j':
      return pad(f.dayOfYear, 3);
    case 'k':
      return String(f.hour);
    case 'l':
      return String(hour12(f.hour));
    case 'm':
      return pad(f.month, 2);
    case 'M':
      return pad(f.minute, 2);
    case 'n':
      return String(f.month);
    case 'p':
      return f.hour < 12 ? 'AM' : 'PM';
    case 'S':
      return pad(f.second, 2);
    case 'y':
      return pad(f.year % 100, 2);
    case 'Y':
      return pad(f.year, 4);
    case 'z':
      return zzz(f.offset);
    default:
      return '';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Host escapes

let hostCache: HostInfo | undefined;

/** Java's InetAddress.getLocalHost(): host name, its address, its canonical name (resolved once, cached). */
export function localHostInfo(): HostInfo {
  if (hostCache) return hostCache;
  const hostName = os.hostname();
  let hostAddress = '127.0.0.1';
  for (const list of Object.values(os.networkInterfaces())) {
    const v4 = list?.find((i) => i.family === 'IPv4' && !i.internal);
    if (v4) {
      hostAddress = v4.address;
      break;
    }
  }
  hostCache = { hostName, hostAddress, canonicalHostName: hostName };
  // The canonical name needs a reverse lookup; done in the background, the cached short name serves until then.
  dns.lookup(hostName, { hints: dns.ADDRCONFIG }, (err, address) => {
    if (err || !address) return;
    hostCache = { ...hostCache!, hostAddress: address };
    dns.reverse(address, (e2, names) => {
      if (!e2 && names && names[0]) hostCache = { ...hostCache!, canonicalHostName: names[0] };
    });
  });
  return hostCache;
}

// ---------------------------------------------------------------------------------------------------------------
// escapeString

/**
 * A compiled escape string: parse once, expand per event. Flume's BucketPath.escapeString(in, headers, timeZone,
 * needRounding, unit, roundDown, useLocalTimeStamp).
 */
export class BucketPath {
  private readonly parts: Array<string | { kind: 'header' | 'static' | 'time'; key: string }> = [];
  private readonly zone: TimeZoneInfo;
  readonly needsTime: boolean;

  constructor(
    readonly template: string,
    private readonly opts: EscapeOptions = {},
  ) {
    let last = 0;
    let time = false;
    for (const m of template.matchAll(TAG_REGEX)) {
      if (m.index! > last) this.parts.push(template.slice(last, m.index));
      if (m[2] !== undefined) this.parts.push({ kind: 'header', key: m[2] });
      else if (m[3] !== undefined) {
        const key = m[3].toLowerCase();
        if (key !== 'localhost' && key !== 'ip' && key !== 'fqdn') throw new BadEscapeError(m[3]);
        this.parts.push({ kind: 'static', key });
      } else {
        this.parts.push({ kind: 'time', key: m[1]! });
        time = true;
      }
      last = m.index! + m[0].length;
    }
    if (last < template.length) this.parts.push(template.slice(last));
    this.needsTime = time;
    this.zone = zoneOf(opts.timeZone);
  }

  /** The expansion when the template has no escapes at all (the same for every event), else undefined. */
  get constant(): string | undefined {
    if (this.parts.length === 0) return '';
    return this.parts.length === 1 && typeof this.parts[0] === 'string' ? this.parts[0] : undefined;
  }

  /** Expands the escapes for one event's headers. Throws MissingTimestampError / BadTimestampError like Flume. */
  escape(headers: Readonly<Record<string, string>>): string {
    if (this.parts.length === 1 && typeof this.parts[0] === 'string') return this.parts[0];
    let raw = '';
    let ts = 0;
    let rounded = 0;
    if (this.needsTime) {
      if (this.opts.useLocalTimeStamp) {
        ts = (this.opts.now ?? Date.now)();
        raw = String(ts);
      } else {
        const h = headers.timestamp;
        if (h === undefined) throw new MissingTimestampError(this.template);
        raw = h;
        ts = parseJavaLong(h);
        if (Number.isNaN(ts)) throw new BadTimestampError(h, this.template);
      }
      rounded = this.opts.round ? roundDown(ts, this.opts.roundUnit ?? 'second', this.opts.roundValue ?? 1, this.zone) : ts;
    }
    let out = '';
    for (const p of this.parts) {
      if (typeof p === 'string') out += p;
      else if (p.kind === 'header') out += headers[p.key] ?? '';
      else if (p.kind === 'static') {
        const h = this.opts.host ?? localHostInfo();
        out += p.key === 'localhost' ? h.hostName : p.key === 'ip' ? h.hostAddress : h.canonicalHostName;
      } else if (p.key === '%') out += '%';
      else if (p.key === 't') out += raw;
      else if (p.key === 's') out += String(Math.trunc(rounded / 1000));
      else out += formatTimeEscape(p.key, rounded, this.zone);
    }
    return out;
  }
}

/** Flume's BucketPath.escapeString in one call (compiles the template each time; prefer `new BucketPath`). */
export function escapeString(template: string, headers: Readonly<Record<string, string>>, opts: EscapeOptions = {}): string {
  return new BucketPath(template, opts).escape(headers);
}

/** Java's Long.valueOf: optional sign and ASCII digits; NaN otherwise. */
function parseJavaLong(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) return NaN;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : NaN;
}
