/**
 * Flume's configuration model (conf/FlumeConfiguration.java, node/AbstractConfigurationProvider.java), with positions:
 * `<agent>.sources|channels|sinks|sinkgroups|configfilters` lists and `<agent>.<section>.<name>.<key>` properties.
 * It validates with Flume's rules — what Flume 1.11 drops, this drops too — and reports every problem with its
 * location, what Flume would do, and a did-you-mean.
 */
import { execFileSync } from 'node:child_process';
import type { Diagnostic, Location, PropertyEntry } from './diagnostics.js';
import { didYouMean, sortDiagnostics } from './diagnostics.js';
import { parseProperties } from './properties.js';
import type { AnySpec, ComponentKind } from './spec.js';
import type { Registry } from './registry.js';
import { substitute, defaultSysProps, parseConfigFilterRef } from './substitute.js';
import { parseComponent, subProps, rawOf, type PropMap, type PropValue } from './component-props.js';

export type Section = 'sources' | 'channels' | 'sinks' | 'sinkgroups' | 'configfilters';
const SECTIONS: readonly Section[] = ['sources', 'channels', 'sinks', 'sinkgroups', 'configfilters'];
const SECTION_LABEL: Record<Section, string> = {
  sources: 'source', channels: 'channel', sinks: 'sink', sinkgroups: 'sink group', configfilters: 'config filter',
};

export interface ConfigFile {
  file: string;
  text: string;
}

export interface LoadOptions {
  /** -Dkey=value flags (Java system properties). */
  sysProps?: Record<string, string>;
  env?: Record<string, string | undefined>;
}

/** A configured part (selector, interceptor, sink processor, component) resolved to its spec and parsed config. */
export interface PartPlan {
  name: string;
  spec: AnySpec;
  config: Record<string, unknown>;
  raw: Record<string, string>;
}

export interface SourcePlan extends PartPlan {
  channels: string[];
  selector: PartPlan;
  interceptors: PartPlan[];
}
export interface SinkPlan extends PartPlan {
  channel: string;
}
export interface SinkGroupPlan {
  name: string;
  sinks: string[];
  processor: PartPlan;
}

export interface AgentPlan {
  name: string;
  channels: PartPlan[];
  sources: SourcePlan[];
  sinks: SinkPlan[];
  sinkgroups: SinkGroupPlan[];
  /** Components Flume would drop, with the reason (also present as diagnostics). */
  dropped: Array<{ kind: string; name: string; reason: string }>;
}

export interface LoadResult {
  plan?: AgentPlan;
  diagnostics: Diagnostic[];
  /** Every agent name found in the files. */
  agents: string[];
}

interface RawComponent {
  section: Section;
  name: string;
  props: PropMap;
  /** Where the component was first mentioned. */
  at: Location;
}

interface RawAgent {
  name: string;
  lists: Map<Section, PropValue>;
  components: Map<Section, Map<string, RawComponent>>;
}

/** Merges the files in order (later keys override, like one java.util.Properties), then substitutes values. */
export function mergeFiles(files: readonly ConfigFile[], opts: LoadOptions, diagnostics: Diagnostic[]): Map<string, PropertyEntry> {
  const merged = new Map<string, PropertyEntry>();
  for (const f of files) {
    const { entries, diagnostics: ds } = parseProperties(f.text, f.file);
    diagnostics.push(...ds);
    for (const e of entries) {
      const prev = merged.get(e.key);
      if (prev && prev.keyAt.file === e.keyAt.file) {
        diagnostics.push({
          severity: 'info', code: 'duplicate-property', key: e.key, at: e.keyAt,
          message: `${e.key} is also set at line ${prev.keyAt.line}; this later value wins (java.util.Properties)`,
        });
      }
      merged.delete(e.key); // keep file order of the winning entry
      merged.set(e.key, e);
    }
  }
  const env = opts.env ?? process.env;
  const sys = defaultSysProps(opts.sysProps);
  const configValues = new Map<string, string>();
  for (const [k, e] of merged) configValues.set(k, e.value);
  for (const [k, e] of merged) {
    const r = substitute(e.value, { config: configValues, sys, env });
    if (r.value !== e.value) merged.set(k, { ...e, value: r.value });
    for (const name of r.unresolved) {
      const envHas = env[name] !== undefined;
      diagnostics.push({
        severity: 'warning', code: 'unresolved-variable', key: k, at: e.valueAt,
        message: `\${${name}} in ${k} is not defined; the text stays literally as in Flume`,
        hint: envHas
          ? `the environment has ${name}: write \${env:${name}}, or run with -DpropertiesImplementation=org.apache.flume.node.EnvVarResolverProperties`
          : `define it as a property, an environment variable (\${env:${name}}) or -D${name}=…`,
      });
    }
  }
  return merged;
}

