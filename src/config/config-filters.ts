/**
 * Config filters (`<agent>.configfilters`, Flume's org.apache.flume.configfilter): each is declared like a component
 * (type alias, class name, properties) and resolves `${name['key']}` references in component values.
 */
import { createRequire } from 'node:module';
import type { Diagnostic } from './diagnostics.js';
import type { RawAgent } from './plan.js';
import { parseConfigFilterRef } from './substitute.js';

/** Looks a key up; undefined leaves the reference literally in place (as Flume does). */
export type ConfigFilterFn = (key: string) => string | undefined;

export interface ConfigFilterContext {
  /** The environment given to the loader (LoadOptions.env, else process.env). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface ConfigFilterSpec {
  readonly type: string;
  readonly fqcn: string;
  readonly summary: string;
  /** Property → doc; `required` ones must be set or the filter is dropped. */
  readonly properties: Readonly<Record<string, { doc: string; required?: boolean }>>;
  create(props: Readonly<Record<string, string>>, ctx: ConfigFilterContext): ConfigFilterFn;
}

const envFilter: ConfigFilterSpec = {
  type: 'env',
  fqcn: 'org.apache.flume.configfilter.EnvironmentVariableConfigFilter',
  summary: 'the value of the environment variable named by the key',
  properties: {},
  create: (_props, ctx) => (k) => ctx.env[k],
};

const externalFilter: ConfigFilterSpec = {
  type: 'external',
  fqcn: 'org.apache.flume.configfilter.ExternalProcessConfigFilter',
  summary: 'the first line printed by `command <key>` (10 s timeout)',
  properties: { command: { doc: 'the program (and its arguments) to run with the key as last argument', required: true } },
  create: (props) => (k) => {
    try {
      const [cmd, ...args] = props.command!.split(/\s+/);
      // node:child_process loads only when an external-process filter runs (it pulls net, dgram and cluster in)
      const { execFileSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
      const out = execFileSync(cmd!, [...args, k], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
      return out.replace(/\r?\n$/, '');
    } catch {
      return undefined;
    }
  },
};

export const CONFIG_FILTERS: readonly ConfigFilterSpec[] = [envFilter, externalFilter];

export function resolveConfigFilter(type: string): ConfigFilterSpec | undefined {
  return CONFIG_FILTERS.find((f) => f.type === type.toLowerCase() || f.fqcn === type);
}

/** Builds the agent's filters; a filter without type, with an unknown type or a missing property is dropped. */
function buildFilters(agent: RawAgent, ctx: ConfigFilterContext, diagnostics: Diagnostic[]): Map<string, ConfigFilterFn> {
  const filters = new Map<string, ConfigFilterFn>();
  const list = agent.lists.get('configfilters');
  if (!list) return filters;
  const defs = agent.components.get('configfilters')!;
  for (const name of list.value.split(/\s+/)) {
    const def = defs.get(name);
    const typeProp = def?.props.get('type');
    if (!def || !typeProp) {
      diagnostics.push({
        severity: 'error',
        code: 'missing-type',
        at: list.valueAt,
        message: `config filter ${name} has no type`,
        flume: `Flume drops config filter ${name}`,
      });
      continue;
    }
    const spec = resolveConfigFilter(typeProp.value);
    if (!spec) {
      diagnostics.push({
        severity: 'error',
        code: 'unsupported-type',
        at: typeProp.valueAt,
        message: `config filter ${name}: type "${typeProp.value}" is not supported by flume-ts (${CONFIG_FILTERS.map((f) => f.type).join(' and ')} are)`,
      });
      continue;
    }
    const props: Record<string, string> = {};
    for (const [k, v] of def.props) props[k] = v.value;
    const missing = Object.entries(spec.properties).find(([k, p]) => p.required && !props[k]);
    if (missing) {
      diagnostics.push({
        severity: 'error',
        code: 'missing-property',
        at: def.at,
        message: `config filter ${name}: required property "${missing[0]}" is not set`,
      });
      continue;
    }
    filters.set(name, spec.create(props, ctx));
  }
  return filters;
}

/** Applies config filters (`${f1['key']}`) to component values (FlumeConfiguration, §1.9 of the inventory). */
export function applyConfigFilters(agent: RawAgent, ctx: ConfigFilterContext, diagnostics: Diagnostic[]): void {
  const filters = buildFilters(agent, ctx, diagnostics);
  if (filters.size === 0) return;
  for (const section of ['sources', 'channels', 'sinks', 'sinkgroups'] as const) {
    for (const comp of agent.components.get(section)!.values()) {
      for (const [k, pv] of comp.props) {
        if (!pv.value.includes('${')) continue;
        const replaced = pv.value.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
          const ref = parseConfigFilterRef(inner);
          const f = ref && filters.get(ref.filter);
          if (!ref || !f) return whole;
          return f(ref.key) ?? whole;
        });
        if (replaced !== pv.value) comp.props.set(k, { ...pv, value: replaced });
      }
    }
  }
}
