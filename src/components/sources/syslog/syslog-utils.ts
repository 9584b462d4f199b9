/**
 * Flume's SyslogUtils (the parser of syslogtcp and syslogudp), reproduced for the same headers and body:
 *
 * - framing: a message starts at `<`; up to 3 digits and `>` make the priority; anything else makes the message
 *   Invalid (Facility 0, Severity 0, the raw bytes as body) up to the end of the line; `\n` ends a message; a message
 *   that reaches eventSize bytes (counting `<pri>`) is cut there and flagged Incomplete, the rest starts a new one
 *   (so a line of exactly eventSize bytes is Incomplete too, and an eventSize below 5 never cuts);
 * - headers: the RFC 5424 and RFC 3164 regular expressions of Flume (Java semantics: ASCII `\s`, `.` stops at line
 *   terminators, the whole message must match), a user format (`format.regex/search/replace/dateFormat`) tried first;
 *   Facility, Severity, `priority`, `version`, `timestamp` (SimpleDateFormat, lenient, see java-date-format.ts; RFC 3164
 *   gets the current UTC year then Flume's 11-months-back/1-month-ahead window), `host`, `flume.syslog.status`;
 * - state kept from one message to the next, as in Flume: the `priority` and `version` of the last message that
 *   matched a format are repeated on later messages that do not set them (Invalid ones, non-matching ones);
 * - the header map is built like Flume's (a HashMap copied by EventBuilder), for the same header order when printed.
 *
 * Better than Flume (documented in docs/syslog.md): the body keeps the received bytes where Flume re-encodes the
 * decoded text (Flume turns bytes that are not UTF-8 into U+FFFD).
 */
import { setJavaMapCapacity, javaBucketOrder, javaCopyCapacity } from '../../shared/java-hashmap.js';
import type { Event } from '../../../core/event.js';
import { compileJavaRegex, compileJavaReplacement, type JavaRegex, type Replacement } from '../../interceptors/java-regex.js';
import { calendarAdd, compileDateFormat, parseJavaDate, type JavaDateFormat } from './java-date-format.js';
import { keptFieldsPrefix, type KeepFields } from './keep-fields.js';

export const EVENT_STATUS = 'flume.syslog.status';
const S = '[ \\t\\n\\x0B\\f\\r]';
const DOT = '[^\\n\\r\\u0085\\u2028\\u2029]';
const RFC5424 = new RegExp(
  `^(?:<(\\d{1,3})>)(?:(\\d?)${S}?)(?:(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,6})?(?:[+-]\\d{2}:\\d{2}|Z)?)|-)` +
    `${S}(?:([\\w][\\w\\d\\.@\\-]*)|-)${S}(${DOT}*)$`,
);
const RFC3164 = new RegExp(
  `^(?:<(\\d{1,3})>)(?:(\\d)?${S}?)([A-Z][a-z][a-z]${S}{1,2}\\d{1,2}${S}\\d{2}:\\d{2}:\\d{2})` + `${S}([\\w][\\w\\d\\.@-]*)${S}(${DOT}*)$`,
);

type Search = { re: RegExp; rep: Replacement | string };

interface Formatter {
  regex: RegExp;
  /** Java group n → JS match index */
  group: (n: number) => number;
  /** Java's groupCount(): Flume only reads groups 1..groupCount */
  groups: number;
  searches: Search[];
  dateFormats: JavaDateFormat[];
  addYear: boolean;
  /** built-in: everything before the body (the last group, up to the end) is ASCII, so its char index is its byte offset */
  asciiPrefix: boolean;
  /** parsed time stamps of the current second: stamp text → millis (Flume's result depends on the clock only) */
  cache?: { second: number; map: Map<string, string | undefined> };
}

