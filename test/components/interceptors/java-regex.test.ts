import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileJavaRegex, compileJavaReplacement, JavaRegexError } from '../../../src/components/interceptors/java-regex.js';

/**
 * Differential test: each Java pattern is run by java.util.regex (find(), groups, replaceAll, matches()) and by its
 * JavaScript translation. A pattern we reject must be one Java rejects too, or be listed in UNSUPPORTED.
 */
type Case = [pattern: string, input: string, replacement?: string];
const CASES: Case[] = [
  ['abc', 'xxabcxx'],
  ['a+', 'baaab', '<$0>'],
  ['(\\d+)-(\\d+)', 'tel 12-345 ok', '$2/$1'],
  ['^\\w+', 'hello world', ''],
  ['c$', 'abc\n'],
  ['c$', 'abc\r\n'],
  ['c$', 'abc\nd'],
  ['c\\z', 'abc\n'],
  ['c\\Z', 'abc\n'],
  ['\\Aab', 'ab'],
  ['b\\Aab', 'bab'],
  ['(?m)^b$', 'a\nb\nc'],
  ['(?i)ERROR', 'an error'],
  ['(?s)a.b', 'a\nb'],
  ['a.b', 'a\nb'],
  ['a.b', 'a\rb'],
  ['a.b', 'a\u0085b'],
  ['a\\sb', 'a b'],
  ['a\\sb', 'a\u00a0b'],
  ['a\\sb', 'a\u2003b'],
  ['\\S+', ' \u00a0x '],
  ['\\w+', 'héllo'],
  ['\\d+', '٣4'],
  ['\\p{Alpha}+', 'abc123'],
  ['\\p{Digit}+', 'abc123'],
  ['\\p{Punct}+', 'a!?b'],
  ['\\p{Upper}\\p{Lower}+', 'xHello'],
  ['\\p{L}+', 'x héllo'],
  ['\\p{Lu}', 'abcD'],
  ['\\p{IsLatin}+', 'αβ abc'],
  ['\\p{IsAlphabetic}+', '12ab'],
  ['\\P{Digit}+', '12ab34'],
  ['[\\p{Digit}x]+', 'ax1x2b'],
  ['\\p{javaLowerCase}+', 'ABcdE'],
  ['\\p{Space}+', 'a \t b'],
  ['\\p{XDigit}+', 'zz0fAg'],
  ['a*+b', 'aaab'],
  ['a++a', 'aaaa'],
  ['(?>ab|a)c', 'abc'],
  ['x{2,3}+', 'xxxxx', '-'],
  ['a?+b', 'ab'],
  ['\\Qa.b*\\E', 'xa.b*'],
  ['\\Qa.b', 'a.b'],
  ['[a-c]+', 'xxbcay'],
  ['[^a-c]+', 'abcxyz'],
  ['[]a]+', 'x]a]'],
  ['[^]a]+', ']]xy'],
  ['[a\\-z]+', 'b-az'],
  ['[\\[\\]]+', 'a[]b'],
  ['a{2}', 'aaa', '#'],
  ['a{,2}', 'a{,2}'],
  ['{', 'a{b'],
  ['x}', 'x}'],
  ['a]', 'a]'],
  ['(?<year>\\d{4})-(?<mon>\\d\\d)', 'on 2024-05', '${mon}/${year}'],
  ['(a)\\1', 'xaa'],
  ['(a)|(b)', 'b', '[$1][$2]'],
  ['x*', 'abc', '-'],
  ['', 'ab', '-'],
  ['(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)', 'abcdefghijk', '$11-$1'],
  ['(a)', 'a', '$12'],
  ['(a)', 'a', '\\$1'],
  ['(a)', 'a', '$'],
  ['(a)', 'a', '$x'],
  ['(a)', 'a', '\\\\'],
  ['(a)', 'a', '${nope}'],
  ['\\h+', 'a \t\u00a0b'],
  ['\\v', 'a\u000bb'],
  ['a\\Rb', 'a\r\nb'],
  ['\\x41\\u0042', 'zAB'],
  ['\\x{1F600}', 'x😀'],
  ['\\0101', 'A'],
  ['\\t\\n', 'a\t\nb'],
  ['\\e', '\u001b'],
  ['\\cA', '\u0001'],
  ['\\.\\*\\+\\?', '.*+?'],
  ['\\/', 'a/b'],
  ['a/b', 'a/b'],
  ['\\bfoo\\b', 'a foo b'],
  ['\\Bfoo', 'afoo'],
  ['(?=a)a', 'ba'],
  ['(?<=a)b', 'ab'],
  ['(?<!a)b', 'cb'],
  ['(?:ab)+', 'ababx'],
  ['[a-z&&[^b]]+', 'abc'],
  ['\\Gfoo', 'foo'],
  ['a(?i)b', 'aB'],
  ['(?i:a)b', 'Ab'],
  ['\\p{InGreek}', 'α'],
  ['[a[b]]', 'b'],
  ['\\X', 'a'],
  ['(?x) a b', 'ab'],
  ['(', 'x'],
  ['[a', 'x'],
  ['a{2,1}', 'x'],
  ['*a', 'x'],
  ['\\', 'x'],
  ['\\p{Foo}', 'x'],
  ['\\k<n>', 'x'],
  ['\\y', 'y'],
  ['(?<n>a)\\k<n>', 'aa'],
  ['[\\s]+', 'a \t b'],
  ['[^\\d]+', '12ab'],
  ['\\$\\{x\\}', '${x}'],
  ['a|', 'b', '-'],
  ['\\d{3}\\.\\d{2}', 'v 123.45', '[$0]'],
  ['^\\s*#', '  # comment'],
  ['(\\w+)@(\\w+)\\.com', 'mail bob@example.com now', '$1 at $2'],
  ['ERR(OR)?', 'an ERR and ERROR'],
  ['(?>(a+))b(c)\\2', 'xaabcc', '$2$1'],
  ['x(a++)(b)', 'xaab', '$2$1'],
  ['(\\w)\\1', 'abccd', '<$1>'],
  ['(a)++b', 'aab', '$1'],
  ['(?<q>[\'"])\\w+\\k<q>', 'say "hi" now', '${q}'],
  ['"[^"]*+"', '"abc" x', '*'],
  ['(\\d+)++\\.', '12.5', '$1'],
  ['(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10', 'abcdefghijj'],
  ['(a)\\10', 'aa0'],
  ['(?>a|ab)c', 'abc'],
  ['\\d*+\\d', '123'],
  ['[a-z]++[0-9]', 'abc1'],
  ['\\p{L}[\\-\\.]\\d', 'x a-1'],
  ['[\\p{L}\\-#]+', '1é-#2'],
  ['\\p{Lu}\\{2\\}', 'A{2}'],
  ['\\p{L}+\\s\\#', 'ab #'],
  ['(?i)\\p{L}+K', 'éék'],
  ['\\p{IsGreek}+', 'abc αβγ'],
  ['[^\\p{L}]+', 'ab12cd'],
  ['\\P{L}+', 'ab12cd'],
  ['\\x{41}\\p{L}', 'AB'],
  ['(?i)(?>AB)c', 'abC'],
  ['^$', ''],
  ['^$', '\n'],
  ['^', 'ab', '>'],
  ['$', 'ab\n', '<'],
];
/** Patterns Java accepts that we deliberately reject (no safe JavaScript translation). */
const UNSUPPORTED = new Set(['[a-z&&[^b]]+', '\\Gfoo', 'a(?i)b', '(?i:a)b', '\\p{InGreek}', '[a[b]]', '\\X', '(?x) a b']);

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

