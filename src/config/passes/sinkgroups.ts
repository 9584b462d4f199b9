/** Pass "sink groups": each group's sinks (active, in one group only) and its sink processor. */
import { didYouMean } from '../diagnostics.js';
import { subProps, type PropValue } from '../component-props.js';
import { DEFAULT_SINKPROCESSOR_TYPE, frameworkKeysOf } from '../framework-keys.js';
import type { RawComponent } from '../plan.js';
import type { ValidationContext, ValidationPass } from './context.js';

/** The group's members: active sinks not already in another group. */
function members(ctx: ValidationContext, label: string, sinksProp: PropValue, grouped: Map<string, string>): string[] {
  const activeSinks = new Set(ctx.plan.sinks.map((s) => s.name));
  const out: string[] = [];
  for (const s of sinksProp.value.split(/\s+/)) {
    if (!activeSinks.has(s)) {
      const guess = didYouMean(s, [...activeSinks]);
      ctx.report({
        severity: 'warning',
        code: 'unknown-sink',
        at: sinksProp.valueAt,
        message: `${label}: sink "${s}" is not an active sink`,
        hint: guess ? `did you mean "${guess}"?` : undefined,
        flume: 'Flume leaves it out of the group',
      });
    } else if (grouped.has(s)) {
      ctx.report({
        severity: 'warning',
        code: 'sink-in-two-groups',
        at: sinksProp.valueAt,
        message: `${label}: sink ${s} already belongs to sink group ${grouped.get(s)}`,
        flume: 'Flume leaves it out of this group (PROPERTY_PART_OF_ANOTHER_GROUP)',
      });
    } else out.push(s);
  }
  return out;
}

function reportUnknownKeys(ctx: ValidationContext, comp: RawComponent): void {
  const isFramework = frameworkKeysOf('sinkgroups');
  for (const [k, e] of comp.props) {
    if (isFramework(k)) continue;
    ctx.report({
      severity: 'warning',
      code: 'unknown-property',
      at: e.keyAt,
      key: e.fullKey,
      message: `${e.fullKey}: not a sink group property (sinks, processor.*)`,
      flume: 'Flume ignores it',
    });
  }
}

export const sinkGroupsPass: ValidationPass = {
  name: 'sink groups',
  run(ctx: ValidationContext): void {
    const agent = ctx.agent.name;
    const list = ctx.listed('sinkgroups');
    const grouped = new Map<string, string>();
    for (const name of list.names) {
      const comp = ctx.componentsOf('sinkgroups').get(name);
      const label = `sink group ${name}`;
      const sinksProp = comp?.props.get('sinks');
      if (!comp || !sinksProp) {
        ctx.report({
          severity: 'error',
          code: 'missing-property',
          at: comp?.at ?? list.at,
          message: `${label} has no sinks list`,
          hint: `add ${agent}.sinkgroups.${name}.sinks = k1 k2`,
          flume: `Flume drops ${label}`,
        });
        ctx.drop('sink group', name, 'no sinks');
        continue;
      }
      const sinks = members(ctx, label, sinksProp, grouped);
      if (sinks.length === 0) {
        ctx.report({
          severity: 'error',
          code: 'empty-sink-group',
          at: sinksProp.valueAt,
          message: `${label} has no valid sinks`,
          flume: `Flume drops ${label}`,
        });
        ctx.drop('sink group', name, 'no valid sinks');
        continue;
      }
      const procProps = subProps(comp.props, 'processor.');
      const processor = ctx.parsePart(
        'sinkprocessor',
        name,
        procProps.get('type')?.value ?? DEFAULT_SINKPROCESSOR_TYPE,
        procProps.get('type'),
        procProps,
        {
          label: `${label} processor`,
          owner: label,
          at: comp.at,
          keyPrefix: `${agent}.sinkgroups.${name}.processor.`,
        },
      );
      reportUnknownKeys(ctx, comp);
      if (!processor) {
        ctx.drop('sink group', name, 'sink processor configuration error');
        continue;
      }
      for (const m of sinks) grouped.set(m, name);
      ctx.plan.sinkgroups.push({ name, sinks, processor });
    }
  },
};