const builtins: Formatter[] = [
  {
    regex: RFC5424,
    group: (n) => n,
    groups: 5,
    searches: [
      { re: /Z/g, rep: '+0000' },
      { re: /([+-])(\d{2}):(\d{2})/g, rep: '$1$2$3' },
      { re: /(T\d{2}:\d{2}:\d{2}\.\d{3})(\d*)/g, rep: '$1' },
    ],
    dateFormats: ["yyyy-MM-dd'T'HH:mm:ss.S", "yyyy-MM-dd'T'HH:mm:ss.SZ", "yyyy-MM-dd'T'HH:mm:ssZ", "yyyy-MM-dd'T'HH:mm:ss"].map(
      compileDateFormat,
    ),
    addYear: false,
    asciiPrefix: true,
  },
  {
    regex: RFC3164,
    group: (n) => n,
    groups: 5,
    searches: [{ re: / {2}/g, rep: ' ' }],
    dateFormats: [compileDateFormat('yyyyMMM d HH:mm:ss')],
    addYear: true,
    asciiPrefix: true,
  },
];

export interface CustomFormat {
  regex?: string;
  search?: string;
  replace?: string;
  dateFormat?: string;
}

/** Flume's addFormats: a user format tried before the built-in ones (only when format.regex is set). */
export function customFormatter(f: CustomFormat): Formatter | undefined {
  if (f.regex === undefined) return undefined;
  const rx: JavaRegex = compileJavaRegex(f.regex);
  const whole = new RegExp(`^(?:${rx.source})$`, rx.flags.replace(/[gy]/g, ''));
  const searches: Search[] = [];
  if (f.search !== undefined) {
    const s = compileJavaRegex(f.search);
    searches.push({ re: new RegExp(s.source, `${s.flags.replace(/[gy]/g, '')}g`), rep: compileJavaReplacement(f.replace ?? '', s) });
  }
  return {
    regex: whole,
    group: (n) => rx.groupIndex[n] ?? n,
    groups: rx.groupCount,
    searches,
    dateFormats: f.dateFormat !== undefined ? [compileDateFormat(f.dateFormat)] : [],
    addYear: false,
    asciiPrefix: false,
  };
}

function applySearch(value: string, s: Search): string {
  if (typeof s.rep === 'string') return value.replace(s.re, s.rep);
  const parts = s.rep;
  let out = '';
  let last = 0;
  for (const m of value.matchAll(s.re)) {
    out += value.slice(last, m.index) + parts.map((p) => (typeof p === 'number' ? (m[p] ?? '') : p)).join('');
    last = m.index + m[0].length;
  }
  return out + value.slice(last);
}

/** Flume's year guess for RFC 3164 stamps: more than a month ahead → last year; more than 11 months back → next year. */
function fixYear(parsed: number, now: number): number {
  if (parsed > now && calendarAdd(parsed, 'month', -1) > now) return calendarAdd(parsed, 'year', -1);
  if (parsed < now && calendarAdd(parsed, 'month', 11) < now) return calendarAdd(parsed, 'year', 1);
  return parsed;
}

const ORDER_CACHE = new Map<string, string[]>();
const UTILS_KEYS = ['Facility', 'Severity', 'priority', 'version', 'timestamp', 'host', EVENT_STATUS];
/** For each subset of the optional headers (bit i = UTILS_KEYS[i + 2]): the keys in Java's iteration order, the copy's capacity. */
const UTILS_LAYOUT = Array.from({ length: 32 }, (_, mask) => {
  const keys = UTILS_KEYS.filter((_k, i) => i < 2 || (mask & (1 << (i - 2))) !== 0);
  const order = javaBucketOrder(keys, 16);
  return { order, index: order.map((k) => UTILS_KEYS.indexOf(k)), capacity: javaCopyCapacity(keys.length) };
});

/** Headers in the order Flume's 16-bucket map iterates them, marked with the capacity of EventBuilder's copy. */
export function flumeCopiedHeaders(h: Record<string, string>): Record<string, string> {
  const keys = Object.keys(h);
  const sig = keys.join('\u0000');
  let order = ORDER_CACHE.get(sig);
  if (!order) {
    order = javaBucketOrder(keys, 16);
    if (ORDER_CACHE.size > 256) ORDER_CACHE.clear();
    ORDER_CACHE.set(sig, order);
  }
  const out: Record<string, string> = {};
  for (const k of order) out[k] = h[k]!;
  return setJavaMapCapacity(out, javaCopyCapacity(keys.length));
}

