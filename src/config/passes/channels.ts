/** Pass "channels": the channels list, each channel's type and properties. */
import { LIMIT_REASON, parseComponent, rawOf } from '../component-props.js';
import { frameworkKeysOf } from '../framework-keys.js';
import type { ValidationContext, ValidationPass } from './context.js';

export const channelsPass: ValidationPass = {
  name: 'channels',
  run(ctx: ValidationContext): void {
    const agent = ctx.agent.name;
    const list = ctx.listed('channels');
    if (!ctx.agent.lists.get('channels')) {
      ctx.report({
        severity: 'error',
        code: 'no-channels',
        at: [...ctx.agent.lists.values()][0]?.keyAt,
        message: `agent ${agent} has no ${agent}.channels list`,
        flume: `Flume removes agent ${agent} ("Agent configuration invalid")`,
      });
    }
    for (const name of list.names) {
      const t = ctx.typed('channels', name, 'channel', list.at);
      if (!t) continue;
      const parsed = parseComponent(t.spec, t.comp.props, {
        label: `channel ${name}`,
        at: t.comp.at,
        keyPrefix: `${agent}.channels.${name}.`,
        frameworkKeys: frameworkKeysOf('channels'),
      });
      ctx.diagnostics.push(...parsed.diagnostics);
      if (!parsed.ok) {
        ctx.drop('channel', name, parsed.limitOnly ? LIMIT_REASON : 'configuration error');
        continue;
      }
      ctx.plan.channels.push({ name, spec: t.spec, config: parsed.config!, raw: rawOf(t.comp.props) });
      ctx.txCap.set(name, t.spec.transactionCapacity?.(parsed.config as never));
    }
  },
};
