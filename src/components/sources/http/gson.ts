/**
 * Reads Flume's JSON event list the way Gson does in JSONHandler (`gson.fromJson(reader, List<JSONEvent>)`):
 * the fast path is JSON.parse; what JSON.parse refuses, or where a number would lose its spelling, is read again by a
 * small parser with Gson's lenient rules (single-quoted and unquoted strings, `#`, `//` and C comments, `=`/`=>` after
 * names, `;` between members, numbers kept as written: `1.50` stays "1.50", duplicate map keys refused).
 *
 * Outcomes as in Flume: syntax errors and wrong shapes are a bad request (400); an empty document or a `null` element
 * is Flume's NullPointerException (500). Null header values are dropped (a Flume event would carry a null value that
 * its sinks cannot write).
 */
import { FlumeError } from '../../../core/errors.js';

/** Flume's HTTPBadRequestException: answered 400. */
export class HttpBadRequestError extends FlumeError {
  constructor(message: string) {
    super('FLUME_HTTP_BAD_REQUEST', message);
  }
}

/** A handler failure that is not the client's syntax (Flume: any other exception): answered 500. */
export class HttpHandlerError extends FlumeError {
  constructor(message: string) {
    super('FLUME_HTTP_HANDLER', message);
  }
}

export interface JsonEvent {
  headers: Record<string, string>;
  body: string;
}

const INVALID = 'Request has invalid JSON Syntax.';
const NULL_LIST = 'Cannot invoke "java.util.List.iterator()" because "eventList" is null';
const NULL_EVENT = 'Cannot invoke "org.apache.flume.event.JSONEvent.setCharset(String)" because "e" is null';

/** Parses the request text into events, or throws HttpBadRequestError (400) / HttpHandlerError (500). */
export function parseJsonEvents(text: string): JsonEvent[] {
  let doc: unknown;
  let fast = true;
  try {
    doc = JSON.parse(text);
  } catch {
    fast = false;
  }
  if (fast && doc !== null && !hasNumbers(doc)) return shape(doc);
  if (/^[\s]*$/.test(text)) throw new HttpHandlerError(NULL_LIST);
  try {
    doc = new LenientReader(text).document();
  } catch (err) {
    if (err instanceof SyntaxError) throw new HttpBadRequestError(INVALID);
    throw err;
  }
  return shape(doc);
}

/** Numbers in bodies or header values: Gson keeps their spelling, JSON.parse does not. */
function hasNumbers(doc: unknown): boolean {
  if (!Array.isArray(doc)) return false;
  for (const e of doc) {
    if (e === null || typeof e !== 'object') continue;
    const o = e as Record<string, unknown>;
    if (typeof o.body === 'number') return true;
    const h = o.headers;
    if (h && typeof h === 'object') for (const k in h) if (typeof (h as Record<string, unknown>)[k] === 'number') return true;
  }
  return false;
}

/** Sets an own property, also for the key `__proto__` (plain assignment would change the prototype instead). */
export function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function scalar(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new HttpBadRequestError(INVALID);
}

function shape(doc: unknown): JsonEvent[] {
  if (doc === null) throw new HttpHandlerError(NULL_LIST);
  if (!Array.isArray(doc)) throw new HttpBadRequestError(INVALID);
  const out: JsonEvent[] = new Array(doc.length);
  for (let i = 0; i < doc.length; i++) {
    const e = doc[i] as unknown;
    if (e === null) throw new HttpHandlerError(NULL_EVENT);
    if (typeof e !== 'object' || Array.isArray(e)) throw new HttpBadRequestError(INVALID);
    const o = e as Record<string, unknown>;
    out[i] = { headers: headersOf(o.headers), body: scalar(o.body) ?? '' };
  }
  return out;
}

function headersOf(h: unknown): Record<string, string> {
  if (h === null || h === undefined) return {};
  if (typeof h !== 'object' || Array.isArray(h)) throw new HttpBadRequestError(INVALID);
  const src = h as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const k in src) {
    const v = scalar(src[k]);
    if (v !== null) setOwn(out, k, v);
  }
  return out;
}

