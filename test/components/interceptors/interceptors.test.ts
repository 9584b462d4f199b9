import { describe, expect, it } from 'vitest';
import { configure, create } from '../../support/context.js';
import { createEvent, type Event } from '../../../src/core/event.js';
import type { Interceptor } from '../../../src/core/interceptor.js';
import { builtinRegistry } from '../../../src/components/registry.js';
import { timestampInterceptor } from '../../../src/components/interceptors/timestamp.js';
import { hostInterceptor, localHost } from '../../../src/components/interceptors/host.js';
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { staticInterceptor } from '../../../src/components/interceptors/static.js';
import { removeHeaderInterceptor } from '../../../src/components/interceptors/remove_header.js';
import { searchReplaceInterceptor } from '../../../src/components/interceptors/search_replace.js';
import { regexFilterInterceptor } from '../../../src/components/interceptors/regex_filter.js';
import { regexExtractorInterceptor, MILLIS_SERIALIZER } from '../../../src/components/interceptors/regex_extractor.js';
import { uuidInterceptor } from '../../../src/components/interceptors/uuid.js';

const ev = (body: string | Buffer, headers: Record<string, string> = {}): Event => createEvent(body, { ...headers });
const run = (i: Interceptor, events: Event[]): Event[] => i.intercept(events);
const bodies = (es: Event[]): string[] => es.map((e) => e.body.toString('utf8'));

describe('interceptor registry', () => {
  it('resolves aliases case-insensitively and the FQCNs', () => {
    const r = builtinRegistry();
    expect(r.resolve('interceptor', 'TIMESTAMP')).toBe(timestampInterceptor);
    expect(r.resolve('interceptor', 'org.apache.flume.interceptor.TimestampInterceptor$Builder')).toBe(timestampInterceptor);
    expect(r.resolve('interceptor', 'org.apache.flume.interceptor.HostInterceptor$Builder')).toBe(hostInterceptor);
    expect(r.resolve('interceptor', 'org.apache.flume.interceptor.StaticInterceptor$Builder')).toBe(staticInterceptor);
    expect(r.resolve('interceptor', 'org.apache.flume.interceptor.RemoveHeaderInterceptor$Builder')).toBe(removeHeaderInterceptor);
    expect(r.resolve('interceptor', 'org.apache.flume.interceptor.SearchAndReplaceInterceptor$Builder')).toBe(searchReplaceInterceptor);
    expect(r.resolve('interceptor', 'org.apache.flume.interceptor.RegexFilteringInterceptor$Builder')).toBe(regexFilterInterceptor);
    expect(r.resolve('interceptor', 'org.apache.flume.interceptor.RegexExtractorInterceptor$Builder')).toBe(regexExtractorInterceptor);
    expect(r.resolve('interceptor', 'org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder')).toBe(uuidInterceptor);
    expect(r.resolve('interceptor', 'uuid')).toBe(uuidInterceptor);
    expect(r.resolve('interceptor', 'search_replace')).toBe(searchReplaceInterceptor);
  });
});

describe('timestamp', () => {
  it('sets the timestamp header to the current epoch millis', () => {
    const before = Date.now();
    const [e] = run(create(timestampInterceptor, {}), [ev('x')]);
    const t = Number(e!.headers.timestamp);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
    expect(e!.headers.timestamp).toMatch(/^\d+$/);
  });
  it('overwrites by default; preserveExisting keeps it; headerName', () => {
    expect(run(create(timestampInterceptor, {}), [ev('x', { timestamp: '1' })])[0]!.headers.timestamp).not.toBe('1');
    expect(run(create(timestampInterceptor, { preserveExisting: 'true' }), [ev('x', { timestamp: '1' })])[0]!.headers.timestamp).toBe('1');
    const e = run(create(timestampInterceptor, { headerName: 'ts' }), [ev('x')])[0]!;
    expect(Object.keys(e.headers)).toEqual(['ts']);
  });
});