function groupAgents(merged: Map<string, PropertyEntry>, diagnostics: Diagnostic[]): Map<string, RawAgent> {
  const agents = new Map<string, RawAgent>();
  for (const e of merged.values()) {
    const key = e.key.trim();
    const value = e.value.trim();
    const dot = key.indexOf('.');
    if (dot <= 0) {
      diagnostics.push({
        severity: 'warning', code: 'invalid-key', key, at: e.keyAt,
        message: `"${key}" has no agent prefix (expected <agent>.<section>.…)`,
        flume: 'Flume ignores it ("Configuration property ignored")',
      });
      continue;
    }
    if (value === '') {
      diagnostics.push({
        severity: 'warning', code: 'empty-value', key, at: e.keyAt,
        message: `${key} has an empty value`, flume: 'Flume ignores it ("Configuration property ignored")',
      });
      continue;
    }
    const agentName = key.slice(0, dot);
    const rest = key.slice(dot + 1);
    let agent = agents.get(agentName);
    if (!agent) {
      agent = { name: agentName, lists: new Map(), components: new Map(SECTIONS.map((s) => [s, new Map()])) };
      agents.set(agentName, agent);
    }
    const pv = (k: string): PropValue => ({ key: k, fullKey: key, value, keyAt: e.keyAt, valueAt: e.valueAt });
    if ((SECTIONS as readonly string[]).includes(rest)) {
      agent.lists.set(rest as Section, pv(rest));
      continue;
    }
    const d2 = rest.indexOf('.');
    const section = d2 > 0 ? rest.slice(0, d2) : '';
    if (!(SECTIONS as readonly string[]).includes(section)) {
      const guess = didYouMean(d2 > 0 ? section : rest, SECTIONS);
      diagnostics.push({
        severity: 'warning', code: 'unknown-section', key, at: e.keyAt,
        message: `${key}: "${d2 > 0 ? section : rest}" is not sources, channels, sinks, sinkgroups or configfilters`,
        hint: guess ? `did you mean "${agentName}.${guess}${d2 > 0 ? rest.slice(d2) : ''}"?` : undefined,
        flume: 'Flume ignores it ("Invalid property specified")',
      });
      continue;
    }
    const afterSection = rest.slice(d2 + 1);
    const d3 = afterSection.indexOf('.');
    if (d3 <= 0 || d3 === afterSection.length - 1) {
      diagnostics.push({
        severity: 'warning', code: 'invalid-key', key, at: e.keyAt,
        message: `${key}: expected ${agentName}.${section}.<name>.<property>`,
        flume: 'Flume ignores it ("Invalid property specified")',
      });
      continue;
    }
    const compName = afterSection.slice(0, d3);
    const compKey = afterSection.slice(d3 + 1);
    const comps = agent.components.get(section as Section)!;
    let comp = comps.get(compName);
    if (!comp) {
      comp = { section: section as Section, name: compName, props: new Map(), at: e.keyAt };
      comps.set(compName, comp);
    }
    comp.props.set(compKey, pv(compKey));
  }
  return agents;
}