/** Numbers keep their spelling. */
class Num {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const DELIMS = new Set([...'/\\;#={}[]:,'].concat([' ', '\t', '\f', '\r', '\n']));
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Gson's lenient JsonReader, reduced to what a List<JSONEvent> needs. Throws SyntaxError on malformed input. */
class LenientReader {
  private i = 0;
  constructor(private readonly s: string) {}

  document(): unknown {
    const v = this.value();
    this.skip();
    // Gson checks full consumption; trailing content is refused
    if (this.i < this.s.length) throw new SyntaxError('trailing data');
    return v;
  }

  private skip(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.i++;
      else if (c === '#' || (c === '/' && s[this.i + 1] === '/')) {
        const nl = s.indexOf('\n', this.i);
        this.i = nl < 0 ? s.length : nl + 1;
      } else if (c === '/' && s[this.i + 1] === '*') {
        const end = s.indexOf('*/', this.i + 2);
        if (end < 0) throw new SyntaxError('unterminated comment');
        this.i = end + 2;
      } else return;
    }
  }

  private value(): unknown {
    this.skip();
    const c = this.s[this.i];
    if (c === undefined) throw new SyntaxError('end of input');
    if (c === '[') return this.array();
    if (c === '{') return this.object();
    if (c === '"' || c === "'") return this.quoted(c);
    const lit = this.literal();
    if (lit === 'null') return null;
    if (lit === 'true' || lit === 'false') return lit === 'true';
    return NUMBER.test(lit) ? new Num(lit) : lit;
  }

  private array(): unknown[] {
    this.i++;
    const out: unknown[] = [];
    this.skip();
    if (this.s[this.i] === ']') return (this.i++, out);
    for (;;) {
      const v = this.value();
      out.push(v instanceof Num ? v.text : v);
      this.skip();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',' && c !== ';') throw new SyntaxError('expected , or ]');
    }
  }

  private object(): Record<string, unknown> {
    this.i++;
    const out: Record<string, unknown> = {};
    this.skip();
    if (this.s[this.i] === '}') return (this.i++, out);
    for (;;) {
      this.skip();
      const c = this.s[this.i];
      const key = c === '"' || c === "'" ? this.quoted(c) : this.literal();
      this.skip();
      const sep = this.s[this.i++];
      if (sep === '=') {
        if (this.s[this.i] === '>') this.i++;
      } else if (sep !== ':') throw new SyntaxError('expected :');
      if (Object.hasOwn(out, key)) throw new SyntaxError(`duplicate key: ${key}`);
      const v = this.value();
      setOwn(out, key, v instanceof Num ? v.text : v);
      this.skip();
      const e = this.s[this.i++];
      if (e === '}') return out;
      if (e !== ',' && e !== ';') throw new SyntaxError('expected , or }');
    }
  }

  private literal(): string {
    const start = this.i;
    while (this.i < this.s.length && !DELIMS.has(this.s[this.i]!)) this.i++;
    if (this.i === start) throw new SyntaxError('expected a value');
    return this.s.slice(start, this.i);
  }

  private quoted(q: string): string {
    const s = this.s;
    let out = '';
    let from = ++this.i;
    for (;;) {
      const c = s[this.i];
      if (c === undefined) throw new SyntaxError('unterminated string');
      if (c === q) {
        out += s.slice(from, this.i++);
        return out;
      }
      if (c !== '\\') {
        this.i++;
        continue;
      }
      out += s.slice(from, this.i);
      out += this.escape();
      from = this.i;
    }
  }

  private escape(): string {
    const s = this.s;
    const c = s[this.i + 1];
    this.i += 2;
    switch (c) {
      case 'u': {
        const hex = s.slice(this.i, this.i + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new SyntaxError('bad \\u escape');
        this.i += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
      case 't':
        return '\t';
      case 'b':
        return '\b';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 'f':
        return '\f';
      case undefined:
        throw new SyntaxError('unterminated escape');
      case '\n':
      case "'":
      case '"':
      case '\\':
      case '/':
        return c;
      default:
        throw new SyntaxError('invalid escape');
    }
  }
}