describe('host', () => {
  it('sets the address the system resolver gives for the host name (as getent ahostsv4), the same for every event', () => {
    const i = create(hostInterceptor, {});
    const [a, b] = run(i, [ev('x'), ev('y', { host: 'old' })]);
    expect(a!.headers.host).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(b!.headers.host).toBe(a!.headers.host);
    const want = execFileSync('getent', ['ahostsv4', hostname()], { encoding: 'utf8' }).split(/\s+/)[0];
    expect(a!.headers.host).toBe(want);
  });
  it('hostHeader, preserveExisting and useIP=false (reverse lookup of that address)', () => {
    const i = create(hostInterceptor, { hostHeader: 'h', preserveExisting: 'true', useIP: 'false' });
    const [a, b] = run(i, [ev('x', { h: 'keep' }), ev('y')]);
    expect(a!.headers.h).toBe('keep');
    expect(b!.headers.h).toBe(localHost().canonical);
    expect(b!.headers.host).toBeUndefined();
  });
});

describe('static', () => {
  it("defaults to key=value and preserves an existing header (Flume's default preserveExisting=true)", () => {
    const [a, b] = run(create(staticInterceptor, {}), [ev('x'), ev('y', { key: 'old' })]);
    expect(a!.headers).toEqual({ key: 'value' });
    expect(b!.headers).toEqual({ key: 'old' });
  });
  it('UG example: datacenter = NEW_YORK; preserveExisting=false overwrites', () => {
    const [a] = run(create(staticInterceptor, { key: 'datacenter', value: 'NEW_YORK', preserveExisting: 'false' }), [
      ev('x', { datacenter: 'LA' }),
    ]);
    expect(a!.headers).toEqual({ datacenter: 'NEW_YORK' });
  });
});

describe('uuid', () => {
  it('sets id to a random UUID, preserving an existing one by default, with prefix', () => {
    const [a, b] = run(create(uuidInterceptor, {}), [ev('x'), ev('y', { id: 'mine' })]);
    expect(a!.headers.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b!.headers.id).toBe('mine');
    const [c, d] = run(create(uuidInterceptor, { headerName: 'uid', prefix: 'p-', preserveExisting: 'false' }), [
      ev('x', { uid: 'old' }),
      ev('y'),
    ]);
    expect(c!.headers.uid).toMatch(/^p-[0-9a-f-]{36}$/);
    expect(c!.headers.uid).not.toBe(d!.headers.uid);
  });
});

describe('remove_header', () => {
  const headers = () => ({ a: '1', b: '2', c: '3', 'x-foo': '4', 'x-bar': '5', keep: '6' });
  it('withName removes one header; missing headers are fine', () => {
    expect(run(create(removeHeaderInterceptor, { withName: 'a' }), [ev('x', headers())])[0]!.headers).toEqual({
      b: '2',
      c: '3',
      'x-foo': '4',
      'x-bar': '5',
      keep: '6',
    });
    expect(run(create(removeHeaderInterceptor, { withName: 'zz' }), [ev('x', {})])[0]!.headers).toEqual({});
  });
  it('fromList with the default separator \\s*,\\s* and a custom one', () => {
    expect(run(create(removeHeaderInterceptor, { fromList: 'a ,b,  c' }), [ev('x', headers())])[0]!.headers).toEqual({
      'x-foo': '4',
      'x-bar': '5',
      keep: '6',
    });
    expect(run(create(removeHeaderInterceptor, { fromList: 'a:b', fromListSeparator: ':' }), [ev('x', headers())])[0]!.headers).toEqual({
      c: '3',
      'x-foo': '4',
      'x-bar': '5',
      keep: '6',
    });
  });
  it('matching must match the whole header name', () => {
    expect(run(create(removeHeaderInterceptor, { matching: 'x-.*' }), [ev('x', headers())])[0]!.headers).toEqual({
      a: '1',
      b: '2',
      c: '3',
      keep: '6',
    });
    expect(run(create(removeHeaderInterceptor, { matching: 'ee' }), [ev('x', headers())])[0]!.headers).toEqual(headers());
  });
  it('all three together', () => {
    const i = create(removeHeaderInterceptor, { withName: 'keep', fromList: 'a,b', matching: 'x-f.*' });
    expect(run(i, [ev('x', headers())])[0]!.headers).toEqual({ c: '3', 'x-bar': '5' });
  });
  it('a bad regex is a configuration error', () => {
    expect(() => configure(removeHeaderInterceptor, { matching: '(' })).toThrow(/matching: invalid or unsupported Java regex/);
  });
});

