/**
 * What every validation pass shares: the raw agent, the registry, the diagnostics found so far and the plan being
 * built, with the helpers the passes have in common (list reading, type resolution, nested-part parsing, drops).
 */
import type { Diagnostic, Location } from '../diagnostics.js';
import { didYouMean } from '../diagnostics.js';
import type { AnySpec, ComponentKind, ComponentLookup } from '../spec.js';
import type { PropMap, PropValue } from '../component-props.js';
import { parsePart, unknownTypeHint, type PartOptions } from '../parts.js';
import type { ConfigFilterContext } from '../config-filters.js';
import { SECTION_LABEL, type AgentPlan, type PartPlan, type RawAgent, type RawComponent, type Section } from '../plan.js';

export class ValidationContext {
  readonly plan: AgentPlan;
  /** transactionCapacity per parsed channel, for the batch size rule. */
  readonly txCap = new Map<string, number | undefined>();

  constructor(
    readonly agent: RawAgent,
    readonly registry: ComponentLookup,
    readonly diagnostics: Diagnostic[],
    readonly filters: ConfigFilterContext,
  ) {
    this.plan = { name: agent.name, channels: [], sources: [], sinks: [], sinkgroups: [], dropped: [] };
  }

  report(d: Diagnostic): void {
    this.diagnostics.push(d);
  }

  drop(kind: string, name: string, reason: string): void {
    this.plan.dropped.push({ kind, name, reason });
  }

  /** The names in `<agent>.<section>`, first occurrence of each, and where the list is. */
  listed(section: Section): { names: string[]; at?: Location } {
    const l = this.agent.lists.get(section);
    if (!l) return { names: [] };
    const names = [...new Set(l.value.split(/\s+/).filter((n) => n))];
    return { names, at: l.valueAt };
  }

  componentsOf(section: Section): Map<string, RawComponent> {
    return this.agent.components.get(section)!;
  }

  /** The listed component `name` with a known type, or undefined (reported and dropped). */
  typed(section: Section, name: string, kind: ComponentKind, listAt?: Location): { comp: RawComponent; spec: AnySpec } | undefined {
    const label = `${SECTION_LABEL[section]} ${name}`;
    const agent = this.agent.name;
    const comp = this.componentsOf(section).get(name);
    if (!comp) {
      const guess = didYouMean(name, [...this.componentsOf(section).keys()]);
      this.report({
        severity: 'error',
        code: 'missing-component',
        at: listAt,
        message: `${label} is listed in ${agent}.${section} but has no properties`,
        hint: guess ? `did you mean ${guess}?` : `add ${agent}.${section}.${name}.type = …`,
        flume: `Flume drops ${label}`,
      });
      this.drop(SECTION_LABEL[section], name, 'no properties');
      return undefined;
    }
    const type = comp.props.get('type');
    if (!type) {
      this.report({
        severity: 'error',
        code: 'missing-type',
        at: comp.at,
        message: `${label} has no type`,
        hint: `add ${agent}.${section}.${name}.type = …`,
        flume: `Flume drops ${label} ("Component has no type")`,
      });
      this.drop(SECTION_LABEL[section], name, 'no type');
      return undefined;
    }
    // Flume validates an unknown type as OTHER and fails only when the factory loads the class, outside the
    // configuration provider's error handling (AbstractConfigurationProvider.loadSources/loadSinks/getOrCreateChannel):
    // the FlumeException ends getConfiguration, so Flume 1.11 starts none of the agent (at a reload: keeps the old one).
    const flume =
      `Flume 1.11 refuses the WHOLE agent ${agent}: "Unable to load ${kind} type: ${type.value}" is thrown outside its ` +
      `configuration error handling, so no component starts (flume-ts drops only ${label} and runs the rest)`;
    const spec = this.resolveType(kind, type, { label, flume });
    if (!spec) this.drop(SECTION_LABEL[section], name, `unknown type ${type.value}`);
    return spec ? { comp, spec } : undefined;
  }

  /** Resolves a `type` value, reporting an unknown type with a did-you-mean. */
  resolveType(kind: ComponentKind, type: PropValue, o: { label: string; flume: string }, typeValue = type.value): AnySpec | undefined {
    const spec = this.registry.resolve(kind, typeValue);
    if (spec) return spec;
    const guess = this.registry.suggest(kind, typeValue);
    this.report({
      severity: 'error',
      code: 'unknown-type',
      key: type.fullKey,
      at: type.valueAt,
      message: `${o.label}: unknown ${kind} type "${typeValue}"`,
      hint: unknownTypeHint(typeValue, guess, this.registry.types(kind)),
      flume: o.flume,
    });
    return undefined;
  }

  /** Resolves and parses a nested part of a component (selector, interceptor, sink processor): see parts.ts. */
  parsePart(
    kind: ComponentKind,
    name: string,
    type: string,
    typeProp: PropValue | undefined,
    props: PropMap,
    o: PartOptions,
  ): PartPlan | undefined {
    return parsePart(this.registry, this.diagnostics, { kind, name, type, typeProp, props }, o);
  }

  /** Flume's batchSize ≤ transactionCapacity rule for a source or sink and its channels; false when violated. */
  batchFits(label: string, spec: AnySpec, config: Record<string, unknown>, channels: readonly string[], props: PropMap): boolean {
    const bs = spec.batchSize?.(config as never);
    if (bs === undefined) return true;
    for (const c of channels) {
      const cap = this.txCap.get(c);
      if (cap !== undefined && bs > cap) {
        const at = [...props.values()].find((p) => /batch/i.test(p.key))?.valueAt;
        this.report({
          severity: 'error',
          code: 'batch-exceeds-transaction-capacity',
          at,
          message: `${label}: batch size ${bs} is greater than channel ${c}'s transactionCapacity ${cap}`,
          hint: `lower the batch size or raise ${this.agent.name}.channels.${c}.transactionCapacity`,
          flume: `Flume drops ${label} ("Incompatible source and channel settings defined")`,
        });
        return false;
      }
    }
    return true;
  }

  /** Channels that parsed (the active set). */
  activeChannels(): Set<string> {
    return new Set(this.plan.channels.map((c) => c.name));
  }
}

/** One named validation pass: reads the raw agent, reports diagnostics, adds to the plan. */
export interface ValidationPass {
  readonly name: string;
  run(ctx: ValidationContext): void;
}
