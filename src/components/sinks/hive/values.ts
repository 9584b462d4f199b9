// Text and JSON values → the ORC writer's values for a Hive column type, the way Hive's serdes read them:
// LazySimpleSerDe (DELIMITED: each field is text, "\N" is NULL, an unparsable number is NULL) and the JSON serde
// (JSON: numbers, strings, booleans, null, nested objects for struct columns).
import type { OrcTimestamp, OrcValue } from './orc/columns.js';
import type { OrcType } from './orc/types.js';

/** LazySimpleSerDe's serialization.null.format default. */
export const NULL_TEXT = '\\N';

const INT_RANGE: Record<string, [bigint, bigint]> = {
  tinyint: [-128n, 127n],
  smallint: [-32768n, 32767n],
  int: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};

/** LazyInteger/LazyLong: an optional sign, digits, optionally a fraction that is dropped; out of range → NULL. */
function parseIntText(s: string, kind: string): bigint | null {
  const m = /^([+-]?\d+)(\.\d*)?$/.exec(s);
  if (!m) return null;
  const v = BigInt(m[1]!);
  const [lo, hi] = INT_RANGE[kind]!;
  return v < lo || v > hi ? null : v;
}

/** Java's Double.parseDouble (leading/trailing blanks, NaN, Infinity, a trailing f/d). */
function parseDoubleText(s: string): number | null {
  const t = s.trim();
  if (/^[+-]?NaN$/.test(t)) return Number.NaN;
  if (/^[+-]?Infinity$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?$/.test(t)) return null;
  return Number(t.replace(/[fFdD]$/, ''));
}

/** HiveDecimal: the unscaled value at the column's scale (HALF_UP); more integer digits than precision - scale → NULL. */
export function parseDecimal(s: string, precision: number, scale: number): bigint | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  let digits = (m[2] ?? '') + (m[3] ?? '');
  let pointAt = (m[2] ?? '').length + Number(m[4] ?? 0);
  if (pointAt < 0) {
    digits = '0'.repeat(-pointAt) + digits;
    pointAt = 0;
  }
  if (pointAt > digits.length) digits += '0'.repeat(pointAt - digits.length);
  const intPart = digits.slice(0, pointAt).replace(/^0+/, '');
  let frac = digits.slice(pointAt);
  let unscaled = BigInt((intPart || '0') + frac.slice(0, scale).padEnd(scale, '0'));
  frac = frac.slice(scale);
  if (frac.length > 0 && frac.charCodeAt(0) >= 0x35) unscaled += 1n;
  if (unscaled.toString().length > precision) return null;
  return m[1] === '-' ? -unscaled : unscaled;
}

const DAY_MS = 86_400_000;

/** yyyy-mm-dd (an optional time part is ignored, as Hive's Date.valueOf of a timestamp string) → days since 1970. */
export function parseDate(s: string): number | null {
  const m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$/.exec(s);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(ms);
  if (d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) return null;
  return Math.floor(ms / DAY_MS);
}

/** yyyy-mm-dd[ hh:mm[:ss[.fffffffff]]] (Hive's Timestamp.valueOf) → the wall-clock seconds and nanos. */
export function parseTimestamp(s: string): OrcTimestamp | null {
  const m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*$/.exec(s);
  if (!m) return null;
  const days = parseDate(`${m[1]}-${m[2]}-${m[3]}`);
  const [h, mi, se] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (days === null || h > 23 || mi > 59 || se > 59) return null;
  const seconds = BigInt(days) * 86400n + BigInt(h * 3600 + mi * 60 + se);
  return { seconds, nanos: Number((m[7] ?? '').padEnd(9, '0')) };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** One LazySimpleSerDe field (already split) as a value of `type`; `level` is the separator depth of nested structs. */
export function fromText(s: string, type: OrcType, level = 1): OrcValue {
  if (s === NULL_TEXT) return null;
  switch (type.kind) {
    case 'string':
    case 'varchar':
    case 'char':
      return s;
    case 'binary':
      // LazyBinary: base64 text is decoded, anything else is taken as its bytes
      return s.length > 0 && BASE64.test(s) ? Buffer.from(s, 'base64') : Buffer.from(s, 'utf8');
    case 'boolean': {
      const l = s.toLowerCase();
      return l === 'true' ? true : l === 'false' ? false : null;
    }
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
      return parseIntText(s, type.kind);
    case 'float':
    case 'double': {
      const d = parseDoubleText(s);
      return d === null ? null : type.kind === 'float' ? Math.fround(d) : d;
    }
    case 'decimal':
      return parseDecimal(s, type.precision ?? 10, type.scale ?? 0);
    case 'date':
      return parseDate(s);
    case 'timestamp':
      return parseTimestamp(s);
    case 'struct': {
      // LazySimpleSerDe's default separators: \001 between columns, \002 inside a struct, \003 one level deeper …
      const parts = s.split(String.fromCharCode(level + 1));
      return (type.fields ?? []).map((f, i) => (parts[i] === undefined ? null : fromText(parts[i]!, f.type, level + 1)));
    }
  }
}

/** A JSON value as a value of `type` (the JSON serde): null → NULL, scalars converted, objects for structs. */
export function fromJson(v: unknown, type: OrcType): OrcValue {
  if (v === null || v === undefined) return null;
  if (type.kind === 'struct') {
    if (typeof v !== 'object' || Array.isArray(v)) return null;
    const byName = new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k.toLowerCase(), x]));
    return (type.fields ?? []).map((f) => fromJson(byName.get(f.name.toLowerCase()), f.type));
  }
  if (typeof v === 'object') return type.kind === 'string' || type.kind === 'varchar' ? JSON.stringify(v) : null;
  if (typeof v === 'number' && (type.kind === 'tinyint' || type.kind === 'smallint' || type.kind === 'int' || type.kind === 'bigint')) {
    return Number.isFinite(v) ? parseIntText(String(Math.trunc(v)), type.kind) : null;
  }
  if (typeof v === 'number' && (type.kind === 'float' || type.kind === 'double')) return type.kind === 'float' ? Math.fround(v) : v;
  return fromText(String(v), type);
}
