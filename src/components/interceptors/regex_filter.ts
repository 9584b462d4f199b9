import { defineComponent, prop, type SpecProblem } from '../../config/spec.js';
import type { Event } from '../../core/event.js';
import { compileJavaRegex, javaRegexProblem } from './java-regex.js';

export const regexFilterInterceptor = defineComponent({
  kind: 'interceptor',
  type: 'regex_filter',
  fqcn: 'org.apache.flume.interceptor.RegexFilteringInterceptor$Builder',
  summary: 'Keeps the events whose body (UTF-8 text) contains a match of a Java regex, or drops them with excludeEvents.',
  notes:
    "Java's find() semantics (a match anywhere in the body). The Java regex is translated to JavaScript once at start-up and checked against java.util.regex in the tests: possessive quantifiers and atomic groups (emulated exactly with a lookahead), \\p{Alpha}-style POSIX classes, \\p{L}/\\p{IsLatin} Unicode classes, \\Q…\\E, \\A, \\z, \\Z, \\h, \\v, \\R, Java's `.`, `$` and ASCII-only \\s, leading (?i)/(?s)/(?m). \\G, \\X, class intersections (&&), nested classes, Unicode blocks (\\p{InGreek}), (?x) and inline flags after the start are configuration errors.",
  properties: {
    regex: prop.string({ default: '.*', doc: 'Java regex searched for in the body.' }),
    excludeEvents: prop.boolean({ default: false, doc: 'Drop matching events instead of keeping them.' }),
  },
  check: (c) => {
    const p = javaRegexProblem(c.regex);
    return p ? [{ prop: 'regex', message: `regex: ${p}` } satisfies SpecProblem] : [];
  },
  create: (c, ctx) => {
    const re = compileJavaRegex(c.regex).regex;
    const exclude = c.excludeEvents;
    ctx.logger.info(`Creating RegexFilteringInterceptor: regex=${c.regex},excludeEvents=${exclude}`);
    if (c.regex === '.*') {
      // Matches every body: keep everything, or drop everything.
      return { intercept: (events: Event[]): Event[] => (exclude ? [] : events) };
    }
    return {
      intercept(events: Event[]): Event[] {
        const out: Event[] = [];
        for (const e of events) {
          if (re.test(e.body.toString('utf8')) !== exclude) out.push(e);
        }
        return out;
      },
    };
  },
});
