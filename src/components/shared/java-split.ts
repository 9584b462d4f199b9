/**
 * Java's String.split(regex) with limit 0, as Flume's components call it: no match gives the whole string, a
 * zero-width match at 0 gives no leading empty string, and trailing empty strings are removed (so "" gives [""] and
 * "," split on "," gives []). A string separator is taken literally (Java's fast path for one plain character).
 */
export function javaSplit(s: string, sep: RegExp | string): string[] {
  if (typeof sep === 'string') return trimTrailing(s.split(sep));
  const g = new RegExp(sep.source, sep.flags.includes('g') ? sep.flags : `${sep.flags}g`);
  const out: string[] = [];
  let start = 0;
  for (let m = g.exec(s); m !== null; m = g.exec(s)) {
    const end = m.index + m[0].length;
    if (m[0].length === 0) {
      g.lastIndex = m.index + 1;
      if (m.index === 0 || m.index >= s.length) continue;
    }
    out.push(s.slice(start, m.index));
    start = end;
  }
  if (out.length === 0) return [s];
  out.push(s.slice(start));
  return trimTrailing(out);
}

function trimTrailing(parts: string[]): string[] {
  if (parts.length === 1) return parts;
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}
