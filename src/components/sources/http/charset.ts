/**
 * The three charsets Flume's JSONHandler accepts (UTF-8, UTF-16, UTF-32), decoded and encoded as Java does:
 * decoding UTF-16/UTF-32 honours a byte-order mark and defaults to big-endian; encoding a body with "UTF-16" writes a
 * big-endian byte-order mark first (Java's String.getBytes("UTF-16")), "UTF-32" writes big-endian without one.
 */
export type JsonCharset = 'UTF-8' | 'UTF-16' | 'UTF-32';

/** The charset named in a Content-Type header (`charset=` parameter, quotes removed), or undefined. */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(contentType);
  return m?.[2] ? m[2] : undefined;
}

/**
 * Flume accepts utf-8, utf-16 and utf-32 (any case); Jetty normalises `utf8`/`utf16` spellings first.
 * Returns undefined for anything else.
 */
export function jsonCharset(name: string | undefined): JsonCharset | undefined {
  if (name === undefined) return 'UTF-8';
  const n = name.toLowerCase();
  if (n === 'utf-8' || n === 'utf8') return 'UTF-8';
  if (n === 'utf-16' || n === 'utf16') return 'UTF-16';
  if (n === 'utf-32' || n === 'utf32') return 'UTF-32';
  return undefined;
}

export function decode(buf: Buffer, cs: JsonCharset): string {
  if (cs === 'UTF-8') return buf.toString('utf8');
  if (cs === 'UTF-16') return decodeUtf16(buf);
  return decodeUtf32(buf);
}

function decodeUtf16(buf: Buffer): string {
  let le = false;
  let start = 0;
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) (le = true), (start = 2);
  else if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) start = 2;
  const n = (buf.length - start) >> 1;
  const units = Buffer.allocUnsafe(n * 2);
  for (let i = 0; i < n; i++) {
    const o = start + i * 2;
    units[i * 2] = le ? buf[o]! : buf[o + 1]!;
    units[i * 2 + 1] = le ? buf[o + 1]! : buf[o]!;
  }
  const s = units.toString('utf16le');
  return (buf.length - start) % 2 === 1 ? s + '\ufffd' : s;
}

function decodeUtf32(buf: Buffer): string {
  let le = false;
  let start = 0;
  if (buf.length >= 4 && buf.readUInt32BE(0) === 0x0000feff) start = 4;
  else if (buf.length >= 4 && buf.readUInt32LE(0) === 0x0000feff) (le = true), (start = 4);
  const parts: string[] = [];
  for (let o = start; o + 4 <= buf.length; o += 4) {
    const cp = le ? buf.readUInt32LE(o) : buf.readUInt32BE(o);
    parts.push(cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : '\ufffd');
  }
  if ((buf.length - start) % 4 !== 0) parts.push('\ufffd');
  return parts.join('');
}

export function encode(s: string, cs: JsonCharset): Buffer {
  if (cs === 'UTF-8') return Buffer.from(s, 'utf8');
  if (cs === 'UTF-16') {
    const le = Buffer.from(s, 'utf16le');
    const out = Buffer.allocUnsafe(le.length + 2);
    out[0] = 0xfe;
    out[1] = 0xff;
    for (let i = 0; i + 1 < le.length; i += 2) {
      out[i + 2] = le[i + 1]!;
      out[i + 3] = le[i]!;
    }
    return out;
  }
  const cps = Array.from(s, (c) => c.codePointAt(0)!);
  const out = Buffer.allocUnsafe(cps.length * 4);
  for (let i = 0; i < cps.length; i++) out.writeUInt32BE(cps[i]!, i * 4);
  return out;
}
