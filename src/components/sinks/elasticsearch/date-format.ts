/**
 * The subset of Java's SimpleDateFormat / commons-lang FastDateFormat patterns that index names use
 * (TimeBasedIndexNameBuilder's `dateFormat`, default `yyyy-MM-dd`): y M d D E H k K h m s S a Z and quoted text.
 * Formatting is cached per day (an index name changes at most once a day for date-only patterns).
 */
import { FlumeError } from '../../../core/errors.js';
import type { TimeZoneInfo } from '../../shared/bucket-path.js';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const SUPPORTED = 'yMdDEHkKhmsSaZ';

type Part = string | { letter: string; count: number };

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

export class JavaDateFormat {
  private readonly parts: Part[];
  /** Only date fields (y M d D E): the output is the same for a whole day in the zone. */
  private readonly dateOnly: boolean;
  private cacheFrom = 1;
  private cacheTo = 0;
  private cached = '';

  constructor(
    readonly pattern: string,
    private readonly zone: TimeZoneInfo,
  ) {
    this.parts = parsePattern(pattern);
    this.dateOnly = this.parts.every((p) => typeof p === 'string' || 'yMdDE'.includes(p.letter));
  }

  format(ts: number): string {
    if (ts >= this.cacheFrom && ts < this.cacheTo) return this.cached;
    const offset = this.zone.offsetMinutes(ts);
    const d = new Date(ts + offset * 60000);
    let out = '';
    for (const p of this.parts) out += typeof p === 'string' ? p : field(p.letter, p.count, d, offset);
    if (this.dateOnly) {
      // the wall-clock day [00:00, 24:00) in this zone, assuming the offset holds for the day (re-checked on a miss)
      const dayStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - offset * 60000;
      if (this.zone.offsetMinutes(dayStart) === offset && this.zone.offsetMinutes(dayStart + 86_399_999) === offset) {
        this.cacheFrom = dayStart;
        this.cacheTo = dayStart + 86_400_000;
        this.cached = out;
      }
    }
    return out;
  }
}

function parsePattern(pattern: string): Part[] {
  const parts: Part[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) parts.push("'");
      else if (end < 0) throw new FlumeError('FLUME_ES_DATE_FORMAT', `Unterminated quote in date format "${pattern}"`);
      else parts.push(pattern.slice(i + 1, end));
      i = end + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      if (!SUPPORTED.includes(c)) {
        throw new FlumeError(
          'FLUME_ES_DATE_FORMAT',
          `Date format "${pattern}": pattern letter '${c}' is not supported (use y M d D E H k K h m s S a Z and 'quoted text')`,
        );
      }
      parts.push({ letter: c, count: j - i });
      i = j;
    } else {
      parts.push(c);
      i++;
    }
  }
  return parts;
}

function field(letter: string, count: number, d: Date, offset: number): string {
  const h = d.getUTCHours();
  switch (letter) {
    case 'y':
      return count === 2 ? pad(d.getUTCFullYear() % 100, 2) : pad(d.getUTCFullYear(), count);
    case 'M': {
      const m = d.getUTCMonth();
      if (count >= 4) return MONTHS[m]!;
      if (count === 3) return MONTHS[m]!.slice(0, 3);
      return pad(m + 1, count);
    }
    case 'd':
      return pad(d.getUTCDate(), count);
    case 'D': {
      const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      return pad(Math.round((day - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1, count);
    }
    case 'E':
      return count >= 4 ? DAYS[d.getUTCDay()]! : DAYS[d.getUTCDay()]!.slice(0, 3);
    case 'H':
      return pad(h, count);
    case 'k':
      return pad(h === 0 ? 24 : h, count);
    case 'K':
      return pad(h % 12, count);
    case 'h':
      return pad(h % 12 === 0 ? 12 : h % 12, count);
    case 'm':
      return pad(d.getUTCMinutes(), count);
    case 's':
      return pad(d.getUTCSeconds(), count);
    case 'S':
      return pad(d.getUTCMilliseconds(), count);
    case 'a':
      return h < 12 ? 'AM' : 'PM';
    default: {
      const a = Math.abs(offset);
      return `${offset < 0 ? '-' : '+'}${pad(Math.floor(a / 60), 2)}${pad(a % 60, 2)}`;
    }
  }
}
