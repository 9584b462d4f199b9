/**
 * Value substitution as Flume 1.11 (node/MapResolver.java: commons-text StringSubstitutor over every value, never keys):
 * `${sys:X}` system properties (our -D flags plus a few JVM-like ones), `${env:X}` environment variables, and a bare
 * `${X}` looked up in the merged configuration itself. With `-DpropertiesImplementation=
 * org.apache.flume.node.EnvVarResolverProperties` a bare `${X}` falls back to the environment (Flume ≤1.9 behaviour).
 * Nested variables resolve; anything unresolved stays literally, as StringSubstitutor leaves it — and is reported.
 */
import os from 'node:os';

export interface SubstitutionScope {
  config: ReadonlyMap<string, string>;
  sys: Readonly<Record<string, string>>;
  env: Readonly<Record<string, string | undefined>>;
}

export interface SubstitutionResult {
  value: string;
  unresolved: string[];
}

export const ENV_VAR_RESOLVER = 'org.apache.flume.node.EnvVarResolverProperties';

export function defaultSysProps(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'user.name': os.userInfo().username,
    'user.home': os.homedir(),
    'user.dir': process.cwd(),
    'java.io.tmpdir': os.tmpdir(),
    'os.name': os.type(),
    'file.separator': '/',
    'line.separator': '\n',
    ...extra,
  };
}

function lookup(name: string, scope: SubstitutionScope): string | undefined {
  const colon = name.indexOf(':');
  if (colon > 0) {
    const prefix = name.slice(0, colon);
    const key = name.slice(colon + 1);
    if (prefix === 'sys') return scope.sys[key];
    if (prefix === 'env') return scope.env[key];
  }
  const v = scope.config.get(name);
  if (v !== undefined) return v;
  if (scope.sys.propertiesImplementation === ENV_VAR_RESOLVER) return scope.env[name];
  return undefined;
}

/** Substitutes `${...}` in `value`; `$${x}` is an escaped literal `${x}` as in StringSubstitutor. */
export function substitute(value: string, scope: SubstitutionScope, depth = 0): SubstitutionResult {
  if (!value.includes('${')) return { value, unresolved: [] };
  const unresolved: string[] = [];
  let out = '';
  let i = 0;
  while (i < value.length) {
    const start = value.indexOf('${', i);
    if (start < 0) {
      out += value.slice(i);
      break;
    }
    if (start > 0 && value[start - 1] === '$') {
      out += value.slice(i, start - 1) + '${';
      i = start + 2;
      continue;
    }
    // find the matching close brace, allowing nested ${...}
    let level = 0;
    let end = -1;
    for (let j = start; j < value.length; j++) {
      if (value[j] === '$' && value[j + 1] === '{') {
        level++;
        j++;
      } else if (value[j] === '}') {
        level--;
        if (level === 0) {
          end = j;
          break;
        }
      }
    }
    if (end < 0) {
      out += value.slice(i);
      break;
    }
    out += value.slice(i, start);
    let name = value.slice(start + 2, end);
    if (name.includes('${') && depth < 10) {
      const inner = substitute(name, scope, depth + 1);
      unresolved.push(...inner.unresolved);
      name = inner.value;
    }
    const hit = depth < 10 ? lookup(name, scope) : undefined;
    if (hit === undefined) {
      if (!isConfigFilterRef(name)) unresolved.push(name);
      out += '${' + name + '}';
    } else {
      const nested = substitute(hit, scope, depth + 1);
      unresolved.push(...nested.unresolved);
      out += nested.value;
    }
    i = end + 1;
  }
  return { value: out, unresolved };
}

/** `${f1['key']}`, `${f1["key"]}`, `${f1[key]}`: config-filter references, replaced later (FlumeConfiguration). */
const FILTER_REF = /^([^\s[\]]+)\[(?:'([-_a-zA-Z0-9]+)'|"([-_a-zA-Z0-9]+)"|([-_a-zA-Z0-9]+))\]$/;

export function isConfigFilterRef(name: string): boolean {
  return FILTER_REF.test(name);
}

export function parseConfigFilterRef(name: string): { filter: string; key: string } | undefined {
  const m = FILTER_REF.exec(name);
  if (!m) return undefined;
  return { filter: m[1]!, key: (m[2] ?? m[3] ?? m[4])! };
}