interface JavaOut {
  compileError: boolean;
  found?: boolean;
  groups?: (string | null)[];
  replaced?: string | null;
  whole?: boolean;
}
const java: JavaOut[] = [];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flume-ts-regex-'));
  execFileSync('javac', ['-d', dir, fileURLToPath(new URL('../../support/java/RegexDump.java', import.meta.url))], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const file = join(dir, 'cases.txt');
  writeFileSync(file, CASES.map(([p, i, r]) => `${b64(p)}\t${b64(i)}\t${b64(r ?? '#')}`).join('\n') + '\n');
  const out = execFileSync('java', ['-Xshare:auto', '-cp', dir, 'RegexDump', file], { encoding: 'utf8' }).trimEnd().split('\n');
  expect(out).toHaveLength(CASES.length);
  for (const line of out) {
    if (line === 'compile-error') {
      java.push({ compileError: true });
      continue;
    }
    const [found, groups, replaced, whole] = line.split('\t');
    java.push({
      compileError: false,
      found: found === '1',
      groups: found === '1' ? groups!.split(',').map((g) => (g === '-' ? null : unb64(g))) : [],
      replaced: replaced === 'E' ? null : unb64(replaced!),
      whole: whole === '1',
    });
  }
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Java regex translation agrees with java.util.regex', () => {
  it.each(CASES.map((c, i) => [i, c[0], c[1], c[2] ?? '#'] as const))('#%i %s on %j → %j', (i, pattern, input, rep) => {
    const j = java[i]!;
    let rx: ReturnType<typeof compileJavaRegex>;
    try {
      rx = compileJavaRegex(pattern);
    } catch (err) {
      expect(err).toBeInstanceOf(JavaRegexError);
      if (!j.compileError)
        expect(UNSUPPORTED.has(pattern), `we reject ${pattern} (${(err as Error).message}) but Java accepts it`).toBe(true);
      return;
    }
    expect(j.compileError, 'Java rejects this pattern but we accept it').toBe(false);
    const m = rx.regex.exec(input);
    expect(m !== null).toBe(j.found);
    if (m) expect(rx.groupIndex.map((g) => m[g] ?? null)).toEqual(j.groups);
    // replaceAll
    let replaced: string | null;
    try {
      const parts = compileJavaReplacement(rep, rx);
      const g = new RegExp(rx.source, rx.flags + 'g');
      replaced = input.replace(g, (...args: unknown[]) =>
        parts.map((p) => (typeof p === 'string' ? p : ((args[p] as string | undefined) ?? ''))).join(''),
      );
    } catch (err) {
      expect(err).toBeInstanceOf(JavaRegexError);
      replaced = null;
    }
    expect(replaced).toBe(j.replaced);
    // matches(), as remove_header uses it
    const whole = new RegExp(`(?<![\\s\\S])(?:${rx.source})(?![\\s\\S])`, rx.flags).test(input);
    expect(whole).toBe(j.whole);
  });
});
