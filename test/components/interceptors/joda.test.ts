import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileJoda, JodaPatternError } from '../../../src/components/interceptors/joda.js';

// [pattern, text, Flume's result]: printed by Flume 1.11's RegexExtractorInterceptorMillisSerializer (Joda-Time 2.9.9)
// under Java 17 with -Duser.timezone=America/New_York, on 2026-11-27 (which fixes the two-digit-year window).
const CASES: [string, string, string][] = [
  ['yyyy-MM-dd HH:mm', '2012-10-17 14:34', '1350498840000'],
  ['yyyy-MM-dd HH:mm Z', '2012-10-17 14:34 -0130', '1350489840000'],
  ["yyyy-MM-dd'T'HH:mm:ss.SSSZZ", '2021-03-04T05:06:07.891+02:00', '1614827167891'],
  ["yyyy-MM-dd'T'HH:mm:ss.SSSZZ", '2021-03-04T05:06:07.891Z', '1614834367891'],
  ['dd/MMM/yyyy:HH:mm:ss Z', '10/Oct/2000:13:55:36 -0700', '971211336000'],
  ['yyyyMMddHHmmss', '20210105010203', '1609826523000'],
  ['MMMM d, yyyy h:mm a', 'March 7, 2019 1:05 PM', '1551981900000'],
  ['MMMM d, yyyy h:mm a', 'March 7, 2019 12:05 AM', '1551935100000'],
  ['yy-M-d', '99-1-2', '915253200000'],
  ['yy-M-d', '30-1-2', '1893560400000'],
  ['yy-M-d', '76-1-2', '189406800000'],
  ['yy-M-d', '75-1-2', '157870800000'],
  ['EEE, dd MMM yyyy HH:mm:ss Z', 'Tue, 15 Nov 1994 08:12:31 +0000', '784887151000'],
  ['yyyy-MM-dd', '2021-02-30', 'ERR'],
  ['yyyy-MM-dd', '2020-02-29', '1582952400000'],
  ['yyyy-MM-dd HH:mm:ss', '2020-02-29 24:00:00', 'ERR'],
  ['HH:mm', '13:45', '67500000'],
  ['yyyy-MM-dd HH:mm:ss.S', '2020-01-01 00:00:00.5', '1577854800500'],
  ['yyyy-MM-dd HH:mm:ss.SSS', '2020-01-01 00:00:00.5', '1577854800500'],
  ['yyyy-D', '2020-60', '1582952400000'],
  ['yyyy-MM-dd', '2020-1-5', '1578200400000'],
  ['yyyy-MM-dd', ' 2020-01-05', 'ERR'],
  ['dd.MM.yyyy kk:mm', '01.02.2003 24:30', '1044077400000'],
  ['yyyy-MM-dd hh:mm a', '2003-02-01 12:30 pm', '1044120600000'],
  ['yyyy-MM-dd HH:mm', '2012-10-17 14:34:00', 'ERR'],
  ['yyyy/MM/dd', '2012/1/2', '1325480400000'],
  ['MMM dd HH:mm:ss', 'Oct 07 13:55:36', '970941336000'],
];

let tz: string | undefined;
beforeAll(() => {
  tz = process.env.TZ;
  process.env.TZ = 'America/New_York';
});
afterAll(() => {
  if (tz === undefined) delete process.env.TZ;
  else process.env.TZ = tz;
});

describe("Joda pattern parsing agrees with Flume's millis serializer", () => {
  const now = () => new Date(2026, 10, 27);
  it.each(CASES)('%s on %j → %s', (pattern, text, want) => {
    const got = compileJoda(pattern, now).parse(text);
    expect(got === undefined ? 'ERR' : String(got)).toBe(want);
  });
  it('rejects what it cannot parse', () => {
    expect(() => compileJoda('yyyy z')).toThrow(JodaPatternError);
    expect(() => compileJoda('yyyy ZZZ')).toThrow(/time zone ids/);
    expect(() => compileJoda('G yyyy')).toThrow(/"G"/);
  });
});
