/** Pass "sources": each source's type, channels (active ones), properties, batch size, selector and interceptors. */
import { didYouMean } from '../diagnostics.js';
import { LIMIT_REASON, parseComponent, rawOf, subProps, type PropMap } from '../component-props.js';
import { DEFAULT_SELECTOR_TYPE, frameworkKeysOf } from '../framework-keys.js';
import type { PartPlan, RawComponent } from '../plan.js';
import type { ValidationContext, ValidationPass } from './context.js';

/** The source's active channels (in list order, once each); undefined when it has none (reported and dropped). */
function sourceChannels(ctx: ValidationContext, name: string, comp: RawComponent): string[] | undefined {
  const agent = ctx.agent.name;
  const label = `source ${name}`;
  const active = ctx.activeChannels();
  const chProp = comp.props.get('channels');
  if (!chProp) {
    const singular = comp.props.get('channel');
    ctx.report({
      severity: 'error',
      code: 'missing-channel',
      at: singular?.keyAt ?? comp.at,
      message: `${label} has no channels`,
      hint: singular
        ? `a source lists channels: write ${agent}.sources.${name}.channels (plural)`
        : `add ${agent}.sources.${name}.channels = …`,
      flume: `Flume drops ${label} ("No Channels configured for ${name}")`,
    });
    ctx.drop('source', name, 'no channels');
    return undefined;
  }
  const chans: string[] = [];
  for (const c of chProp.value.split(/\s+/)) {
    if (active.has(c)) {
      if (!chans.includes(c)) chans.push(c);
      continue;
    }
    const guess = didYouMean(c, [...active]);
    ctx.report({
      severity: 'warning',
      code: 'unknown-channel',
      key: chProp.fullKey,
      at: chProp.valueAt,
      message: `${label}: channel "${c}" is not an active channel`,
      hint: guess ? `did you mean "${guess}"?` : `active channels: ${[...active].join(', ') || '(none)'}`,
      flume: "Flume silently leaves it out of the source's channels",
    });
  }
  if (chans.length === 0) {
    ctx.report({
      severity: 'error',
      code: 'no-active-channel',
      at: chProp.valueAt,
      message: `${label}: none of its channels is active`,
      flume: `Flume drops ${label} ("No Channels configured for ${name}")`,
    });
    ctx.drop('source', name, 'no active channels');
    return undefined;
  }
  return chans;
}

/** The selector; channels it names must be among the source's (Flume: "Selector channel not found"). */
function sourceSelector(ctx: ValidationContext, name: string, comp: RawComponent, chans: readonly string[]): PartPlan | undefined {
  const label = `source ${name}`;
  const selProps = subProps(comp.props, 'selector.');
  const selTypeProp = selProps.get('type');
  const selector = ctx.parsePart('selector', 'selector', selTypeProp?.value || DEFAULT_SELECTOR_TYPE, selTypeProp, selProps, {
    label: `${label} selector`,
    owner: label,
    at: comp.at,
    keyPrefix: `${ctx.agent.name}.sources.${name}.selector.`,
  });
  if (!selector) return undefined;
  let ok = true;
  for (const [k, v] of selProps) {
    if (k === 'type' || k === 'header' || k === 'policy') continue;
    for (const c of v.value.split(/\s+/)) {
      if (chans.includes(c)) continue;
      const guess = didYouMean(c, chans);
      ctx.report({
        severity: 'error',
        code: 'unknown-channel',
        key: v.fullKey,
        at: v.valueAt,
        message: `${label}: selector names channel "${c}", which is not one of the source's active channels (${chans.join(' ')})`,
        hint: guess ? `did you mean "${guess}"?` : undefined,
        flume: `Flume drops ${label} ("Selector channel not found: ${c}")`,
      });
      ok = false;
    }
  }
  return ok ? selector : undefined;
}

/** The interceptors in list order; undefined when one is invalid (Flume drops the source). */
function sourceInterceptors(ctx: ValidationContext, name: string, props: PropMap): PartPlan[] | undefined {
  const agent = ctx.agent.name;
  const label = `source ${name}`;
  const interceptors: PartPlan[] = [];
  let ok = true;
  const icList = props.get('interceptors');
  const listedNames = icList ? icList.value.split(/\s+/) : [];
  for (const ic of listedNames) {
    const icProps = subProps(props, `interceptors.${ic}.`);
    const icType = icProps.get('type');
    const icLabel = `${label} interceptor ${ic}`;
    if (!icType) {
      ctx.report({
        severity: 'error',
        code: 'missing-type',
        at: icList!.valueAt,
        message: `${icLabel} has no type`,
        hint: `add ${agent}.sources.${name}.interceptors.${ic}.type = …`,
        flume: `Flume drops ${label}`,
      });
      ok = false;
      continue;
    }
    const part = ctx.parsePart('interceptor', ic, icType.value, icType, icProps, {
      label: icLabel,
      owner: label,
      keyPrefix: `${agent}.sources.${name}.interceptors.${ic}.`,
    });
    if (part) interceptors.push(part);
    else ok = false;
  }
  for (const [k, e] of props) {
    if (!k.startsWith('interceptors.')) continue;
    const icName = k.slice('interceptors.'.length).split('.')[0]!;
    if (listedNames.includes(icName)) continue;
    ctx.report({
      severity: 'warning',
      code: 'unlisted-component',
      at: e.keyAt,
      key: e.fullKey,
      message: `${label}: interceptor ${icName} is configured but not listed in ${agent}.sources.${name}.interceptors`,
      flume: 'Flume ignores it',
    });
  }
  return ok ? interceptors : undefined;
}

function validateSource(ctx: ValidationContext, name: string, listAt: Parameters<ValidationContext['typed']>[3]): void {
  const t = ctx.typed('sources', name, 'source', listAt);
  if (!t) return;
  const label = `source ${name}`;
  const chans = sourceChannels(ctx, name, t.comp);
  if (!chans) return;
  const parsed = parseComponent(t.spec, t.comp.props, {
    label,
    at: t.comp.at,
    keyPrefix: `${ctx.agent.name}.sources.${name}.`,
    frameworkKeys: frameworkKeysOf('sources'),
  });
  ctx.diagnostics.push(...parsed.diagnostics);
  const why = (): string | undefined => {
    if (!parsed.ok) return parsed.limitOnly ? LIMIT_REASON : 'configuration error';
    if (!ctx.batchFits(label, t.spec, parsed.config!, chans, t.comp.props)) return 'batch size above transactionCapacity';
    selector = sourceSelector(ctx, name, t.comp, chans);
    if (!selector) return 'selector configuration error';
    interceptors = sourceInterceptors(ctx, name, t.comp.props);
    if (!interceptors) return 'interceptor configuration error';
    return undefined;
  };
  let selector: PartPlan | undefined;
  let interceptors: PartPlan[] | undefined;
  const dropped = why();
  if (dropped !== undefined || !selector || !interceptors) {
    ctx.drop('source', name, dropped ?? 'configuration error');
    return;
  }
  ctx.plan.sources.push({ name, spec: t.spec, config: parsed.config!, raw: rawOf(t.comp.props), channels: chans, selector, interceptors });
}

export const sourcesPass: ValidationPass = {
  name: 'sources',
  run(ctx: ValidationContext): void {
    const list = ctx.listed('sources');
    for (const name of list.names) validateSource(ctx, name, list.at);
  },
};
