/**
 * Validation as named passes, composed here in Flume's order: config filters first (they change values), then
 * names, channels, sinks, sink groups, sources, and the graph. Each pass reports diagnostics and adds to the plan.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { ComponentLookup } from '../spec.js';
import { applyConfigFilters, type ConfigFilterContext } from '../config-filters.js';
import type { AgentPlan, RawAgent } from '../plan.js';
import { ValidationContext, type ValidationPass } from './context.js';
import { namesPass } from './names.js';
import { channelsPass } from './channels.js';
import { sinksPass } from './sinks.js';
import { sinkGroupsPass } from './sinkgroups.js';
import { sourcesPass } from './sources.js';
import { graphPass } from './graph.js';

const configFiltersPass: ValidationPass = {
  name: 'config filters',
  run: (ctx) => applyConfigFilters(ctx.agent, ctx.filters, ctx.diagnostics),
};

export const PASSES: readonly ValidationPass[] = [
  configFiltersPass,
  namesPass,
  channelsPass,
  sinksPass,
  sinkGroupsPass,
  sourcesPass,
  graphPass,
];

export function validateAgent(
  agent: RawAgent,
  registry: ComponentLookup,
  diagnostics: Diagnostic[],
  filters: ConfigFilterContext,
): AgentPlan {
  const ctx = new ValidationContext(agent, registry, diagnostics, filters);
  for (const pass of PASSES) pass.run(ctx);
  return ctx.plan;
}
