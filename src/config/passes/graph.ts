/** Pass "graph": channels nobody uses are removed (as Flume does); an agent with nothing to run is an error. */
import type { ValidationContext, ValidationPass } from './context.js';

export const graphPass: ValidationPass = {
  name: 'graph',
  run(ctx: ValidationContext): void {
    const { plan } = ctx;
    const used = new Set<string>([...plan.sinks.map((s) => s.channel), ...plan.sources.flatMap((s) => s.channels)]);
    plan.channels = plan.channels.filter((c) => {
      if (used.has(c.name)) return true;
      ctx.report({
        severity: 'warning',
        code: 'unused-channel',
        at: ctx.componentsOf('channels').get(c.name)!.at,
        message: `channel ${c.name} has no source or sink connected`,
        flume: `Flume removes it ("Channel ${c.name} has no components connected and has been removed")`,
      });
      ctx.drop('channel', c.name, 'no components connected');
      return false;
    });
    if (plan.sources.length === 0 && plan.sinks.length === 0) {
      ctx.report({
        severity: 'error',
        code: 'empty-agent',
        at: [...ctx.agent.lists.values()][0]?.keyAt,
        message: `agent ${ctx.agent.name} has no valid source and no valid sink`,
        flume: `Flume removes agent ${ctx.agent.name} ("Agent configuration invalid")`,
      });
    }
  },
};