/** Applies config filters (`${f1['key']}`) to component values (FlumeConfiguration, §1.9 of the inventory). */
function applyConfigFilters(agent: RawAgent, diagnostics: Diagnostic[]): void {
  const list = agent.lists.get('configfilters');
  if (!list) return;
  const filters = new Map<string, (key: string) => string | undefined>();
  const defs = agent.components.get('configfilters')!;
  for (const name of list.value.split(/\s+/)) {
    const def = defs.get(name);
    const type = def?.props.get('type')?.value;
    if (!def || !type) {
      diagnostics.push({ severity: 'error', code: 'missing-type', at: list.valueAt, message: `config filter ${name} has no type`, flume: `Flume drops config filter ${name}` });
      continue;
    }
    const t = type.toLowerCase();
    if (t === 'env' || type === 'org.apache.flume.configfilter.EnvironmentVariableConfigFilter') {
      filters.set(name, (k) => process.env[k]);
    } else if (t === 'external' || type === 'org.apache.flume.configfilter.ExternalProcessConfigFilter') {
      const command = def.props.get('command')?.value;
      if (!command) {
        diagnostics.push({ severity: 'error', code: 'missing-property', at: def.at, message: `config filter ${name}: required property "command" is not set` });
        continue;
      }
      filters.set(name, (k) => {
        try {
          const [cmd, ...args] = command.split(/\s+/);
          const out = execFileSync(cmd!, [...args, k], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
          return out.replace(/\r?\n$/, '');
        } catch {
          return undefined;
        }
      });
    } else {
      diagnostics.push({
        severity: 'error', code: 'unsupported-type', at: def.props.get('type')!.valueAt,
        message: `config filter ${name}: type "${type}" is not supported by flume-ts (env and external are)`,
      });
    }
  }
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

function isSourceFrameworkKey(k: string): boolean {
  return k === 'type' || k === 'channels' || k === 'config' || k === 'interceptors' || k.startsWith('selector.') || k.startsWith('interceptors.');
}

/** Loads, merges, substitutes and validates; returns the plan for `agentName` (Flume's lenient result). */
export function loadAgent(files: readonly ConfigFile[], agentName: string, registry: Registry, opts: LoadOptions = {}): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const merged = mergeFiles(files, opts, diagnostics);
  const agents = groupAgents(merged, diagnostics);
  const names = [...agents.keys()];
  const raw = agents.get(agentName);
  if (!raw) {
    const guess = didYouMean(agentName, names);
    diagnostics.push({
      severity: 'error', code: 'unknown-agent',
      at: files[0] ? { file: files[0].file, line: 1, col: 1 } : undefined,
      message: `no configuration for agent "${agentName}"; agents found: ${names.length ? names.join(', ') : '(none)'}`,
      hint: guess ? `did you mean --name ${guess}?` : 'pass the agent prefix used in the file with --name',
      flume: `Flume logs "No configuration found for this host:${agentName}" and runs an empty agent`,
    });
    return { diagnostics: sortDiagnostics(diagnostics), agents: names };
  }
  // keys of other agents are fine; diagnostics that belong to other agents' keys are dropped for clarity
  const own = diagnostics.filter((d) => !d.key || d.key.startsWith(agentName + '.') || !names.some((n) => n !== agentName && d.key!.startsWith(n + '.')));
  const plan = validateAgent(raw, registry, own);
  return { plan, diagnostics: sortDiagnostics(own), agents: names };
}

function validateAgent(agent: RawAgent, registry: Registry, diagnostics: Diagnostic[]): AgentPlan {
  applyConfigFilters(agent, diagnostics);
  const plan: AgentPlan = { name: agent.name, channels: [], sources: [], sinks: [], sinkgroups: [], dropped: [] };
  const drop = (kind: string, name: string, reason: string) => plan.dropped.push({ kind, name, reason });

  /**
   * Resolves and parses a part of a component (selector, interceptor, sink processor): an unknown type or a bad
   * property fails the owning component (`owner`), as in Flume. Returns undefined on failure.
   */
  const parsePart = (
    kind: ComponentKind, name: string, type: string, typeProp: PropValue | undefined, props: PropMap,
    o: { label: string; owner: string; at?: Location; keyPrefix: string },
  ): PartPlan | undefined => {
    const spec = registry.resolve(kind, type);
    if (!spec) {
      const guess = registry.suggest(kind, type);
      diagnostics.push({
        severity: 'error', code: 'unknown-type', at: typeProp?.valueAt ?? o.at, key: typeProp?.fullKey,
        message: `${o.label}: unknown ${kind} type "${type}"`,
        hint: unknownTypeHint(type, guess, registry.specs(kind).map((x) => x.type)),
        flume: `Flume drops ${o.owner}`,
      });
      return undefined;
    }
    const parsed = parseComponent(spec, props, { label: o.label, at: typeProp?.keyAt ?? o.at, keyPrefix: o.keyPrefix, frameworkKeys: (k) => k === 'type' });
    diagnostics.push(...parsed.diagnostics);
    return parsed.ok ? { name, spec, config: parsed.config!, raw: rawOf(props) } : undefined;
  };

  const listed = (section: Section): { names: string[]; at?: Location } => {
    const l = agent.lists.get(section);
    if (!l) return { names: [] };
    const seen = new Set<string>();
    const out: string[] = [];
    for (const n of l.value.split(/\s+/)) if (n && !seen.has(n)) { seen.add(n); out.push(n); }
    return { names: out, at: l.valueAt };
  };

  // components configured but not listed: Flume ignores them silently
  for (const section of ['sources', 'channels', 'sinks', 'sinkgroups'] as const) {
    const { names } = listed(section);
    for (const comp of agent.components.get(section)!.values()) {
      if (!names.includes(comp.name)) {
        const guess = didYouMean(comp.name, names);
        diagnostics.push({
          severity: 'warning', code: 'unlisted-component', at: comp.at,
          message: `${SECTION_LABEL[section]} ${comp.name} is configured but not listed in ${agent.name}.${section}`,
          hint: guess ? `did you mean ${guess}?` : `add it: ${agent.name}.${section} = ${[...names, comp.name].join(' ')}`,
          flume: 'Flume ignores it',
        });
      }
    }
  }

  const typed = (section: Section, name: string, kind: ComponentKind, listAt?: Location): { comp: RawComponent; spec: AnySpec } | undefined => {
    const label = `${SECTION_LABEL[section]} ${name}`;
    const comp = agent.components.get(section)!.get(name);
    if (!comp) {
      const others = [...agent.components.get(section)!.keys()];
      const guess = didYouMean(name, others);
      diagnostics.push({
        severity: 'error', code: 'missing-component', at: listAt,
        message: `${label} is listed in ${agent.name}.${section} but has no properties`,
        hint: guess ? `did you mean ${guess}?` : `add ${agent.name}.${section}.${name}.type = …`,
        flume: `Flume drops ${label}`,
      });
      drop(SECTION_LABEL[section], name, 'no properties');
      return undefined;
    }
    const type = comp.props.get('type');
    if (!type) {
      diagnostics.push({
        severity: 'error', code: 'missing-type', at: comp.at,
        message: `${label} has no type`, hint: `add ${agent.name}.${section}.${name}.type = …`,
        flume: `Flume drops ${label} ("Component has no type")`,
      });
      drop(SECTION_LABEL[section], name, 'no type');
      return undefined;
    }
    const spec = registry.resolve(kind, type.value);
    if (!spec) {
      const guess = registry.suggest(kind, type.value);
      diagnostics.push({
        severity: 'error', code: 'unknown-type', key: type.fullKey, at: type.valueAt,
        message: `${label}: unknown ${kind} type "${type.value}"`,
        hint: unknownTypeHint(type.value, guess, registry.specs(kind).map((s) => s.type)),
        flume: `Flume drops ${label} ("Unable to load ${kind} type: ${type.value}")`,
      });
      drop(SECTION_LABEL[section], name, `unknown type ${type.value}`);
      return undefined;
    }
    return { comp, spec };
  };

  // ---- channels
  const channelsList = listed('channels');
  if (!agent.lists.get('channels')) {
    diagnostics.push({
      severity: 'error', code: 'no-channels', at: [...agent.lists.values()][0]?.keyAt,
      message: `agent ${agent.name} has no ${agent.name}.channels list`,
      flume: `Flume removes agent ${agent.name} ("Agent configuration invalid")`,
    });
  }
  const txCap = new Map<string, number | undefined>();
  for (const name of channelsList.names) {
    const t = typed('channels', name, 'channel', channelsList.at);
    if (!t) continue;
    const label = `channel ${name}`;
    const parsed = parseComponent(t.spec, t.comp.props, {
      label, at: t.comp.at, keyPrefix: `${agent.name}.channels.${name}.`, frameworkKeys: (k) => k === 'type' || k === 'config',
    });
    diagnostics.push(...parsed.diagnostics);
    if (!parsed.ok) {
      drop('channel', name, 'configuration error');
      continue;
    }
    plan.channels.push({ name, spec: t.spec, config: parsed.config!, raw: rawOf(t.comp.props) });
    txCap.set(name, t.spec.transactionCapacity?.(parsed.config as never));
  }
  const active = new Set(plan.channels.map((c) => c.name));

  const batchCheck = (label: string, spec: AnySpec, config: Record<string, unknown>, channels: string[], props: PropMap): boolean => {
    const bs = spec.batchSize?.(config as never);
    if (bs === undefined) return true;
    for (const c of channels) {
      const cap = txCap.get(c);
      if (cap !== undefined && bs > cap) {
        const at = [...props.values()].find((p) => /batch/i.test(p.key))?.valueAt;
        diagnostics.push({
          severity: 'error', code: 'batch-exceeds-transaction-capacity', at,
          message: `${label}: batch size ${bs} is greater than channel ${c}'s transactionCapacity ${cap}`,
          hint: `lower the batch size or raise ${agent.name}.channels.${c}.transactionCapacity`,
          flume: `Flume drops ${label} ("Incompatible source and channel settings defined")`,
        });
        return false;
      }
    }
    return true;
  };

  // ---- sinks
  const sinksList = listed('sinks');
  for (const name of sinksList.names) {
    const t = typed('sinks', name, 'sink', sinksList.at);
    if (!t) continue;
    const label = `sink ${name}`;
    const ch = t.comp.props.get('channel');
    if (!ch) {
      const plural = t.comp.props.get('channels');
      diagnostics.push({
        severity: 'error', code: 'missing-channel', at: plural?.keyAt ?? t.comp.at,
        message: `${label} has no channel`,
        hint: plural ? `a sink takes one channel: write ${agent.name}.sinks.${name}.channel (singular)` : `add ${agent.name}.sinks.${name}.channel = …`,
        flume: `Flume drops ${label}`,
      });
      drop('sink', name, 'no channel');
      continue;
    }
    if (!active.has(ch.value)) {
      const guess = didYouMean(ch.value, [...active]);
      diagnostics.push({
        severity: 'error', code: 'unknown-channel', key: ch.fullKey, at: ch.valueAt,
        message: `${label}: channel "${ch.value}" is not an active channel`,
        hint: guess ? `did you mean "${guess}"?` : `active channels: ${[...active].join(', ') || '(none)'}`,
        flume: `Flume drops ${label} ("Channel ${ch.value} not in active set")`,
      });
      drop('sink', name, `channel ${ch.value} not active`);
      continue;
    }
    const parsed = parseComponent(t.spec, t.comp.props, {
      label, at: t.comp.at, keyPrefix: `${agent.name}.sinks.${name}.`, frameworkKeys: (k) => k === 'type' || k === 'channel' || k === 'config',
    });
    diagnostics.push(...parsed.diagnostics);
    if (!parsed.ok) {
      drop('sink', name, 'configuration error');
      continue;
    }
    if (!batchCheck(label, t.spec, parsed.config!, [ch.value], t.comp.props)) {
      drop('sink', name, 'batch size above transactionCapacity');
      continue;
    }
    plan.sinks.push({ name, spec: t.spec, config: parsed.config!, raw: rawOf(t.comp.props), channel: ch.value });
  }

  // ---- sink groups
  const groupsList = listed('sinkgroups');
  const grouped = new Map<string, string>();
  const activeSinks = new Set(plan.sinks.map((s) => s.name));
  for (const name of groupsList.names) {
    const comp = agent.components.get('sinkgroups')!.get(name);
    const label = `sink group ${name}`;
    const sinksProp = comp?.props.get('sinks');
    if (!comp || !sinksProp) {
      diagnostics.push({
        severity: 'error', code: 'missing-property', at: comp?.at ?? groupsList.at,
        message: `${label} has no sinks list`, hint: `add ${agent.name}.sinkgroups.${name}.sinks = k1 k2`,
        flume: `Flume drops ${label}`,
      });
      drop('sink group', name, 'no sinks');
      continue;
    }
    const members: string[] = [];
    for (const s of sinksProp.value.split(/\s+/)) {
      if (!activeSinks.has(s)) {
        const guess = didYouMean(s, [...activeSinks]);
        diagnostics.push({
          severity: 'warning', code: 'unknown-sink', at: sinksProp.valueAt,
          message: `${label}: sink "${s}" is not an active sink`, hint: guess ? `did you mean "${guess}"?` : undefined,
          flume: 'Flume leaves it out of the group',
        });
        continue;
      }
      if (grouped.has(s)) {
        diagnostics.push({
          severity: 'warning', code: 'sink-in-two-groups', at: sinksProp.valueAt,
          message: `${label}: sink ${s} already belongs to sink group ${grouped.get(s)}`,
          flume: 'Flume leaves it out of this group (PROPERTY_PART_OF_ANOTHER_GROUP)',
        });
        continue;
      }
      members.push(s);
    }
    if (members.length === 0) {
      diagnostics.push({ severity: 'error', code: 'empty-sink-group', at: sinksProp.valueAt, message: `${label} has no valid sinks`, flume: `Flume drops ${label}` });
      drop('sink group', name, 'no valid sinks');
      continue;
    }
    const procProps = subProps(comp.props, 'processor.');
    const processor = parsePart('sinkprocessor', name, procProps.get('type')?.value ?? 'default', procProps.get('type'), procProps, {
      label: `${label} processor`, owner: label, at: comp.at, keyPrefix: `${agent.name}.sinkgroups.${name}.processor.`,
    });
    for (const k of comp.props.keys()) {
      if (k !== 'sinks' && !k.startsWith('processor.')) {
        const e = comp.props.get(k)!;
        diagnostics.push({ severity: 'warning', code: 'unknown-property', at: e.keyAt, key: e.fullKey, message: `${e.fullKey}: not a sink group property (sinks, processor.*)`, flume: 'Flume ignores it' });
      }
    }
    if (!processor) {
      drop('sink group', name, 'sink processor configuration error');
      continue;
    }
    for (const m of members) grouped.set(m, name);
    plan.sinkgroups.push({ name, sinks: members, processor });
  }

  // ---- sources
  const sourcesList = listed('sources');
  for (const name of sourcesList.names) {
    const t = typed('sources', name, 'source', sourcesList.at);
    if (!t) continue;
    const label = `source ${name}`;
    const chProp = t.comp.props.get('channels');
    if (!chProp) {
      const singular = t.comp.props.get('channel');
      diagnostics.push({
        severity: 'error', code: 'missing-channel', at: singular?.keyAt ?? t.comp.at,
        message: `${label} has no channels`,
        hint: singular ? `a source lists channels: write ${agent.name}.sources.${name}.channels (plural)` : `add ${agent.name}.sources.${name}.channels = …`,
        flume: `Flume drops ${label} ("No Channels configured for ${name}")`,
      });
      drop('source', name, 'no channels');
      continue;
    }
    const chans: string[] = [];
    for (const c of chProp.value.split(/\s+/)) {
      if (active.has(c)) {
        if (!chans.includes(c)) chans.push(c);
        continue;
      }
      const guess = didYouMean(c, [...active]);
      diagnostics.push({
        severity: 'warning', code: 'unknown-channel', key: chProp.fullKey, at: chProp.valueAt,
        message: `${label}: channel "${c}" is not an active channel`,
        hint: guess ? `did you mean "${guess}"?` : `active channels: ${[...active].join(', ') || '(none)'}`,
        flume: 'Flume silently leaves it out of the source\'s channels',
      });
    }
    if (chans.length === 0) {
      diagnostics.push({
        severity: 'error', code: 'no-active-channel', at: chProp.valueAt,
        message: `${label}: none of its channels is active`, flume: `Flume drops ${label} ("No Channels configured for ${name}")`,
      });
      drop('source', name, 'no active channels');
      continue;
    }
    const parsed = parseComponent(t.spec, t.comp.props, {
      label, at: t.comp.at, keyPrefix: `${agent.name}.sources.${name}.`, frameworkKeys: isSourceFrameworkKey,
    });
    diagnostics.push(...parsed.diagnostics);
    if (!parsed.ok) {
      drop('source', name, 'configuration error');
      continue;
    }
    if (!batchCheck(label, t.spec, parsed.config!, chans, t.comp.props)) {
      drop('source', name, 'batch size above transactionCapacity');
      continue;
    }
    // selector
    const selProps = subProps(t.comp.props, 'selector.');
    const selTypeProp = selProps.get('type');
    const selector = parsePart('selector', 'selector', selTypeProp?.value || 'replicating', selTypeProp, selProps, {
      label: `${label} selector`, owner: label, at: t.comp.at, keyPrefix: `${agent.name}.sources.${name}.selector.`,
    });
    let selOk = selector !== undefined;
    // channels named by the selector must be among the source's channels (Flume: "Selector channel not found")
    if (selOk) {
      for (const [k, v] of selProps) {
        if (k === 'type' || k === 'header' || k === 'policy') continue;
        for (const c of v.value.split(/\s+/)) {
          if (!chans.includes(c)) {
            const guess = didYouMean(c, chans);
            diagnostics.push({
              severity: 'error', code: 'unknown-channel', key: v.fullKey, at: v.valueAt,
              message: `${label}: selector names channel "${c}", which is not one of the source's active channels (${chans.join(' ')})`,
              hint: guess ? `did you mean "${guess}"?` : undefined,
              flume: `Flume drops ${label} ("Selector channel not found: ${c}")`,
            });
            selOk = false;
          }
        }
      }
    }
    if (!selOk) {
      drop('source', name, 'selector configuration error');
      continue;
    }
    // interceptors
    const interceptors: PartPlan[] = [];
    let icOk = true;
    const icList = t.comp.props.get('interceptors');
    for (const ic of icList ? icList.value.split(/\s+/) : []) {
      const icProps = subProps(t.comp.props, `interceptors.${ic}.`);
      const icType = icProps.get('type');
      const icLabel = `${label} interceptor ${ic}`;
      if (!icType) {
        diagnostics.push({
          severity: 'error', code: 'missing-type', at: icList!.valueAt, message: `${icLabel} has no type`,
          hint: `add ${agent.name}.sources.${name}.interceptors.${ic}.type = …`, flume: `Flume drops ${label}`,
        });
        icOk = false;
        continue;
      }
      const part = parsePart('interceptor', ic, icType.value, icType, icProps, {
        label: icLabel, owner: label, keyPrefix: `${agent.name}.sources.${name}.interceptors.${ic}.`,
      });
      if (!part) {
        icOk = false;
        continue;
      }
      interceptors.push(part);
    }
    for (const k of t.comp.props.keys()) {
      if (!k.startsWith('interceptors.')) continue;
      const icName = k.slice('interceptors.'.length).split('.')[0]!;
      if (!(icList?.value.split(/\s+/) ?? []).includes(icName)) {
        const e = t.comp.props.get(k)!;
        diagnostics.push({
          severity: 'warning', code: 'unlisted-component', at: e.keyAt, key: e.fullKey,
          message: `${label}: interceptor ${icName} is configured but not listed in ${agent.name}.sources.${name}.interceptors`,
          flume: 'Flume ignores it',
        });
      }
    }
    if (!icOk) {
      drop('source', name, 'interceptor configuration error');
      continue;
    }
    plan.sources.push({
      name, spec: t.spec, config: parsed.config!, raw: rawOf(t.comp.props), channels: chans,
      selector: selector!, interceptors,
    });
  }

  // ---- channels nobody uses are removed by Flume
  const used = new Set<string>([...plan.sinks.map((s) => s.channel), ...plan.sources.flatMap((s) => s.channels)]);
  plan.channels = plan.channels.filter((c) => {
    if (used.has(c.name)) return true;
    const comp = agent.components.get('channels')!.get(c.name)!;
    diagnostics.push({
      severity: 'warning', code: 'unused-channel', at: comp.at,
      message: `channel ${c.name} has no source or sink connected`,
      flume: `Flume removes it ("Channel ${c.name} has no components connected and has been removed")`,
    });
    drop('channel', c.name, 'no components connected');
    return false;
  });
  if (plan.sources.length === 0 && plan.sinks.length === 0) {
    diagnostics.push({
      severity: 'error', code: 'empty-agent', at: [...agent.lists.values()][0]?.keyAt,
      message: `agent ${agent.name} has no valid source and no valid sink`,
      flume: `Flume removes agent ${agent.name} ("Agent configuration invalid")`,
    });
  }
  return plan;
}

/** A Java class name cannot be loaded: point to plugins (docs/plugins.md); otherwise a guess or the known types. */
function unknownTypeHint(type: string, guess: string | undefined, known: string[]): string {
  if (/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/.test(type.trim()) && /[A-Z]/.test(type) && !guess) {
    return 'custom Java classes cannot run in flume-ts; write the component in JavaScript/TypeScript as a plugin and name its module: '
      + 'type = ./my-component.js or an npm package name (docs/plugins.md)';
  }
  return guess ? `did you mean "${guess}"?` : `known: ${known.join(', ')}`;
}

export function countBySeverity(ds: readonly Diagnostic[]): { errors: number; warnings: number; infos: number } {
  let errors = 0, warnings = 0, infos = 0;
  for (const d of ds) {
    if (d.severity === 'error') errors++;
    else if (d.severity === 'warning') warnings++;
    else infos++;
  }
  return { errors, warnings, infos };
}
