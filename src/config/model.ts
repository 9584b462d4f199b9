/**
 * Flume's configuration model (conf/FlumeConfiguration.java, node/AbstractConfigurationProvider.java), with positions:
 * `<agent>.sources|channels|sinks|sinkgroups|configfilters` lists and `<agent>.<section>.<name>.<key>` properties.
 * It validates with Flume's rules — what Flume 1.11 drops, this drops too — and reports every problem with its
 * location, what Flume would do, and a did-you-mean.
 */
import type { Diagnostic, PropertyEntry } from './diagnostics.js';
import { didYouMean, sortDiagnostics } from './diagnostics.js';
import { parseProperties } from './properties.js';
import type { Registry } from './registry.js';
import { substitute, defaultSysProps } from './substitute.js';
import type { PropValue } from './component-props.js';
import { SECTIONS, type AgentPlan, type RawAgent, type Section } from './plan.js';
import { validateAgent } from './passes/index.js';

export type { Section, PartPlan, SourcePlan, SinkPlan, SinkGroupPlan, AgentPlan } from './plan.js';

export interface ConfigFile {
  file: string;
  text: string;
}

export interface LoadOptions {
  /** -Dkey=value flags (Java system properties). */
  sysProps?: Record<string, string>;
  env?: Record<string, string | undefined>;
}

export interface LoadResult {
  plan?: AgentPlan;
  diagnostics: Diagnostic[];
  /** Every agent name found in the files. */
  agents: string[];
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
          severity: 'info',
          code: 'duplicate-property',
          key: e.key,
          at: e.keyAt,
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
        severity: 'warning',
        code: 'unresolved-variable',
        key: k,
        at: e.valueAt,
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
        severity: 'warning',
        code: 'invalid-key',
        key,
        at: e.keyAt,
        message: `"${key}" has no agent prefix (expected <agent>.<section>.…)`,
        flume: 'Flume ignores it ("Configuration property ignored")',
      });
      continue;
    }
    if (value === '') {
      diagnostics.push({
        severity: 'warning',
        code: 'empty-value',
        key,
        at: e.keyAt,
        message: `${key} has an empty value`,
        flume: 'Flume ignores it ("Configuration property ignored")',
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
        severity: 'warning',
        code: 'unknown-section',
        key,
        at: e.keyAt,
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
        severity: 'warning',
        code: 'invalid-key',
        key,
        at: e.keyAt,
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
      severity: 'error',
      code: 'unknown-agent',
      at: files[0] ? { file: files[0].file, line: 1, col: 1 } : undefined,
      message: `no configuration for agent "${agentName}"; agents found: ${names.length ? names.join(', ') : '(none)'}`,
      hint: guess ? `did you mean --name ${guess}?` : 'pass the agent prefix used in the file with --name',
      flume: `Flume logs "No configuration found for this host:${agentName}" and runs an empty agent`,
    });
    return { diagnostics: sortDiagnostics(diagnostics), agents: names };
  }
  // keys of other agents are fine; diagnostics that belong to other agents' keys are dropped for clarity
  const own = diagnostics.filter(
    (d) => !d.key || d.key.startsWith(agentName + '.') || !names.some((n) => n !== agentName && d.key!.startsWith(n + '.')),
  );
  const plan = validateAgent(raw, registry, own, { env: opts.env ?? process.env });
  return { plan, diagnostics: sortDiagnostics(own), agents: names };
}

export function countBySeverity(ds: readonly Diagnostic[]): { errors: number; warnings: number; infos: number } {
  let errors = 0,
    warnings = 0,
    infos = 0;
  for (const d of ds) {
    if (d.severity === 'error') errors++;
    else if (d.severity === 'warning') warnings++;
    else infos++;
  }
  return { errors, warnings, infos };
}