describe('search_replace', () => {
  it('UG example: removes a leading word', () => {
    const i = create(searchReplaceInterceptor, { searchPattern: '^[A-Za-z0-9_]+', replaceString: '' });
    expect(bodies(run(i, [ev('templates hello')]))).toEqual([' hello']);
  });
  it('UG example: $1 group references, replaceAll', () => {
    const i = create(searchReplaceInterceptor, {
      searchPattern: 'The quick brown ([a-z]+) jumped over the lazy ([a-z]+)',
      replaceString: 'The hungry $2 ate the careless $1',
    });
    expect(bodies(run(i, [ev('The quick brown fox jumped over the lazy dog')]))).toEqual(['The hungry dog ate the careless fox']);
    const j = create(searchReplaceInterceptor, { searchPattern: '(\\d)', replaceString: '<$1>' });
    expect(bodies(run(j, [ev('a1b22'), ev('none')]))).toEqual(['a<1>b<2><2>', 'none']);
  });
  it("Java's replacement rules: \\$ literal, ${name}, $12 falls back to $1 then '2'", () => {
    expect(bodies(run(create(searchReplaceInterceptor, { searchPattern: 'x', replaceString: '\\$' }), [ev('axb')]))).toEqual(['a$b']);
    expect(bodies(run(create(searchReplaceInterceptor, { searchPattern: '(?<d>\\d+)', replaceString: '#${d}' }), [ev('a12')]))).toEqual([
      'a#12',
    ]);
    expect(bodies(run(create(searchReplaceInterceptor, { searchPattern: '(a)', replaceString: '$12' }), [ev('xa')]))).toEqual(['xa2']);
  });
  it('empty matches as Java replaceAll', () => {
    expect(bodies(run(create(searchReplaceInterceptor, { searchPattern: 'x*', replaceString: '-' }), [ev('abc')]))).toEqual(['-a-b-c-']);
  });
  it('charset ISO-8859-1', () => {
    const i = create(searchReplaceInterceptor, { searchPattern: '\u00e9', replaceString: 'e', charset: 'ISO-8859-1' });
    expect(run(i, [ev(Buffer.from([0x63, 0x61, 0x66, 0xe9]))])[0]!.body).toEqual(Buffer.from('cafe'));
  });
  it('configuration errors: missing or empty pattern, bad regex, bad group reference, bad charset', () => {
    expect(() => configure(searchReplaceInterceptor, {})).toThrow(/searchPattern/);
    expect(() => configure(searchReplaceInterceptor, { searchPattern: '' })).toThrow(/may not be empty/);
    expect(() => configure(searchReplaceInterceptor, { searchPattern: '[a' })).toThrow(/invalid or unsupported Java regex/);
    expect(() => configure(searchReplaceInterceptor, { searchPattern: 'a', replaceString: '$x' })).toThrow(/illegal group reference/);
    expect(() => configure(searchReplaceInterceptor, { searchPattern: 'a', replaceString: '$2' })).toThrow(/no group 2/);
    expect(() => configure(searchReplaceInterceptor, { searchPattern: 'a', charset: 'EBCDIC' })).toThrow(/unsupported charset/);
  });
});

