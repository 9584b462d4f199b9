/**
 * A parser for Joda-Time DateTimeFormat patterns (as RegexExtractorInterceptorMillisSerializer uses them), compiled once.
 *
 * Supported letters: `y`/`Y`/`u` year (`yy` = two-digit year in Joda's window: current year − 80 … current year + 19; without a year field but with a month or day, the year is 2000 as in Joda), `M`
 * month (`M`/`MM` numeric, `MMM` short and `MMMM` full English names), `d` day of month, `D` day of year, `H` hour 0–23,
 * `k` hour 1–24 (24 = midnight), `h` hour 1–12, `K` hour 0–11, `a` AM/PM, `m` minute, `s` second, `S` fraction of a second, `E` day
 * name (English, checked for form only), `Z` offset (`-0800`, `Z` = `-08:00`, also `Z`/UTC), quoted text `'…'` and
 * any other literal characters. Not supported (configuration error): `z`/`ZZZ` zone names and ids (Joda cannot
 * parse `z` either), `G` era, `C` century, `x`/`w`/`e` week-based fields. Without an offset in the text, local time
 * in the agent's time zone is used (Joda uses the JVM's default zone). Numeric fields take as many digits as the
 * pattern letter count when another numeric field follows directly (Joda's adjacent-field rule), else 1–2 digits
 * (1–9 for years and fractions). Text fields use English, whatever the locale.
 */

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

type Field =
  | 'year'
  | 'year2'
  | 'month'
  | 'monthText'
  | 'day'
  | 'doy'
  | 'hour'
  | 'hour24'
  | 'hour12'
  | 'hour11'
  | 'ampm'
  | 'minute'
  | 'second'
  | 'fraction'
  | 'dayName'
  | 'offset';

export class JodaPatternError extends Error {}

export interface JodaParser {
  /** Epoch milliseconds, or undefined when the text does not match the pattern. */
  parse(text: string): number | undefined;
}

interface Tok {
  kind: 'lit' | 'field';
  text: string;
  letter?: string;
  count?: number;
}

function tokenize(pattern: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        toks.push({ kind: 'lit', text: "'" });
        i += 2;
        continue;
      }
      let j = i + 1;
      let text = '';
      while (j < pattern.length) {
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += pattern[j];
        j++;
      }
      toks.push({ kind: 'lit', text });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      toks.push({ kind: 'field', text: pattern.slice(i, j), letter: c, count: j - i });
      i = j;
      continue;
    }
    toks.push({ kind: 'lit', text: c });
    i++;
  }
  return toks;
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The pattern as a regex source (one group per field) and the field each group holds. */
function translateJoda(pattern: string): { src: string; fields: Field[] } {
  const toks = tokenize(pattern);
  const fields: Field[] = [];
  let src = '^';
  const numeric = (t: Tok | undefined): boolean =>
    t?.kind === 'field' && /[yYuMdDHkhKmsS]/.test(t.letter!) && !(t.letter === 'M' && t.count! >= 3);
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.kind === 'lit') {
      src += esc(t.text);
      continue;
    }
    const n = t.count!;
    const adjacent = numeric(toks[k + 1]);
    const digits = (max: number): string => (adjacent ? `(\\d{${n}})` : `(\\d{1,${Math.max(max, n)}})`);
    switch (t.letter) {
      case 'y':
      case 'Y':
      case 'u':
        if (n === 2) {
          src += adjacent ? '(\\d{2})' : '([-+]?\\d{1,9})';
          fields.push('year2');
        } else {
          src += adjacent ? `(\\d{${n}})` : '([-+]?\\d{1,9})';
          fields.push('year');
        }
        break;
      case 'M':
        if (n >= 3) {
          src += n === 3 ? `(${MONTHS.map((m) => m.slice(0, 3)).join('|')})` : `(${MONTHS.join('|')})`;
          fields.push('monthText');
        } else {
          src += digits(2);
          fields.push('month');
        }
        break;
      case 'd':
        src += digits(2);
        fields.push('day');
        break;
      case 'D':
        src += digits(3);
        fields.push('doy');
        break;
      case 'H':
        src += digits(2);
        fields.push('hour');
        break;
      case 'k':
        src += digits(2);
        fields.push('hour24');
        break;
      case 'h':
        src += digits(2);
        fields.push('hour12');
        break;
      case 'K':
        src += digits(2);
        fields.push('hour11');
        break;
      case 'm':
        src += digits(2);
        fields.push('minute');
        break;
      case 's':
        src += digits(2);
        fields.push('second');
        break;
      case 'S':
        src += digits(9);
        fields.push('fraction');
        break;
      case 'a':
        src += '(am|pm)';
        fields.push('ampm');
        break;
      case 'E':
        src += n >= 4 ? `(${DAYS.join('|')})` : `(${DAYS.map((d) => d.slice(0, 3)).join('|')})`;
        fields.push('dayName');
        break;
      case 'Z':
        if (n >= 3) throw new JodaPatternError(`time zone ids (ZZZ) are not supported in "${pattern}"`);
        src += n === 1 ? '(Z|[-+]\\d{4})' : '(Z|[-+]\\d{2}:\\d{2})';
        fields.push('offset');
        break;
      default:
        throw new JodaPatternError(`pattern letter "${t.letter}" is not supported in "${pattern}"`);
    }
  }
  return { src, fields };
}

