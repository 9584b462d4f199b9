/**
 * The charsets the exec and spooldir sources read and write, with Java's decode-error actions. Bytes are kept as
 * bytes whenever the input is valid and the output charset equals the input charset, so the common UTF-8 → UTF-8
 * path copies nothing.
 */
import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { FlumeError } from '../../core/errors.js';

export type Charset = 'UTF-8' | 'ISO-8859-1' | 'US-ASCII';
/** Flume's DecodeErrorPolicy: FAIL reports, REPLACE puts U+FFFD, IGNORE drops the malformed bytes. */
export type DecodePolicy = 'FAIL' | 'REPLACE' | 'IGNORE';

const ALIASES: Record<string, Charset> = {
  utf8: 'UTF-8',
  iso88591: 'ISO-8859-1',
  latin1: 'ISO-8859-1',
  iso8859_1: 'ISO-8859-1',
  l1: 'ISO-8859-1',
  usascii: 'US-ASCII',
  ascii: 'US-ASCII',
};

export function charsetOf(name: string): Charset | undefined {
  return ALIASES[name.toLowerCase().replace(/[-\s]/g, '')] ?? ALIASES[name.toLowerCase()];
}

export function checkCharset(v: string): string | undefined {
  return charsetOf(v) ? undefined : `charset "${v}" is not supported (flume-ts reads UTF-8, ISO-8859-1 and US-ASCII)`;
}

const utf8Decoder = new TextDecoder('utf-8');

/** Java's String → bytes in `cs` (unmappable characters become '?', as String.getBytes does). */
export function encode(text: string, cs: Charset): Buffer {
  if (cs === 'UTF-8')
    return Buffer.from(text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '?'), 'utf8');
  const max = cs === 'US-ASCII' ? 0x7f : 0xff;
  const out = Buffer.allocUnsafe(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++; // one '?' per code point
    out[n++] = c <= max ? c : 0x3f;
  }
  return out.subarray(0, n);
}

/** A malformed byte sequence under decodeErrorPolicy FAIL. */
export class MalformedInputError extends FlumeError {
  constructor(readonly offset: number) {
    super('FLUME_MALFORMED_INPUT', `malformed input at byte ${offset}`);
  }
}

/** Decodes bytes `[s, e)` of `buf` with Java's action for malformed input; throws MalformedInputError under FAIL. */
export function decode(buf: Buffer, s: number, e: number, cs: Charset, policy: DecodePolicy): string {
  if (cs === 'ISO-8859-1') return buf.toString('latin1', s, e);
  if (cs === 'US-ASCII') {
    let out = '';
    for (let i = s; i < e; i++) {
      const b = buf[i]!;
      if (b < 0x80) out += String.fromCharCode(b);
      else if (policy === 'FAIL') throw new MalformedInputError(i);
      else if (policy === 'REPLACE') out += '\ufffd';
    }
    return out;
  }
  const slice = buf.subarray(s, e);
  if (isUtf8(slice)) return slice.toString('utf8');
  if (policy === 'REPLACE') return utf8Decoder.decode(slice);
  return decodeUtf8Strict(buf, s, e, policy);
}

/** UTF-8 with malformed sequences dropped (IGNORE) or reported (FAIL), one maximal subpart at a time. */
function decodeUtf8Strict(buf: Buffer, s: number, e: number, policy: DecodePolicy): string {
  let out = '';
  let i = s;
  let runStart = s;
  while (i < e) {
    const len = validSequenceLength(buf, i, e);
    if (len > 0) {
      i += len;
      continue;
    }
    if (policy === 'FAIL') throw new MalformedInputError(i);
    out += buf.toString('utf8', runStart, i);
    i += Math.max(1, maximalSubpart(buf, i, e));
    runStart = i;
  }
  return out + buf.toString('utf8', runStart, e);
}

/** What a UTF-8 lead byte allows: the sequence length and the range of its second byte; undefined for a bad lead. */
function leadRule(b: number): { n: number; lo: number; hi: number } | undefined {
  if (b >= 0xc2 && b <= 0xdf) return { n: 2, lo: 0x80, hi: 0xbf };
  if (b >= 0xe0 && b <= 0xef) return { n: 3, lo: b === 0xe0 ? 0xa0 : 0x80, hi: b === 0xed ? 0x9f : 0xbf };
  if (b >= 0xf0 && b <= 0xf4) return { n: 4, lo: b === 0xf0 ? 0x90 : 0x80, hi: b === 0xf4 ? 0x8f : 0xbf };
  return undefined;
}

/** Length of the well-formed UTF-8 sequence at `i`, or 0. */
export function validSequenceLength(buf: Buffer, i: number, e: number): number {
  const b = buf[i]!;
  if (b < 0x80) return 1;
  const rule = leadRule(b);
  if (!rule || i + rule.n > e) return 0;
  const b1 = buf[i + 1]!;
  if (b1 < rule.lo || b1 > rule.hi) return 0;
  for (let k = 2; k < rule.n; k++) if ((buf[i + k]! & 0xc0) !== 0x80) return 0;
  return rule.n;
}

/** Bytes of the malformed prefix at `i` that one replacement stands for (Unicode's maximal subpart). */
function maximalSubpart(buf: Buffer, i: number, e: number): number {
  const rule = leadRule(buf[i]!);
  if (!rule) return 1;
  const { n, lo, hi } = rule;
  let k = 1;
  while (k < n && i + k < e) {
    const c = buf[i + k]!;
    if (k === 1 ? c < lo || c > hi : (c & 0xc0) !== 0x80) break;
    k++;
  }
  return k;
}

/** How the exec source turns a line into a body (Java: decode with REPLACE, then getBytes(charset)). */
export interface LineCodec {
  body(buf: Buffer, s: number, e: number): Buffer;
  decode(buf: Buffer, s: number, e: number): string;
}

export function lineCodec(charset: string, policy: DecodePolicy): LineCodec {
  const cs = charsetOf(charset) ?? 'UTF-8';
  return {
    body(buf, s, e) {
      if (cs === 'ISO-8859-1') return buf.subarray(s, e);
      if (cs === 'UTF-8' && isUtf8(buf.subarray(s, e))) return buf.subarray(s, e);
      return encode(decode(buf, s, e, cs, policy), cs);
    },
    decode: (buf, s, e) => decode(buf, s, e, cs, policy),
  };
}