describe('regex_filter', () => {
  it('keeps events whose body contains a match (find), drops the rest', () => {
    const i = create(regexFilterInterceptor, { regex: 'ERR' });
    expect(bodies(run(i, [ev('an ERROR here'), ev('fine'), ev('ERR')]))).toEqual(['an ERROR here', 'ERR']);
  });
  it('excludeEvents drops the matches', () => {
    const i = create(regexFilterInterceptor, { regex: '^DEBUG', excludeEvents: 'true' });
    expect(bodies(run(i, [ev('DEBUG x'), ev('INFO y'), ev('x DEBUG')]))).toEqual(['INFO y', 'x DEBUG']);
  });
  it('the default .* keeps everything (even empty bodies); with excludeEvents drops everything', () => {
    expect(bodies(run(create(regexFilterInterceptor, {}), [ev(''), ev('a')]))).toEqual(['', 'a']);
    expect(run(create(regexFilterInterceptor, { excludeEvents: 'true' }), [ev(''), ev('a')])).toEqual([]);
  });
  it("Java's $ matches before a final line terminator", () => {
    expect(bodies(run(create(regexFilterInterceptor, { regex: 'c$' }), [ev('abc\n'), ev('abc\nd')]))).toEqual(['abc\n']);
  });
  it('translates possessive quantifiers, POSIX and Unicode classes, \\Q..\\E, (?i)', () => {
    expect(bodies(run(create(regexFilterInterceptor, { regex: '^\\p{Alpha}++\\d*+$' }), [ev('abc123'), ev('12abc')]))).toEqual(['abc123']);
    expect(bodies(run(create(regexFilterInterceptor, { regex: '^\\p{L}+$' }), [ev('héllo'), ev('h1')]))).toEqual(['héllo']);
    expect(bodies(run(create(regexFilterInterceptor, { regex: '\\Qa.b\\E' }), [ev('a.b'), ev('axb')]))).toEqual(['a.b']);
    expect(bodies(run(create(regexFilterInterceptor, { regex: '(?i)error' }), [ev('ERROR'), ev('ok')]))).toEqual(['ERROR']);
    expect(bodies(run(create(regexFilterInterceptor, { regex: '[\\p{Digit}_]{2}' }), [ev('a1_'), ev('a1b')]))).toEqual(['a1_']);
    expect(bodies(run(create(regexFilterInterceptor, { regex: '(?>ab|a)c' }), [ev('xabc')]))).toEqual(['xabc']);
  });
  it('Java \\s is ASCII-only', () => {
    expect(bodies(run(create(regexFilterInterceptor, { regex: 'a\\sb' }), [ev('a\u00a0b'), ev('a b')]))).toEqual(['a b']);
  });
  it('bad or untranslatable regexes are configuration errors', () => {
    expect(() => configure(regexFilterInterceptor, { regex: '(' })).toThrow(/regex: invalid or unsupported Java regex/);
    expect(() => configure(regexFilterInterceptor, { regex: '[a-z&&[^b]]' })).toThrow(/intersection/);
    expect(() => configure(regexFilterInterceptor, { regex: '\\Gfoo' })).toThrow(/\\G/);
    expect(() => configure(regexFilterInterceptor, { regex: 'a(?i)b' })).toThrow(/inline flags/);
    expect(() => configure(regexFilterInterceptor, { regex: '\\p{InGreek}' })).toThrow(/block/);
  });
  it('does not lose events with binary bodies', () => {
    const i = create(regexFilterInterceptor, { regex: 'x' });
    expect(run(i, [ev(Buffer.from([0xff, 0x78, 0x00]))]).length).toBe(1);
  });
});

