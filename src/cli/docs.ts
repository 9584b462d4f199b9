/** Generates docs/components.md from the component declarations: the one source of truth. */
import type { AnySpec, ComponentKind, PropSpec } from '../config/spec.js';
import type { Registry } from '../config/registry.js';

const KINDS: Array<[ComponentKind, string, string]> = [
  ['source', 'Sources', 'a1.sources.r1'],
  ['channel', 'Channels', 'a1.channels.c1'],
  ['sink', 'Sinks', 'a1.sinks.k1'],
  ['selector', 'Channel selectors', 'a1.sources.r1.selector'],
  ['interceptor', 'Interceptors', 'a1.sources.r1.interceptors.i1'],
  ['sinkprocessor', 'Sink processors', 'a1.sinkgroups.g1.processor'],
  ['serializer', 'Event serializers', '(sink).serializer'],
];

const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function fmtDefault(p: PropSpec): string {
  if (p.defaultDoc) return esc(p.defaultDoc);
  if (p.default === undefined) return p.required ? '(required)' : '–';
  if (Array.isArray(p.default)) return p.default.length ? `\`${p.default.join(' ')}\`` : '–';
  return `\`${String(p.default)}\``;
}

function typeOf(p: PropSpec): string {
  if (p.type === 'enum') return (p.values ?? []).join(' \\| ');
  if (p.type === 'list') return 'list';
  return p.type;
}

function renderSpec(s: AnySpec, prefix: string): string {
  let out = `### \`${s.type}\`\n\n${s.summary}\n\n`;
  const names = [s.fqcn, ...(s.aliases ?? [])].filter(Boolean);
  if (names.length) out += `Also accepted as type: ${names.map((n) => `\`${n}\``).join(', ')}\n\n`;
  if (s.notes) out += `${s.notes}\n\n`;
  const props = Object.entries(s.properties as Record<string, PropSpec>);
  const prefixes = Object.entries(s.prefixes ?? {});
  if (props.length + prefixes.length > 0) {
    out += '| Property | Type | Default | Description |\n|---|---|---|---|\n';
    for (const [name, p] of props) {
      const label = p.required ? `**${name}**` : name;
      const aliases = p.aliases?.length ? ` (also: ${p.aliases.map((a) => `\`${a}\``).join(', ')})` : '';
      out += `| ${label} | ${typeOf(p)} | ${fmtDefault(p)} | ${esc(p.doc)}${aliases}${p.secret ? ' Secret: never logged.' : ''} |\n`;
    }
    for (const [pre, doc] of prefixes) out += `| ${pre}* | – | – | ${esc(doc)} |\n`;
    out += '\n';
  } else {
    out += 'No properties.\n\n';
  }
  out += `Example: \`${prefix}.type = ${s.type}\`\n\n`;
  return out;
}

export function renderComponentDocs(registry: Registry): string {
  let out =
    '# flume-ts component reference\n\n' +
    'Generated from the component declarations by `npm run docs` — do not edit by hand. ' +
    'Property names, defaults and `type` values are Flume 1.11\'s; **bold** properties are required.\n\n';
  for (const [kind, title] of KINDS) {
    const specs = registry.specs(kind);
    if (specs.length) out += `- [${title}](#${title.toLowerCase().replace(/\s+/g, '-')}): ${specs.map((s) => `\`${s.type}\``).join(', ')}\n`;
  }
  out += '\n';
  for (const [kind, title, prefix] of KINDS) {
    const specs = [...registry.specs(kind)].sort((a, b) => a.type.localeCompare(b.type));
    if (specs.length === 0) continue;
    out += `## ${title}\n\n`;
    for (const s of specs) out += renderSpec(s, prefix);
  }
  return out;
}
