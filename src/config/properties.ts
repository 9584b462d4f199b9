/**
 * A `.properties` lexer with the exact semantics of `java.util.Properties.load(Reader)` (JDK 17), plus source
 * positions.
 *
 * The structure mirrors the JDK: `readLine` is `Properties.LineReader.readLine` (it assembles one *logical* line out
 * of physical lines, dropping comments, blank lines, leading whitespace and backslash-newline continuations), the key /
 * separator / value split is `Properties.load0`, and `unescape` is `Properties.loadConvert`. On top of that, every
 * logical line remembers the physical pieces ("segments") it was built from, so that any offset in it maps back to a
 * 1-based line and column (columns count UTF-16 code units of the physical line).
 *
 * Deliberate differences from Java, both about errors only:
 * - A malformed `\uXXXX` escape makes Java throw `IllegalArgumentException("Malformed \uxxxx encoding.")` and abandon
 *   the whole load. Here it yields one `error` diagnostic (code `syntax`, located at the offending backslash) and only
 *   that key/value is skipped, so that every other problem in the file can still be reported. The caller must treat
 *   the error as fatal for the file, as Java/Flume would.
 * - Duplicate keys are all kept in `entries`, in file order (Java keeps the last); `lastWins` gives Java's map.
 *
 * Callers must pass the text with a leading byte order mark preserved (`readFileSync(path, 'utf8')` keeps it,
 * `TextDecoder` strips it by default): Java's UTF-8 reader keeps U+FEFF, so it becomes part of the first key (or turns
 * a first-line comment into a key).
 */
import type { Diagnostic, Location, PropertyEntry } from './diagnostics.js';

const TAB = 0x09;
const LF = 0x0a;
const FF = 0x0c;
const CR = 0x0d;
const SPACE = 0x20;
const BANG = 0x21;
const HASH = 0x23;
const COLON = 0x3a;
const EQUALS = 0x3d;
const BACKSLASH = 0x5c;

/** One physical piece of a logical line: text[from, to) sits at offset `at` of the logical line. */
interface Segment {
  from: number;
  to: number;
  at: number;
  line: number;
  col: number;
}

const isWhite = (c: number): boolean => c === SPACE || c === TAB || c === FF;

export function parseProperties(text: string, file: string): { entries: PropertyEntry[]; diagnostics: Diagnostic[] } {
  const entries: PropertyEntry[] = [];
  const diagnostics: Diagnostic[] = [];
  const n = text.length;
  let p = 0; // next char of `text` to read
  let line = 1; // physical line of text[p]
  let lineStart = 0; // index in `text` where that physical line starts
  const segs: Segment[] = [];

  /** Called once for every CR or LF consumed; a CR LF pair counts as one line break. */
  const lineBreak = (i: number): void => {
    if (text.charCodeAt(i) === LF || text.charCodeAt(i + 1) !== LF) {
      line++;
      lineStart = i + 1;
    }
  };

  /** Properties.LineReader.readLine: the next logical line (pieces in `segs`), or undefined at the end. */
  const readLine = (): string | undefined => {
    segs.length = 0;
    let len = 0;
    let skipWhiteSpace = true;
    let appendedLineBegin = false;
    let precedingBackslash = false;
    let cur: Segment | undefined; // the segment being appended to
    const finish = (): string => {
      if (precedingBackslash) {
        // A backslash at end of input is dropped (cur is set: the last char appended was that backslash).
        cur!.to--;
        len--;
      }
      return segs.length === 1 ? text.slice(segs[0]!.from, segs[0]!.to) : segs.map((s) => text.slice(s.from, s.to)).join('');
    };
    for (;;) {
      if (p >= n) return len === 0 ? undefined : finish();
      const c = text.charCodeAt(p++);
      if (skipWhiteSpace) {
        if (isWhite(c)) continue;
        if (!appendedLineBegin && (c === CR || c === LF)) {
          lineBreak(p - 1);
          continue;
        }
        skipWhiteSpace = false;
        appendedLineBegin = false;
      }
      if (len === 0 && (c === HASH || c === BANG)) {
        // Comment: skip to the first CR or LF (a trailing backslash does not continue it).
        while (p < n) {
          const d = text.charCodeAt(p++);
          if (d === CR || d === LF) {
            lineBreak(p - 1);
            break;
          }
        }
        skipWhiteSpace = true;
        continue;
      }
      if (c !== LF && c !== CR) {
        if (cur === undefined) {
          // Java can come back to len 0 after a line holding just a backslash; forget that empty piece.
          if (len === 0) segs.length = 0;
          cur = { from: p - 1, to: p - 1, at: len, line, col: p - lineStart };
          segs.push(cur);
        }
        cur.to = p;
        len++;
        precedingBackslash = c === BACKSLASH ? !precedingBackslash : false;
        continue;
      }
      // End of a physical line.
      lineBreak(p - 1);
      if (len === 0) {
        skipWhiteSpace = true;
        continue;
      }
      if (p >= n) return finish();
      if (!precedingBackslash) return finish();
      // Continuation: drop the backslash, skip the next line's leading whitespace (but not a blank line).
      cur!.to--;
      len--;
      cur = undefined;
      skipWhiteSpace = true;
      appendedLineBegin = true;
      precedingBackslash = false;
      if (c === CR && text.charCodeAt(p) === LF) lineBreak(p++);
    }
  };

  /** Location of offset `i` of the current logical line (`after`: one column further). */
  const locate = (i: number, after = false): Location => {
    let k = segs.length - 1;
    while (k > 0 && segs[k]!.at > i) k--;
    const s = segs[k]!;
    return { file, line: s.line, col: s.col + (i - s.at) + (after ? 1 : 0) };
  };

  for (let s = readLine(); s !== undefined; s = readLine()) {
    const limit = s.length;
    const { keyLen, valueStart, sep } = splitKeyValue(s);

    const keyAt = locate(0);
    const key = unescape(s, 0, keyLen);
    const value = unescape(s, valueStart, limit);
    if (typeof key === 'number' || typeof value === 'number') {
      diagnostics.push(malformedEscape(s, key, value, locate));
      continue;
    }
    let valueAt = keyAt;
    if (valueStart < limit) valueAt = locate(valueStart);
    else if (sep >= 0)
      valueAt = locate(sep, true); // empty value: just after the separator
    else if (keyLen > 0) valueAt = locate(keyLen - 1, true); // a key alone: just after the key
    entries.push({ key, value, keyAt, valueAt });
  }
  return { entries, diagnostics };
}

