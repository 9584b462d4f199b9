import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BucketPath,
  BadTimestampError,
  MissingTimestampError,
  escapeString,
  roundDown,
  resolveTimeZone,
  type RoundUnit,
} from '../../../src/components/shared/bucket-path.js';

/**
 * Golden lines produced by Apache Flume 1.11's own BucketPath.escapeString (flume-ng-core 1.11.0 on Java 17) for
 * fixed timestamps in several zones: `<ts> <zone> none <expansion of every escape>` and
 * `<ts> <zone> <Calendar unit>:<roundValue> <expansion of "%Y-%m-%d/%H%M%S|%s|%t" with rounding>`.
 */
const GOLDEN = readFileSync(new URL('./fixtures/bucket-path-golden.txt', import.meta.url), 'utf8')
  .trim()
  .split('\n');
const ALL = '%a|%A|%b|%B|%c|%d|%e|%D|%H|%I|%j|%k|%l|%m|%n|%M|%p|%s|%S|%t|%y|%Y|%z|%%|%q|%{h}|%{missing}';
const UNITS: Record<string, RoundUnit> = { '13': 'second', '12': 'minute', '11': 'hour' };

describe('BucketPath (differential against Flume 1.11)', () => {
  it.each(GOLDEN.map((l) => [l]))('%s', (line) => {
    const [ts, zone, mode, ...rest] = line.split(' ');
    const expected = rest.join(' ');
    const headers = { timestamp: ts!, h: 'v$a\\b' };
    if (mode === 'none') {
      expect(escapeString(ALL, headers, { timeZone: zone })).toBe(expected);
    } else {
      const [unit, value] = mode!.split(':');
      const out = escapeString('%Y-%m-%d/%H%M%S|%s|%t', headers, {
        timeZone: zone,
        round: true,
        roundUnit: UNITS[unit!],
        roundValue: Number(value),
      });
      expect(out).toBe(expected);
    }
  });
});

describe('BucketPath behaviour', () => {
  it('rounds as in the user guide example (10 minutes)', () => {
    const ts = Date.UTC(2012, 5, 12, 11, 54, 34);
    expect(
      escapeString(
        '/flume/events/%Y-%m-%d/%H%M/%S',
        { timestamp: String(ts) },
        { timeZone: 'UTC', round: true, roundUnit: 'minute', roundValue: 10 },
      ),
    ).toBe('/flume/events/2012-06-12/1150/00');
    expect(roundDown(ts, 'hour', 1, 'UTC')).toBe(Date.UTC(2012, 5, 12, 11));
  });

  it('names the missing timestamp header and the fixes', () => {
    const bp = new BucketPath('/x/%Y');
    expect(() => bp.escape({})).toThrow(MissingTimestampError);
    expect(() => bp.escape({})).toThrow(/timestamp interceptor.*useLocalTimeStamp/);
    expect(() => bp.escape({ timestamp: 'abc' })).toThrow(BadTimestampError);
    // even %% needs the time in Flume
    expect(() => new BucketPath('a%%b').escape({})).toThrow(MissingTimestampError);
    // header-only templates never need it
    expect(
      new BucketPath('/x/%{a}/%[localhost]', { host: { hostName: 'h1', hostAddress: '10.0.0.1', canonicalHostName: 'h1.example' } }).escape(
        { a: 'b' },
      ),
    ).toBe('/x/b/h1');
  });

  it('uses the local clock with useLocalTimeStamp', () => {
    const bp = new BucketPath('%t %s %Y', { useLocalTimeStamp: true, now: () => 1700000000123, timeZone: 'UTC' });
    expect(bp.escape({ timestamp: '5' })).toBe('1700000000123 1700000000 2023');
  });

  it('expands %[IP] and %[FQDN] case-insensitively and rejects other static names', () => {
    const host = { hostName: 'h1', hostAddress: '10.0.0.1', canonicalHostName: 'h1.example' };
    expect(escapeString('%[ip]-%[FQDN]-%[LocalHost]', {}, { host })).toBe('10.0.0.1-h1.example-h1');
    expect(() => new BucketPath('%[nope]')).toThrow(/localhost,IP,FQDN/);
  });

  it('accepts Java custom zone ids and rejects unknown ones', () => {
    expect(resolveTimeZone('GMT-0800')?.offsetMinutes(0)).toBe(-480);
    expect(resolveTimeZone('Europe/Paris')?.offsetMinutes(Date.UTC(2024, 6, 1))).toBe(120);
    expect(resolveTimeZone('Not/AZone')).toBeUndefined();
  });

  it('rejects non-positive timestamps when rounding, like Flume', () => {
    expect(() => escapeString('%Y', { timestamp: '0' }, { round: true, roundUnit: 'second', roundValue: 1 })).toThrow(/positive/);
  });
});
