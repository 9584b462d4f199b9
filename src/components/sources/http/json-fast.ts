/**
 * The JSON handler's fast path for the request most clients send: a UTF-8 array of `{"headers": {...}, "body": "..."}`
 * objects whose strings have no escapes. It reads the request's bytes directly: each body is the request's own bytes
 * (no string made and encoded back, no copy), each header a short string. For anything else it gives up (returns
 * undefined) and the request goes through JSON.parse and the Gson-compatible reader (gson.ts), so what it returns is
 * exactly what that path returns: it declines escapes, invalid UTF-8, numbers, literals, comments, keys other than
 * `headers` and `body`, duplicate keys and trailing data rather than deciding them itself.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { SliceEvent, type Event } from '../../../core/event.js';
import { setOwn } from './gson.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const HEADERS = Buffer.from('headers');
const BODY = Buffer.from('body');

/** Skips JSON whitespace (space, tab, LF, CR) from i. */
function ws(b: Buffer, i: number): number {
  for (;;) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}

/** The index of the quote that closes a short string (a key, a header) whose first byte is at i, or -1. */
function stringEnd(b: Buffer, i: number): number {
  for (const n = b.length; i < n; i++) if (b[i] === QUOTE) return i;
  return -1;
}

function is(b: Buffer, start: number, end: number, word: Buffer): boolean {
  if (end - start !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (b[start + k] !== word[k]) return false;
  return true;
}

/**
 * The strings of a request's header keys and values. Clients send the same headers on every event of a batch, so
 * a string is made once and then found again by its bytes: `at[k]` is where the k-th string read (counted from the
 * start of each header map) was, `str[k]` the string.
 */
class Strings {
  private readonly at: number[] = [];
  private readonly len: number[] = [];
  private readonly str: string[] = [];
  constructor(
    private readonly b: Buffer,
    private readonly encoding: 'latin1' | 'utf8',
  ) {}

  get(k: number, start: number, end: number): string {
    const b = this.b;
    const n = end - start;
    if (k < this.str.length && this.len[k] === n) {
      const o = this.at[k]!;
      let same = true;
      for (let j = 0; j < n; j++) {
        if (b[o + j] !== b[start + j]) {
          same = false;
          break;
        }
      }
      if (same) return this.str[k]!;
    }
    const s = b.toString(this.encoding, start, end);
    this.at[k] = start;
    this.len[k] = n;
    this.str[k] = s;
    return s;
  }
}

/** Reads a header object from its `{` at i; returns the index after its `}`, or -1 to decline. */
function headersAt(b: Buffer, i: number, out: Record<string, string>, strings: Strings): number {
  i = ws(b, i + 1);
  if (b[i] === RBRACE) return i + 1;
  for (let k = 0; ; k += 2) {
    if (b[i] !== QUOTE) return -1;
    const ke = stringEnd(b, i + 1);
    if (ke < 0) return -1;
    const key = strings.get(k, i + 1, ke);
    if (Object.hasOwn(out, key)) return -1;
    i = ws(b, ke + 1);
    if (b[i] !== COLON) return -1;
    i = ws(b, i + 1);
    if (b[i] !== QUOTE) return -1;
    const ve = stringEnd(b, i + 1);
    if (ve < 0) return -1;
    setOwn(out, key, strings.get(k + 1, i + 1, ve));
    i = ws(b, ve + 1);
    const c = b[i];
    if (c === RBRACE) return i + 1;
    if (c !== COMMA) return -1;
    i = ws(b, i + 1);
  }
}

/** The events of a UTF-8 request body in the common shape, or undefined for the general reader to decide. */
export function readJsonEventsFast(b: Buffer): Event[] | undefined {
  // No backslash anywhere: no string has an escape. Valid UTF-8 as a whole: so is every string, as each is cut at
  // ASCII quotes. A control character in a string would make JSON.parse refuse the request, and Gson's reader then
  // takes it as it is, as this one does.
  if (b.indexOf(BACKSLASH) >= 0) return undefined;
  const ascii = isAscii(b);
  if (!ascii && !isUtf8(b)) return undefined;
  const strings = new Strings(b, ascii ? 'latin1' : 'utf8');
  let i = ws(b, 0);
  if (b[i] !== LBRACKET) return undefined;
  const out: Event[] = [];
  i = ws(b, i + 1);
  if (b[i] !== RBRACKET) {
    for (;;) {
      if (b[i] !== LBRACE) return undefined;
      let headers: Record<string, string> | undefined;
      let bodyStart = -1;
      let bodyEnd = -1;
      i = ws(b, i + 1);
      if (b[i] !== RBRACE) {
        for (;;) {
          if (b[i] !== QUOTE) return undefined;
          const ke = stringEnd(b, i + 1);
          if (ke < 0) return undefined;
          const ks = i + 1;
          i = ws(b, ke + 1);
          if (b[i] !== COLON) return undefined;
          i = ws(b, i + 1);
          if (is(b, ks, ke, BODY)) {
            if (bodyStart >= 0 || b[i] !== QUOTE) return undefined;
            bodyStart = i + 1;
            bodyEnd = b.indexOf(QUOTE, bodyStart);
            if (bodyEnd < 0) return undefined;
            i = bodyEnd + 1;
          } else if (is(b, ks, ke, HEADERS)) {
            if (headers || b[i] !== LBRACE) return undefined;
            headers = {};
            i = headersAt(b, i, headers, strings);
            if (i < 0) return undefined;
          } else return undefined;
          i = ws(b, i);
          const c = b[i];
          if (c === RBRACE) break;
          if (c !== COMMA) return undefined;
          i = ws(b, i + 1);
        }
      }
      const e = bodyStart >= 0 ? new SliceEvent(b, bodyStart, bodyEnd) : new SliceEvent(b, 0, 0);
      if (headers) e.headers = headers;
      out.push(e);
      i = ws(b, i + 1);
      const c = b[i];
      if (c === RBRACKET) break;
      if (c !== COMMA) return undefined;
      i = ws(b, i + 1);
    }
  }
  return ws(b, i + 1) === b.length ? out : undefined;
}
