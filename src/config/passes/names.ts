/** Pass "names": components configured but not listed in their section (Flume ignores them silently). */
import { didYouMean } from '../diagnostics.js';
import { SECTION_LABEL } from '../plan.js';
import type { ValidationContext, ValidationPass } from './context.js';

export const namesPass: ValidationPass = {
  name: 'names',
  run(ctx: ValidationContext): void {
    const agent = ctx.agent.name;
    for (const section of ['sources', 'channels', 'sinks', 'sinkgroups'] as const) {
      const { names } = ctx.listed(section);
      for (const comp of ctx.componentsOf(section).values()) {
        if (names.includes(comp.name)) continue;
        const guess = didYouMean(comp.name, names);
        ctx.report({
          severity: 'warning',
          code: 'unlisted-component',
          at: comp.at,
          message: `${SECTION_LABEL[section]} ${comp.name} is configured but not listed in ${agent}.${section}`,
          hint: guess ? `did you mean ${guess}?` : `add it: ${agent}.${section} = ${[...names, comp.name].join(' ')}`,
          flume: 'Flume ignores it',
        });
      }
    }
  },
};
