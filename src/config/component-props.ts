import type { Diagnostic, Location } from './diagnostics.js';
import { didYouMean } from './diagnostics.js';
import { parseValue, subEntries, type AnySpec, type PropSpec } from './spec.js';

/** One property of a component after substitution and Flume's trim; `key` is relative to the component. */
export interface PropValue {
  key: string;
  fullKey: string;
  value: string;
  keyAt: Location;
  valueAt: Location;
}

export type PropMap = Map<string, PropValue>;

export interface ParsedComponent {
  config?: Record<string, unknown>;
  diagnostics: Diagnostic[];
  /** False when Flume would fail to configure this component (it is dropped). */
  ok: boolean;
  /** Not ok only because of flume-ts limits (SpecProblem.limit): Flume 1.11 would run this component. */
  limitOnly?: boolean;
}

/** The drop reason of a component refused only by flume-ts limits. */
export const LIMIT_REASON = 'a flume-ts limit; Flume 1.11 accepts it';

/** validate's wording for a flume-ts limit (a configuration Flume 1.11 accepts and flume-ts cannot run). */
export const limitWording = (label: string): string =>
  `Flume 1.11 accepts this; a flume-ts limit: flume-ts cannot run it and drops ${label}`;

export function rawOf(props: PropMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of props) out[k] = v.value;
  return out;
}

/** The located properties under `prefix`, prefix removed (Flume's Context.getSubProperties: spec.ts subEntries). */
export function subProps(props: PropMap, prefix: string): PropMap {
  return new Map(subEntries(props, prefix).map(([key, v]) => [key, { ...v, key }]));
}

/**
 * Parses a component's properties against its spec, with Flume's rules: a missing required property or a bad number
 * fails the component (Flume drops it), unknown keys are warnings (Flume silently ignores them).
 * `frameworkKeys` are keys handled by the config model (type, channels, selector.*, …) and `dropLabel` names the
 * component in messages ("source r1").
 */
export function parseComponent(
  spec: AnySpec,
  props: PropMap,
  opts: { label: string; at?: Location; frameworkKeys?: (key: string) => boolean; keyPrefix?: string },
): ParsedComponent {
  const diagnostics: Diagnostic[] = [];
  const config: Record<string, unknown> = {};
  let ok = true;
  let propsFailed = false;
  let flumeRefuses = false;
  const known = new Set<string>();
  const specProps = spec.properties as Record<string, PropSpec>;
  for (const [name, p] of Object.entries(specProps)) {
    known.add(name);
    const names = [name, ...(p.aliases ?? [])];
    let entry: PropValue | undefined;
    for (const n of names) {
      const e = props.get(n);
      if (e && !entry) {
        // the current name wins over an older alias, as in Flume
        entry = e;
        if (n !== name) {
          diagnostics.push({
            severity: 'info',
            code: 'alias-property',
            key: e.fullKey,
            at: e.keyAt,
            message: `${opts.label}: "${n}" is read as "${name}"`,
          });
        }
      }
      known.add(n);
    }
    if (!entry) {
      if (p.required) {
        ok = false;
        propsFailed = true;
        diagnostics.push({
          severity: 'error',
          code: 'missing-property',
          at: opts.at,
          message: `${opts.label}: required property "${name}" is not set`,
          hint: `add ${opts.keyPrefix ?? ''}${name} = …`,
          flume: `Flume drops ${opts.label} ("Required parameter ${name} must exist")`,
        });
      }
      config[name] = p.default;
      continue;
    }
    const parsed = parseValue(p, entry.value);
    const shown = p.secret ? '<secret>' : undefined;
    if (!parsed.ok) {
      ok = false;
      propsFailed = true;
      diagnostics.push({
        severity: 'error',
        code: 'invalid-value',
        key: entry.fullKey,
        at: entry.valueAt,
        message: `${entry.fullKey}: ${shown ? 'invalid value' : parsed.message}`,
        flume: `Flume drops ${opts.label}`,
      });
      config[name] = p.default;
      continue;
    }
    if (parsed.message) {
      diagnostics.push({
        severity: parsed.severity ?? 'warning',
        code: 'suspicious-value',
        key: entry.fullKey,
        at: entry.valueAt,
        message: `${entry.fullKey}: ${parsed.message}`,
      });
    }
    config[name] = parsed.value;
  }
  const prefixes = Object.keys(spec.prefixes ?? {});
  for (const [k, e] of props) {
    if (known.has(k) || opts.frameworkKeys?.(k) || prefixes.some((p) => k.startsWith(p))) continue;
    const guess = didYouMean(k, [...known, ...prefixes.map((p) => p + '…')]);
    diagnostics.push({
      severity: 'warning',
      code: 'unknown-property',
      key: e.fullKey,
      at: e.keyAt,
      message: `${e.fullKey}: "${k}" is not a property of ${spec.kind} type ${spec.type}`,
      hint: guess ? `did you mean "${guess}"?` : `known properties: ${[...Object.keys(specProps)].join(', ') || '(none)'}`,
      flume: 'Flume ignores it silently',
    });
  }
  if (ok && spec.check) {
    for (const pr of spec.check(config as never, rawOf(props))) {
      const e = pr.prop ? props.get(pr.prop) : undefined;
      const sev = pr.severity ?? 'error';
      if (sev === 'error') ok = false;
      diagnostics.push({
        severity: sev,
        code: 'invalid-combination',
        key: e?.fullKey,
        at: e?.valueAt ?? opts.at,
        message: `${opts.label}: ${pr.message}`,
        hint: pr.hint,
        flume: sev !== 'error' ? undefined : pr.limit ? limitWording(opts.label) : `Flume drops ${opts.label}`,
      });
      if (sev === 'error' && !pr.limit) flumeRefuses = true;
    }
  }
  return { config: ok ? config : undefined, diagnostics, ok, limitOnly: !ok && !flumeRefuses && !propsFailed };
}
