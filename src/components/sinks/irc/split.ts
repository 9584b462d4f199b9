/** Java's String.split(regex) (limit 0): no leading empty string for a zero-width match at 0, trailing empties dropped. */
export function javaSplit(s: string, re: RegExp): string[] {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
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
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}
