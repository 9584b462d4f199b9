import { defineComponent, prop, type SpecProblem } from '../../config/spec.js';
import type { Event } from '../../core/event.js';
import { javaSplit } from '../shared/java-split.js';
import { compileJavaRegex, javaRegexProblem } from './java-regex.js';

export const removeHeaderInterceptor = defineComponent({
  kind: 'interceptor',
  type: 'remove_header',
  fqcn: 'org.apache.flume.interceptor.RemoveHeaderInterceptor$Builder',
  summary: 'Removes headers: one by name, those in a list, and/or those whose name matches a regex.',
  notes:
    "Regexes are Java regexes translated to JavaScript (see the regex_filter notes); `matching` must match the whole header name, as Java's matches().",
  properties: {
    withName: prop.string({ doc: 'Name of one header to remove.' }),
    fromList: prop.string({ doc: 'List of header names to remove, separated by fromListSeparator.' }),
    fromListSeparator: prop.string({ default: '\\s*,\\s*', doc: 'Java regex separating the names in fromList.' }),
    matching: prop.string({ doc: 'Java regex: every header whose whole name matches is removed.' }),
  },
  check: (c) => {
    const out: SpecProblem[] = [];
    for (const key of ['fromListSeparator', 'matching'] as const) {
      const v = c[key];
      if (v === undefined) continue;
      const p = javaRegexProblem(v);
      if (p) out.push({ prop: key, message: `${key}: ${p}` });
    }
    return out;
  },
  create: (c) => {
    const withName = c.withName;
    const fromList = c.fromList === undefined ? undefined : new Set(javaSplit(c.fromList, compileJavaRegex(c.fromListSeparator).regex));
    const match = c.matching === undefined ? undefined : compileJavaRegex(c.matching);
    const full = match ? new RegExp(`(?<![\\s\\S])(?:${match.source})(?![\\s\\S])`, match.flags) : undefined;
    return {
      intercept(events: Event[]): Event[] {
        for (const e of events) {
          const h = e.headers;
          if (withName !== undefined && Object.hasOwn(h, withName)) delete h[withName];
          if (fromList || full) {
            for (const k of Object.keys(h)) {
              if (fromList?.has(k)) delete h[k];
              else if (full?.test(k)) delete h[k];
            }
          }
        }
        return events;
      },
    };
  },
});
