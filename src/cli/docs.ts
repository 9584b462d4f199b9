/** Generates docs/components.md from the component declarations: the one source of truth. */
import type { AnySpec, ComponentKind, PropSpec } from '../config/spec.js';
import type { Registry } from '../config/registry.js';
import { ERROR_CODES } from '../core/codes.js';
import { FlumeError } from '../core/errors.js';
import { DIAGNOSTIC_CODES } from '../config/diagnostic-codes.js';

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
    "Property names, defaults and `type` values are Flume 1.11's; **bold** properties are required.\n\n";
  for (const [kind, title] of KINDS) {
    const specs = registry.specs(kind);
    if (specs.length)
      out += `- [${title}](#${title.toLowerCase().replace(/\s+/g, '-')}): ${specs.map((s) => `\`${s.type}\``).join(', ')}\n`;
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

/** docs/codes.md: the error codes (FlumeError.code) and the configuration diagnostic codes, from their catalogs. */
export function renderCodesDocs(): string {
  let out =
    '# flume-ts error and diagnostic codes\n\n' +
    'Generated from src/core/codes.ts and src/config/diagnostic-codes.ts by `npm run docs` — do not edit by hand.\n\n' +
    '## Error codes\n\nEvery error flume-ts throws is a `FlumeError` with one of these codes (`err.code`, and `code` in logs).\n\n' +
    '| Code | Meaning |\n|---|---|\n';
  for (const [code, doc] of Object.entries(ERROR_CODES)) out += `| \`${code}\` | ${esc(doc)} |\n`;
  out +=
    '\n## Configuration diagnostic codes\n\n' +
    'Reported by `flume-ts validate` (`file:line:col severity code message`) and logged at start-up and reload.\n\n' +
    '| Code | Meaning |\n|---|---|\n';
  for (const [code, doc] of Object.entries(DIAGNOSTIC_CODES)) out += `| \`${code}\` | ${esc(doc)} |\n`;
  return out;
}

/** Marks the generated component rows in docs/compatibility.md; everything outside them is written by hand. */
export const COMPAT_BEGIN =
  '<!-- BEGIN GENERATED component rows: `npm run docs` writes them from the declarations (notes, compatibility) -->';
export const COMPAT_END = '<!-- END GENERATED component rows -->';

const COMPAT_KINDS: ComponentKind[] = ['source', 'channel', 'sink', 'interceptor', 'serializer'];

/** The component table of docs/compatibility.md: one row per declared source, channel, sink, interceptor, serializer. */
export function renderCompatibilityRows(registry: Registry): string {
  let out = '| Flume component | Status | Notes |\n|---|---|---|\n';
  for (const kind of COMPAT_KINDS) {
    const specs = [...registry.specs(kind)].sort((a, b) => a.type.localeCompare(b.type));
    for (const s of specs) out += `| ${kind} \`${s.type}\` | ${s.compatibility ?? 'yes'} | ${esc(s.notes ?? '')} |\n`;
  }
  return out;
}

/** Replaces the generated block of a compatibility document with fresh rows (the hand-written rest is kept). */
export function updateCompatibilityDoc(doc: string, registry: Registry): string {
  const a = doc.indexOf(COMPAT_BEGIN);
  const b = doc.indexOf(COMPAT_END);
  if (a < 0 || b < a) throw new FlumeError('FLUME_USAGE', `the compatibility document has no ${COMPAT_BEGIN} … ${COMPAT_END} block`);
  return `${doc.slice(0, a + COMPAT_BEGIN.length)}\n${renderCompatibilityRows(registry)}${doc.slice(b)}`;
}