export interface SyslogUtilsOptions {
  eventSize: number;
  keepFields: KeepFields | undefined;
  custom?: Formatter;
  now?: () => number;
}

const enum Mode {
  START,
  PRIO,
  DATA,
}

/** One parser per TCP connection (per source for UDP), like Flume's handlers. */
export class SyslogUtils {
  private mode = Mode.START;
  private prio = '';
  private parts: Buffer[] = [];
  private size = 0;
  private bad = false;
  private incompleteFlag = false;
  // carried from one message to the next (Flume's reset() leaves them)
  private priority: string | null | undefined = null;
  private version: string | null | undefined = null;
  private readonly formats: Formatter[];
  private readonly now: () => number;

  constructor(private readonly o: SyslogUtilsOptions) {
    this.formats = o.custom ? [o.custom, ...builtins] : builtins;
    this.now = o.now ?? Date.now;
  }

  /** True while a message is partly read. */
  get pending(): boolean {
    return this.mode !== Mode.START || this.size > 0;
  }

  /**
   * Reads `buf` from `pos` up to the end of one message. Returns the event (or null when `buf` ended first) and the
   * position after what was consumed.
   */
  extract(buf: Buffer, pos: number): { event: Event | null; pos: number } {
    while (pos < buf.length) {
      if (this.mode === Mode.DATA) return this.readData(buf, pos);
      const b = buf[pos++]!;
      if (this.mode === Mode.START) {
        if (b === 0x3c) {
          this.write(buf, pos - 1, pos);
          this.mode = Mode.PRIO;
        } else if (b !== 0x0a) {
          this.bad = true;
          this.write(buf, pos - 1, pos);
          this.mode = Mode.DATA;
        }
        continue;
      }
      // PRIO
      this.write(buf, pos - 1, pos);
      if (b === 0x3e) {
        if (this.prio.length === 0) this.bad = true;
        this.mode = Mode.DATA;
      } else {
        this.prio += String.fromCharCode(b);
        if (b < 0x30 || b > 0x39 || this.prio.length > 3) {
          this.bad = true;
          this.mode = Mode.DATA;
        }
      }
    }
    return { event: null, pos };
  }

  /** The partly read message as an event (end of a datagram, or a TCP connection closed mid-line); null if nothing. */
  flush(): Event | null {
    if (!this.pending) return null;
    if (!this.bad && this.prio.length === 0) this.bad = true; // "<" alone: Flume throws and drops it
    return this.build(false);
  }

  private reachedMax(): boolean {
    return this.size === this.o.eventSize;
  }

  private readData(buf: Buffer, pos: number): { event: Event | null; pos: number } {
    const room = this.o.eventSize - this.size;
    const end = room > 0 ? Math.min(buf.length, pos + room) : buf.length;
    const nl = buf.indexOf(0x0a, pos);
    if (nl >= 0 && nl < end) {
      this.write(buf, pos, nl);
      return { event: this.build(false), pos: nl + 1 };
    }
    this.write(buf, pos, end);
    if (room > 0 && this.reachedMax()) return { event: this.build(true), pos: end };
    return { event: null, pos: end };
  }

  /**
   * The bytes of the current message: one contiguous range of one received chunk (the usual case: no copy, the event
   * keeps a view of the chunk, which Node allocates afresh for every read), or pieces joined at the end.
   */
  private seg?: Buffer;
  private segStart = 0;
  private segEnd = 0;

  private write(buf: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.size += end - start;
    if (this.seg === buf && this.segEnd === start) {
      this.segEnd = end;
      return;
    }
    if (this.seg) this.parts.push(this.seg.subarray(this.segStart, this.segEnd));
    this.seg = buf;
    this.segStart = start;
    this.segEnd = end;
  }

  private raw(): Buffer {
    const last = this.seg ? this.seg.subarray(this.segStart, this.segEnd) : Buffer.alloc(0);
    return this.parts.length === 0 ? last : Buffer.concat([...this.parts, last], this.size);
  }