interface JodaValues {
  year: number;
  month: number;
  day: number;
  doy: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  pm: boolean | undefined;
  h12: number;
  h11: number;
  offset: number | undefined;
}

/** The matched groups as field values; undefined when a value is out of range. */
function readJodaFields(m: RegExpExecArray, fields: readonly Field[], now: () => Date): JodaValues | undefined {
  let year = 1970,
    month = 1,
    day = 1,
    doy = -1,
    hour = 0,
    minute = 0,
    second = 0,
    ms = 0;
  let pm: boolean | undefined,
    h12 = -1,
    h11 = -1,
    offset: number | undefined;
  for (let f = 0; f < fields.length; f++) {
    const v = m[f + 1]!;
    switch (fields[f]) {
      case 'year':
        year = parseInt(v, 10);
        break;
      case 'year2': {
        const y = parseInt(v, 10);
        if (v.length !== 2 || /[-+]/.test(v)) {
          year = y;
          break;
        }
        // DateTimeFormat's "yy": pivot = current year - 30, range pivot-50 … pivot+49.
        const low = now().getFullYear() - 30 - 50;
        year = low - (low % 100) + y;
        if (year < low) year += 100;
        break;
      }
      case 'month':
        month = parseInt(v, 10);
        break;
      case 'monthText':
        month = MONTHS.findIndex((x) => x.startsWith(v.toLowerCase())) + 1;
        break;
      case 'day':
        day = parseInt(v, 10);
        break;
      case 'doy':
        doy = parseInt(v, 10);
        break;
      case 'hour':
        hour = parseInt(v, 10);
        if (hour > 23) return undefined;
        break;
      case 'hour24':
        hour = parseInt(v, 10);
        if (hour < 1 || hour > 24) return undefined;
        if (hour === 24) hour = 0;
        break;
      case 'hour12':
        h12 = parseInt(v, 10);
        if (h12 < 1 || h12 > 12) return undefined;
        break;
      case 'hour11':
        h11 = parseInt(v, 10);
        if (h11 > 11) return undefined;
        break;
      case 'ampm':
        pm = v.toLowerCase() === 'pm';
        break;
      case 'minute':
        minute = parseInt(v, 10);
        if (minute > 59) return undefined;
        break;
      case 'second':
        second = parseInt(v, 10);
        if (second > 59) return undefined;
        break;
      case 'fraction':
        ms = Math.floor(parseInt(v.padEnd(3, '0').slice(0, 3), 10));
        break;
      case 'dayName':
        break;
      case 'offset': {
        if (v.toUpperCase() === 'Z') {
          offset = 0;
          break;
        }
        const sign = v[0] === '-' ? -1 : 1;
        const d = v.slice(1).replace(':', '');
        const oh = parseInt(d.slice(0, 2), 10),
          om = parseInt(d.slice(2, 4), 10);
        if (oh > 23 || om > 59) return undefined;
        offset = sign * (oh * 60 + om) * 60_000;
        break;
      }
    }
  }
  return { year, month, day, doy, hour, minute, second, ms, pm, h12, h11, offset };
}

/** The instant the field values name (Joda's defaults for what the pattern leaves out); undefined when invalid. */
function jodaInstant(v: JodaValues, fields: readonly Field[]): number | undefined {
  let { year, hour } = v;
  const { month, day, doy, minute, second, ms, pm, h12, h11, offset } = v;
  // Joda: when the largest parsed field is a month or a day (no year), the year defaults to 2000.
  if (
    !fields.some((f) => f === 'year' || f === 'year2') &&
    fields.some((f) => f === 'month' || f === 'monthText' || f === 'day' || f === 'doy')
  )
    year = 2000;
  if (h12 >= 0) hour = (h12 % 12) + (pm ? 12 : 0);
  else if (h11 >= 0) hour = h11 + (pm ? 12 : 0);
  else if (pm !== undefined && hour < 12 && pm) hour += 12;
  if (month < 1 || month > 12 || day < 1) return undefined;
  const d = offset === undefined ? new Date(2000, 0, 1) : new Date(Date.UTC(2000, 0, 1));
  if (offset === undefined) {
    d.setFullYear(year, doy > 0 ? 0 : month - 1, doy > 0 ? doy : day);
    d.setHours(hour, minute, second, ms);
    if (doy < 0 && (d.getMonth() !== month - 1 || d.getDate() !== day)) return undefined;
    return d.getTime();
  }
  d.setUTCFullYear(year, doy > 0 ? 0 : month - 1, doy > 0 ? doy : day);
  d.setUTCHours(hour, minute, second, ms);
  if (doy < 0 && (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day)) return undefined;
  return d.getTime() - offset;
}

export function compileJoda(pattern: string, now: () => Date = () => new Date()): JodaParser {
  const { src, fields } = translateJoda(pattern);
  const re = new RegExp(src + '$', 'i');
  return {
    parse(text: string): number | undefined {
      const m = re.exec(text);
      if (!m) return undefined;
      const values = readJodaFields(m, fields, now);
      return values && jodaInstant(values, fields);
    },
  };
}
