/**
 * Nested parts of a component (a source's selector and interceptors, a sink group's processor, a sink's serializer):
 * the one path that resolves a part's type in the registry and parses its properties, keeping their real locations.
 * The validation passes and the unit-test helpers both go through here.
 */
import type { Diagnostic, Location } from './diagnostics.js';
import type { AnySpec, BaseContext, ComponentKind, ComponentLookup, SerializerFactory } from './spec.js';
import { parseComponent, rawOf, subProps, type PropMap, type PropValue } from './component-props.js';
import { isPartFrameworkKey } from './framework-keys.js';
import type { PartPlan } from './plan.js';
import type { EventSerializer } from '../core/serializer.js';

export interface PartOptions {
  /** Names the part in messages ("source r1 selector"). */
  label: string;
  /** The component that is dropped when the part is invalid ("source r1"). */
  owner: string;
  at?: Location;
  keyPrefix: string;
  /**
   * For a part whose type is a property of its owner rather than `<part>.type` (a sink's `sink.serializer`): that
   * property, named in messages; every key under it is the part's own option (no framework keys).
   */
  typeKey?: string;
}

/**
 * Resolves and parses a nested part: an unknown type or a bad property fails the owning component, as in Flume.
 * Diagnostics are appended to `diagnostics`.
 */
export function parsePart(
  lookup: ComponentLookup,
  diagnostics: Diagnostic[],
  part: { kind: ComponentKind; name: string; type: string; typeProp: PropValue | undefined; props: PropMap },
  o: PartOptions,
): PartPlan | undefined {
  const { kind, type, typeProp } = part;
  const spec = lookup.resolve(kind, type);
  if (!spec) {
    const guess = lookup.suggest(kind, type);
    diagnostics.push({
      severity: 'error',
      code: 'unknown-type',
      at: typeProp?.valueAt ?? o.at,
      key: typeProp?.fullKey,
      message: o.typeKey ? `${o.owner}: ${o.typeKey}: unknown ${kind} "${type}"` : `${o.label}: unknown ${kind} type "${type}"`,
      hint: unknownTypeHint(type, guess, lookup.types(kind)),
      flume: `Flume drops ${o.owner}`,
    });
    return undefined;
  }
  const parsed = parseComponent(spec, part.props, {
    label: o.label,
    at: typeProp?.keyAt ?? o.at,
    keyPrefix: o.keyPrefix,
    frameworkKeys: o.typeKey ? undefined : isPartFrameworkKey,
  });
  diagnostics.push(...parsed.diagnostics);
  return parsed.ok ? { name: part.name, spec, config: parsed.config!, raw: rawOf(part.props) } : undefined;
}

/** The parts a component's spec declares (today: a sink's serializer), parsed. */
export interface DeclaredParts {
  serializer?: PartPlan;
}

/**
 * Parses the nested parts `spec` declares, after the component's own properties parsed to `config`: a sink's
 * serializer from `<prop>` (its type, the property's default when unset) and `<prop>.*` (its options).
 * `ok` is false when a part is invalid (Flume cannot configure the owner).
 */
export function parseDeclaredParts(
  lookup: ComponentLookup,
  diagnostics: Diagnostic[],
  spec: AnySpec,
  config: Record<string, unknown>,
  props: PropMap,
  o: { owner: string; at?: Location; keyPrefix: string },
): { ok: boolean; parts: DeclaredParts } {
  const decl = spec.serializer;
  if (!decl || decl.when?.(config as never) === false) return { ok: true, parts: {} };
  const typeProp = props.get(decl.prop);
  const serializer = parsePart(
    lookup,
    diagnostics,
    {
      kind: 'serializer',
      name: 'serializer',
      type: String(config[decl.prop]),
      typeProp,
      props: subProps(props, `${decl.prop}.`),
    },
    {
      label: `${o.owner} serializer`,
      owner: o.owner,
      at: typeProp?.keyAt ?? o.at,
      keyPrefix: `${o.keyPrefix}${decl.prop}.`,
      typeKey: decl.prop,
    },
  );
  return serializer ? { ok: true, parts: { serializer } } : { ok: false, parts: {} };
}

/** What a sink's factory gets for its serializer part: a fresh serializer per output file. */
export function serializerFactory(part: PartPlan, owner: Omit<BaseContext, 'raw'>): SerializerFactory {
  const ctx: BaseContext = {
    name: `${owner.name}.serializer`,
    agent: owner.agent,
    logger: owner.logger,
    raw: part.raw,
    registry: owner.registry,
  };
  const spec = part.spec;
  return { spec, create: () => spec.create(part.config as never, ctx as never) as EventSerializer };
}

/** A Java class name cannot be loaded: point to plugins (docs/plugins.md); otherwise a guess or the known types. */
export function unknownTypeHint(type: string, guess: string | undefined, known: string[]): string {
  if (/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/.test(type.trim()) && /[A-Z]/.test(type) && !guess) {
    return (
      'custom Java classes cannot run in flume-ts; write the component in JavaScript/TypeScript as a plugin and name its module: ' +
      'type = ./my-component.js or an npm package name (docs/plugins.md)'
    );
  }
  return guess ? `did you mean "${guess}"?` : `known: ${known.join(', ')}`;
}