describe('regex_extractor', () => {
  it('UG example: two groups into headers one, two', () => {
    const i = create(regexExtractorInterceptor, {
      regex: '(\\d):(\\d):(\\d)',
      serializers: 's1 s2 s3',
      'serializers.s1.name': 'one',
      'serializers.s2.name': 'two',
      'serializers.s3.name': 'three',
    });
    expect(run(i, [ev('1:2:3.4foobar5')])[0]!.headers).toEqual({ one: '1', two: '2', three: '3' });
  });
  it('fewer serializers than groups: the extra groups are ignored; no match leaves headers alone', () => {
    const i = create(regexExtractorInterceptor, {
      regex: '(\\d):(\\d):(\\d)',
      serializers: 's1 s2',
      'serializers.s1.name': 'one',
      'serializers.s2.name': 'two',
    });
    expect(run(i, [ev('1:2:3')])[0]!.headers).toEqual({ one: '1', two: '2' });
    expect(run(i, [ev('nothing', { k: 'v' })])[0]!.headers).toEqual({ k: 'v' });
  });
  it('the millis serializer parses a Joda pattern to epoch millis', () => {
    const i = create(regexExtractorInterceptor, {
      regex: '^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d [-+]\\d{4})',
      serializers: 's1',
      'serializers.s1.type': MILLIS_SERIALIZER,
      'serializers.s1.name': 'timestamp',
      'serializers.s1.pattern': 'yyyy-MM-dd HH:mm Z',
    });
    expect(run(i, [ev('2012-10-17 14:34 +0000 some log')])[0]!.headers).toEqual({ timestamp: String(Date.UTC(2012, 9, 17, 14, 34)) });
    expect(run(i, [ev('2012-10-17 14:34 -0130 x')])[0]!.headers.timestamp).toBe(String(Date.UTC(2012, 9, 17, 16, 4)));
  });
  it('millis serializer: local time without an offset, month names, fractions, AM/PM', () => {
    const mk = (pattern: string) =>
      create(regexExtractorInterceptor, {
        regex: '^\\[([^\\]]+)\\]',
        serializers: 's',
        'serializers.s.type': MILLIS_SERIALIZER,
        'serializers.s.name': 't',
        'serializers.s.pattern': pattern,
      });
    expect(run(mk('yyyy-MM-dd HH:mm:ss'), [ev('[2020-02-29 23:59:58] x')])[0]!.headers.t).toBe(
      String(new Date(2020, 1, 29, 23, 59, 58).getTime()),
    );
    expect(run(mk('dd/MMM/yyyy:HH:mm:ss.SSS'), [ev('[05/Jan/2021:01:02:03.456] x')])[0]!.headers.t).toBe(
      String(new Date(2021, 0, 5, 1, 2, 3, 456).getTime()),
    );
    expect(run(mk('yyyyMMddHHmmss'), [ev('[20210105010203] x')])[0]!.headers.t).toBe(String(new Date(2021, 0, 5, 1, 2, 3).getTime()));
    expect(run(mk('MMMM d, yyyy h:mm a'), [ev('[March 7, 2019 1:05 PM] x')])[0]!.headers.t).toBe(
      String(new Date(2019, 2, 7, 13, 5).getTime()),
    );
    // An impossible date or a mismatch leaves the header unset (and the event passes).
    expect(run(mk('yyyy-MM-dd'), [ev('[2021-02-30] x')])[0]!.headers).toEqual({});
    expect(run(mk('yyyy-MM-dd'), [ev('[garbage] x')])[0]!.headers).toEqual({});
  });
  it('a group that did not participate leaves its header unset', () => {
    const i = create(regexExtractorInterceptor, {
      regex: '(a)|(b)',
      serializers: 'x y',
      'serializers.x.name': 'x',
      'serializers.y.name': 'y',
    });
    expect(run(i, [ev('b')])[0]!.headers).toEqual({ y: 'b' });
  });
  it('configuration errors: missing regex/serializers/name, bad regex, lowercase default, bad Joda pattern', () => {
    expect(() => configure(regexExtractorInterceptor, { serializers: 's', 'serializers.s.name': 'n' })).toThrow(/regex/);
    expect(() => configure(regexExtractorInterceptor, { regex: '(a)' })).toThrow(/serializers/);
    expect(() => configure(regexExtractorInterceptor, { regex: '(a)', serializers: 's' })).toThrow(/serializers\.s\.name is not set/);
    expect(() => configure(regexExtractorInterceptor, { regex: '(a', serializers: 's', 'serializers.s.name': 'n' })).toThrow(
      /invalid or unsupported Java regex/,
    );
    expect(() =>
      configure(regexExtractorInterceptor, { regex: '(a)', serializers: 's', 'serializers.s.name': 'n', 'serializers.s.type': 'default' }),
    ).toThrow(/unknown serializer type "default"/);
    expect(() =>
      configure(regexExtractorInterceptor, {
        regex: '(a)',
        serializers: 's',
        'serializers.s.name': 'n',
        'serializers.s.type': MILLIS_SERIALIZER,
      }),
    ).toThrow(/pattern/);
    expect(() =>
      configure(regexExtractorInterceptor, {
        regex: '(a)',
        serializers: 's',
        'serializers.s.name': 'n',
        'serializers.s.type': MILLIS_SERIALIZER,
        'serializers.s.pattern': 'yyyy zzz',
      }),
    ).toThrow(/not supported/);
  });
});
