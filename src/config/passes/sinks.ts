/** Pass "sinks": each sink's type, its one channel (which must be active), properties, serializer part and batch size. */
import { didYouMean } from '../diagnostics.js';
import { LIMIT_REASON, parseComponent, rawOf, type PropValue } from '../component-props.js';
import { frameworkKeysOf } from '../framework-keys.js';
import { parseDeclaredParts } from '../parts.js';
import type { RawComponent } from '../plan.js';
import type { ValidationContext, ValidationPass } from './context.js';

/** The sink's channel when it names an active one; otherwise reported and undefined. */
function sinkChannel(ctx: ValidationContext, name: string, comp: RawComponent, active: Set<string>): PropValue | undefined {
  const agent = ctx.agent.name;
  const label = `sink ${name}`;
  const ch = comp.props.get('channel');
  if (!ch) {
    const plural = comp.props.get('channels');
    ctx.report({
      severity: 'error',
      code: 'missing-channel',
      at: plural?.keyAt ?? comp.at,
      message: `${label} has no channel`,
      hint: plural ? `a sink takes one channel: write ${agent}.sinks.${name}.channel (singular)` : `add ${agent}.sinks.${name}.channel = …`,
      flume: `Flume drops ${label}`,
    });
    ctx.drop('sink', name, 'no channel');
    return undefined;
  }
  if (!active.has(ch.value)) {
    const guess = didYouMean(ch.value, [...active]);
    ctx.report({
      severity: 'error',
      code: 'unknown-channel',
      key: ch.fullKey,
      at: ch.valueAt,
      message: `${label}: channel "${ch.value}" is not an active channel`,
      hint: guess ? `did you mean "${guess}"?` : `active channels: ${[...active].join(', ') || '(none)'}`,
      flume: `Flume drops ${label} ("Channel ${ch.value} not in active set")`,
    });
    ctx.drop('sink', name, `channel ${ch.value} not active`);
    return undefined;
  }
  return ch;
}

export const sinksPass: ValidationPass = {
  name: 'sinks',
  run(ctx: ValidationContext): void {
    const list = ctx.listed('sinks');
    const active = ctx.activeChannels();
    for (const name of list.names) {
      const t = ctx.typed('sinks', name, 'sink', list.at);
      if (!t) continue;
      const label = `sink ${name}`;
      const ch = sinkChannel(ctx, name, t.comp, active);
      if (!ch) continue;
      const parsed = parseComponent(t.spec, t.comp.props, {
        label,
        at: t.comp.at,
        keyPrefix: `${ctx.agent.name}.sinks.${name}.`,
        frameworkKeys: frameworkKeysOf('sinks'),
      });
      ctx.diagnostics.push(...parsed.diagnostics);
      if (!parsed.ok) {
        ctx.drop('sink', name, parsed.limitOnly ? LIMIT_REASON : 'configuration error');
        continue;
      }
      const keyPrefix = `${ctx.agent.name}.sinks.${name}.`;
      const parts = parseDeclaredParts(ctx.registry, ctx.diagnostics, t.spec, parsed.config!, t.comp.props, {
        owner: label,
        at: t.comp.at,
        keyPrefix,
      });
      if (!parts.ok) {
        ctx.drop('sink', name, 'configuration error');
        continue;
      }
      if (!ctx.batchFits(label, t.spec, parsed.config!, [ch.value], t.comp.props)) {
        ctx.drop('sink', name, 'batch size above transactionCapacity');
        continue;
      }
      ctx.plan.sinks.push({
        name,
        spec: t.spec,
        config: parsed.config!,
        raw: rawOf(t.comp.props),
        channel: ch.value,
        serializer: parts.parts.serializer,
      });
    }
  },
};
