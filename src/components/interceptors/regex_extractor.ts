import { defineComponent, prop, type SpecProblem } from '../../config/spec.js';
import type { Event } from '../../core/event.js';
import { compileJavaRegex, javaRegexProblem } from './java-regex.js';
import { compileJoda, JodaPatternError } from './joda.js';
import { ConfigError } from '../../core/errors.js';

export const MILLIS_SERIALIZER = 'org.apache.flume.interceptor.RegexExtractorInterceptorMillisSerializer';
export const PASSTHROUGH_SERIALIZER = 'org.apache.flume.interceptor.RegexExtractorInterceptorPassThroughSerializer';

interface NamedSerializer {
  header: string;
  serialize: (value: string) => string | undefined;
}

/** Reads `serializers` and `serializers.<s>.*` the way Flume's Builder does; returns problems instead of throwing. */
function buildSerializers(list: string, raw: Readonly<Record<string, string>>, problems: SpecProblem[]): NamedSerializer[] {
  const out: NamedSerializer[] = [];
  const names = list.trim() === '' ? [] : list.trim().split(/\s+/);
  if (names.length === 0) problems.push({ prop: 'serializers', message: 'Must supply at least one name and serializer' });
  for (const s of names) {
    const p = `serializers.${s}.`;
    const type = raw[p + 'type']?.trim() ?? 'DEFAULT';
    const name = raw[p + 'name']?.trim();
    if (!name) {
      problems.push({
        prop: 'serializers',
        message: `serializer "${s}": ${p}name is not set (Supplied name cannot be empty.)`,
        hint: `add serializers.${s}.name = <header name>`,
      });
      continue;
    }
    if (type === 'DEFAULT' || type === PASSTHROUGH_SERIALIZER) {
      out.push({ header: name, serialize: (v) => v });
    } else if (type === MILLIS_SERIALIZER) {
      const pattern = raw[p + 'pattern']?.trim();
      if (!pattern) {
        problems.push({ prop: p + 'type', message: `serializer "${s}": Must configure with a valid pattern (${p}pattern)` });
        continue;
      }
      try {
        const joda = compileJoda(pattern);
        // Consecutive log lines mostly carry the same timestamp text: remember the last one.
        let lastIn: string | undefined;
        let lastOut: string | undefined;
        out.push({
          header: name,
          serialize: (v) => {
            if (v === lastIn) return lastOut;
            const ms = joda.parse(v);
            lastIn = v;
            lastOut = ms === undefined ? undefined : String(ms);
            return lastOut;
          },
        });
      } catch (err) {
        if (!(err instanceof JodaPatternError)) throw err;
        problems.push({ prop: p + 'pattern', message: `serializer "${s}": ${err.message}` });
      }
    } else {
      problems.push({
        prop: p + 'type',
        message: `serializer "${s}": unknown serializer type "${type}"`,
        hint:
          type.toUpperCase() === 'DEFAULT'
            ? 'Flume compares the type with "DEFAULT" case-sensitively: write DEFAULT (or leave the type out)'
            : `use DEFAULT or ${MILLIS_SERIALIZER}`,
      });
    }
  }
  return out;
}

export const regexExtractorInterceptor = defineComponent({
  kind: 'interceptor',
  type: 'regex_extractor',
  fqcn: 'org.apache.flume.interceptor.RegexExtractorInterceptor$Builder',
  summary: 'On the first match of a Java regex in the body (UTF-8), puts capture group i into the header named by serializer i.',
  notes:
    "Serializer types: DEFAULT (case-sensitive, as in Flume's code; the value as is) and org.apache.flume.interceptor.RegexExtractorInterceptorMillisSerializer (a Joda-Time `pattern` → epoch milliseconds; supported letters y Y u M MMM MMMM d D H k h K a m s S E Z ZZ and quoted text; not z, ZZZ, G, C, w, e, x; English names; local time zone unless the text has an offset). A group that did not participate, or a value the millis pattern cannot parse, leaves that header unset and logs a warning (Flume stores a null header, or fails the whole batch). The regex is translated from Java as for regex_filter.",
  properties: {
    regex: prop.string({ required: true, doc: 'Java regex; its groups are extracted.' }),
    serializers: prop.string({ required: true, doc: 'Space-separated serializer names, one per group, in order.' }),
  },
  prefixes: {
    'serializers.': 'serializers.<s>.name (header), serializers.<s>.type (DEFAULT or the millis serializer class), serializers.<s>.pattern',
  },
  check: (c, raw) => {
    const problems: SpecProblem[] = [];
    if (c.regex === '') problems.push({ prop: 'regex', message: 'Must supply a valid regex string' });
    else {
      const p = javaRegexProblem(c.regex);
      if (p) problems.push({ prop: 'regex', message: `regex: ${p}` });
    }
    buildSerializers(c.serializers, raw, problems);
    return problems;
  },
  create: (c, ctx) => {
    const rx = compileJavaRegex(c.regex);
    const re = rx.regex;
    const problems: SpecProblem[] = [];
    const serializers = buildSerializers(c.serializers, ctx.raw, problems);
    if (problems.length > 0)
      throw new ConfigError(
        problems.map((p) => p.message).join('; '),
        problems.map((p) => ({ severity: 'error', code: 'invalid-combination', message: p.message, hint: p.hint })),
      );
    const n = Math.min(rx.groupCount, serializers.length);
    const logger = ctx.logger;
    let warned = 0;
    return {
      intercept(events: Event[]): Event[] {
        for (const e of events) {
          const m = re.exec(e.body.toString('utf8'));
          if (!m) continue;
          for (let g = 0; g < n; g++) {
            const s = serializers[g]!;
            const v = m[rx.groupIndex[g + 1]!];
            const out = v === undefined ? undefined : s.serialize(v);
            if (out === undefined) {
              if (warned++ % 1000 === 0) {
                logger.warn(
                  { header: s.header, group: g + 1 },
                  v === undefined
                    ? 'regex_extractor: group did not participate in the match; header left unset'
                    : 'regex_extractor: value does not match the serializer pattern; header left unset',
                );
              }
              continue;
            }
            e.headers[s.header] = out;
          }
        }
        return events;
      },
    };
  },
});