  private build(incomplete: boolean): Event {
    this.incompleteFlag = incomplete;
    const raw = this.raw();
    const h: Record<string, string> = {};
    let body: Buffer | undefined;
    let pri = 0;
    let ts: string | undefined;
    let host: string | null | undefined;
    if (!this.bad) {
      pri = Number(this.prio);
      const r = this.formatHeaders(raw);
      ts = r.timestamp;
      host = r.host;
      body = r.body;
    }
    const status = this.bad ? 'Invalid' : this.incompleteFlag ? 'Incomplete' : undefined;
    const values = [
      String(Math.trunc(pri / 8)),
      String(pri % 8),
      this.priority || undefined,
      this.version || undefined,
      ts || undefined,
      host || undefined,
      status,
    ];
    let mask = 0;
    for (let i = 2; i < 7; i++) if (values[i] !== undefined) mask |= 1 << (i - 2);
    const layout = UTILS_LAYOUT[mask]!;
    for (let i = 0; i < layout.order.length; i++) h[layout.order[i]!] = values[layout.index[i]!]!;
    const event = { headers: setJavaMapCapacity(h, layout.capacity), body: this.o.keepFields?.all || !body ? raw : body };
    this.reset();
    return event;
  }

  private reset(): void {
    if (this.parts.length > 0) this.parts = [];
    this.seg = undefined;
    this.size = 0;
    this.mode = Mode.START;
    this.prio = '';
    this.bad = false;
    this.incompleteFlag = false;
  }

  private formatHeaders(raw: Buffer): { timestamp?: string; host?: string | null; body?: Buffer } {
    const text = raw.toString('utf8');
    for (const fmt of this.formats) {
      const m = fmt.regex.exec(text);
      if (!m) continue;
      const has = (n: number) => n <= fmt.groups;
      const g = (n: number) => (has(n) ? (m[fmt.group(n)] ?? null) : null);
      const tsRaw = g(3);
      const timestamp = tsRaw === null ? undefined : this.parseStamp(fmt, tsRaw);
      const host = g(4);
      if (has(1)) this.priority = g(1);
      if (has(2)) this.version = g(2);
      const value = g(5);
      let body: Buffer | undefined;
      if (value !== null) {
        const prefix = keptFieldsPrefix(this.o.keepFields, this.priority, this.version, tsRaw, host);
        if (prefix.length + value.length > 0) body = this.bodyBytes(fmt, m, raw, prefix, value);
      }
      return { timestamp, host, body };
    }
    return {};
  }

  private bodyBytes(fmt: Formatter, m: RegExpExecArray, raw: Buffer, prefix: string, value: string): Buffer {
    const tail = fmt.asciiPrefix ? raw.subarray(m.input.length - value.length) : Buffer.from(value, 'utf8');
    return prefix.length === 0 ? tail : Buffer.concat([Buffer.from(prefix, 'utf8'), tail]);
  }

  private parseStamp(fmt: Formatter, tsRaw: string): string | undefined {
    const now = this.now();
    const second = Math.floor(now / 1000);
    const c = (fmt.cache ??= { second, map: new Map() });
    if (c.second !== second || c.map.size > 1000) {
      c.second = second;
      c.map.clear();
    }
    if (c.map.has(tsRaw)) return c.map.get(tsRaw);
    const v = this.parseStampNow(fmt, tsRaw, now);
    c.map.set(tsRaw, v);
    return v;
  }

  private parseStampNow(fmt: Formatter, tsRaw: string, now: number): string | undefined {
    let value = tsRaw;
    for (const s of fmt.searches) value = applySearch(value, s);
    if (fmt.addYear) value = String(new Date(now).getUTCFullYear()) + value;
    for (const df of fmt.dateFormats) {
      const t = parseJavaDate(df, value);
      if (t === undefined || Number.isNaN(t)) continue;
      return String(fmt.addYear ? fixYear(t, now) : t);
    }
    return undefined;
  }
}