/** Properties.load0: splits a logical line into key, separator and value (offsets into `s`). */
function splitKeyValue(s: string): { keyLen: number; valueStart: number; sep: number } {
  const limit = s.length;
  let keyLen = 0;
  let valueStart = limit;
  let sep = -1; // offset of the '=' or ':' separator, if any
  let precedingBackslash = false;
  while (keyLen < limit) {
    const c = s.charCodeAt(keyLen);
    if (!precedingBackslash && (c === EQUALS || c === COLON)) {
      valueStart = keyLen + 1;
      sep = keyLen;
      break;
    }
    if (!precedingBackslash && isWhite(c)) {
      valueStart = keyLen + 1;
      break;
    }
    precedingBackslash = c === BACKSLASH ? !precedingBackslash : false;
    keyLen++;
  }
  while (valueStart < limit) {
    const c = s.charCodeAt(valueStart);
    if (!isWhite(c)) {
      if (sep < 0 && (c === EQUALS || c === COLON)) sep = valueStart;
      else break;
    }
    valueStart++;
  }
  return { keyLen, valueStart, sep };
}

/** The diagnostic for a malformed \u escape in the key or value (their offsets in the logical line `s`). */
function malformedEscape(s: string, key: string | number, value: string | number, locate: (i: number) => Location): Diagnostic {
  const bad = typeof key === 'number' ? key : (value as number);
  const at = locate(bad);
  const d: Diagnostic = {
    severity: 'error',
    code: 'syntax',
    message: `malformed Unicode escape "${s.slice(bad, Math.min(bad + 6, s.length))}": \\u must be followed by exactly 4 hex digits`,
    at,
    hint: 'write \\uXXXX with 4 hex digits, or \\\\u for a literal backslash followed by u',
    flume: 'Properties.load throws IllegalArgumentException ("Malformed \\uxxxx encoding."), so the whole file fails to load',
  };
  if (typeof key === 'string') d.key = key;
  return d;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30; // 0-9
  if (c >= 0x61 && c <= 0x66) return c - 0x57; // a-f
  if (c >= 0x41 && c <= 0x46) return c - 0x37; // A-F
  return -1;
}

/**
 * Properties.loadConvert on s[from, to): `\uXXXX`, `\t \n \r \f`, and any other `\x` → `x`. Returns the offset of the
 * backslash of a malformed `\u` escape instead of a string.
 */
function unescape(s: string, from: number, to: number): string | number {
  let i = s.indexOf('\\', from);
  if (i < 0 || i >= to) return s.slice(from, to);
  let out = '';
  let done = from; // s[from, done) is already in `out`
  while (i >= 0 && i < to) {
    out += s.slice(done, i);
    // readLine never leaves an unpaired backslash at the end of the key or the value, so s[i + 1] exists.
    const c = s.charCodeAt(i + 1);
    if (c === 0x75 /* u */) {
      if (i + 6 > to) return i;
      let v = 0;
      for (let k = i + 2; k < i + 6; k++) {
        const h = hexDigit(s.charCodeAt(k));
        if (h < 0) return i;
        v = (v << 4) | h;
      }
      out += String.fromCharCode(v);
      done = i + 6;
    } else {
      out += c === 0x74 ? '\t' : c === 0x6e ? '\n' : c === 0x72 ? '\r' : c === 0x66 ? '\f' : s.charAt(i + 1);
      done = i + 2;
    }
    i = s.indexOf('\\', done);
  }
  return out + s.slice(done, to);
}

/** Java's view of the entries: the last value of each key wins (insertion order of first occurrence is kept). */
export function lastWins(entries: readonly PropertyEntry[]): Map<string, PropertyEntry> {
  const map = new Map<string, PropertyEntry>();
  for (const e of entries) map.set(e.key, e);
  return map;
}
