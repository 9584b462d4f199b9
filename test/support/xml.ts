/**
 * A small strict XML parser for tests (the SVG the graph renders): elements, attributes, text, the five predefined
 * entities and numeric references. Throws on anything not well-formed (unbalanced tags, unquoted or duplicate
 * attributes, a bare `&` or `<`), so a test that parses an SVG proves it is XML.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string, where: number): string {
  if (/[<]/.test(s)) throw new Error(`bare < at ${where}`);
  return s.replace(/&([^;]*);?/g, (m, name: string) => {
    if (!m.endsWith(';')) throw new Error(`bare & at ${where}`);
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    const v = ENTITY[name];
    if (v === undefined) throw new Error(`unknown entity &${name}; at ${where}`);
    return v;
  });
}

const TAG = /^<([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/;
const ATTR = /([A-Za-z_][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

export function parseXml(text: string): XmlElement {
  let i = 0;
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack = [root];
  text = text.replace(/^<\?xml[^?]*\?>/, '');
  while (i < text.length) {
    const rest = text.slice(i);
    const top = stack[stack.length - 1]!;
    if (rest.startsWith('<!--')) {
      const end = rest.indexOf('-->');
      if (end < 0) throw new Error(`unterminated comment at ${i}`);
      i += end + 3;
    } else if (rest.startsWith('</')) {
      const m = /^<\/([A-Za-z_][\w:.-]*)\s*>/.exec(rest);
      if (!m || m[1] !== top.name) throw new Error(`mismatched close tag at ${i}: ${rest.slice(0, 30)} (open: ${top.name})`);
      stack.pop();
      i += m[0].length;
    } else if (rest.startsWith('<')) {
      const m = TAG.exec(rest);
      if (!m) throw new Error(`malformed tag at ${i}: ${rest.slice(0, 40)}`);
      const el: XmlElement = { name: m[1]!, attrs: {}, children: [], text: '' };
      for (const a of m[2]!.matchAll(ATTR)) {
        if (a[1]! in el.attrs) throw new Error(`duplicate attribute ${a[1]} at ${i}`);
        el.attrs[a[1]!] = decode(a[2] ?? a[3] ?? '', i);
      }
      top.children.push(el);
      if (!m[3]) stack.push(el);
      i += m[0].length;
    } else {
      const next = rest.indexOf('<');
      const chunk = next < 0 ? rest : rest.slice(0, next);
      top.text += decode(chunk, i);
      i += chunk.length;
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed element ${stack[stack.length - 1]!.name}`);
  if (root.children.length !== 1) throw new Error('not exactly one root element');
  return root.children[0]!;
}

/** Every element below `el` (depth first) that matches. */
export function findAll(el: XmlElement, match: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (match(e)) out.push(e);
    e.children.forEach(walk);
  };
  walk(el);
  return out;
}

/** All text inside `el`. */
export const textOf = (el: XmlElement): string => el.text + el.children.map(textOf).join('');
