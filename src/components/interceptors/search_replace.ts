import { defineComponent, prop, type SpecProblem } from '../../config/spec.js';
import type { Event } from '../../core/event.js';
import { compileJavaRegex, compileJavaReplacement, JavaRegexError } from './java-regex.js';

interface Codec {
  decode(b: Buffer): string;
  encode(s: string): Buffer;
}

/** The Java charsets supported for body text (Java names and aliases, case-insensitive). */
export function javaCharset(name: string): Codec | undefined {
  switch (name.trim().toUpperCase().replace(/_/g, '-')) {
    case 'UTF-8':
    case 'UTF8':
      return { decode: (b) => b.toString('utf8'), encode: (s) => Buffer.from(s, 'utf8') };
    case 'ISO-8859-1':
    case 'ISO8859-1':
    case 'LATIN1':
    case 'ISO-LATIN-1':
    case 'L1':
      return { decode: (b) => b.toString('latin1'), encode: (s) => Buffer.from(s.replace(/[^\x00-\xFF]/gu, '?'), 'latin1') };
    case 'US-ASCII':
    case 'ASCII':
      return {
        decode: (b) => b.toString('latin1').replace(/[\x80-\xFF]/g, '\uFFFD'),
        encode: (s) => Buffer.from(s.replace(/[^\x00-\x7F]/gu, '?'), 'latin1'),
      };
    case 'UTF-16LE':
      return { decode: (b) => b.toString('utf16le'), encode: (s) => Buffer.from(s, 'utf16le') };
    default:
      return undefined;
  }
}

export const searchReplaceInterceptor = defineComponent({
  kind: 'interceptor',
  type: 'search_replace',
  fqcn: 'org.apache.flume.interceptor.SearchAndReplaceInterceptor$Builder',
  summary: 'Replaces every match of a Java regex in the body (Matcher.replaceAll: $1 and ${name} group references).',
  notes:
    "The Java regex is translated to JavaScript at start-up (possessive quantifiers, \\p{…} classes, \\A, \\z, Java's $ …); constructs with no JavaScript equivalent are a configuration error. A replacement with an illegal group reference ($ not followed by a group) is a configuration error here; Flume fails on every event. Charsets: UTF-8, ISO-8859-1, US-ASCII, UTF-16LE.",
  properties: {
    searchPattern: prop.string({ required: true, doc: 'Java regex to search for (may not be empty).' }),
    replaceString: prop.string({ default: '', doc: 'Replacement; $n / ${name} insert groups, \\$ is a literal $.' }),
    charset: prop.string({ default: 'UTF-8', doc: 'Charset of the body.' }),
  },
  check: (c) => {
    const out: SpecProblem[] = [];
    if (c.searchPattern === '')
      out.push({ prop: 'searchPattern', message: 'Must supply a valid search pattern searchPattern (may not be empty)' });
    else {
      try {
        const rx = compileJavaRegex(c.searchPattern);
        try {
          compileJavaReplacement(c.replaceString, rx);
        } catch (err) {
          out.push({ prop: 'replaceString', message: `replaceString: ${(err as Error).message}` });
        }
      } catch (err) {
        if (!(err instanceof JavaRegexError)) throw err;
        out.push({
          prop: 'searchPattern',
          message: `searchPattern: invalid or unsupported Java regex ${JSON.stringify(c.searchPattern)}: ${err.message}`,
        });
      }
    }
    if (!javaCharset(c.charset))
      out.push({
        prop: 'charset',
        message: `charset: unsupported charset "${c.charset}"`,
        hint: 'use UTF-8, ISO-8859-1, US-ASCII or UTF-16LE',
      });
    return out;
  },
  create: (c) => {
    const rx = compileJavaRegex(c.searchPattern);
    const re = new RegExp(rx.source, rx.flags + 'g');
    const parts = compileJavaReplacement(c.replaceString, rx);
    const codec = javaCharset(c.charset)!;
    // A replacement with no group references is a constant string; otherwise assemble it per match.
    const constant = parts.every((p) => typeof p === 'string') ? (parts as string[]).join('') : undefined;
    // As a JS replacement string ($ escaped), so V8 takes its fast path.
    const constantJs = constant?.replace(/\$/g, '$$$$');
    const replacer = (...args: unknown[]): string => {
      let s = '';
      for (const p of parts) s += typeof p === 'string' ? p : ((args[p] as string | undefined) ?? '');
      return s;
    };
    return {
      intercept(events: Event[]): Event[] {
        for (const e of events) {
          const body = codec.decode(e.body);
          re.lastIndex = 0;
          const out = constant !== undefined ? body.replace(re, constantJs!) : body.replace(re, replacer);
          e.body = codec.encode(out);
        }
        return events;
      },
    };
  },
});
