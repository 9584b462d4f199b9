import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastWins, parseProperties } from '../../src/config/properties.js';

/**
 * Inputs for the differential test against real Java (`Properties.load(new InputStreamReader(in, UTF_8))`).
 * Every case is checked for: same map (last one wins), and a malformed-\u error exactly when Java throws.
 */
const CASES: Record<string, string> = {
  'simple =': 'a=1\nb = 2\n',
  'colon separator': 'a:1\nb : 2\n',
  'whitespace separator': 'a 1\nb\t2\nc\f3\n',
  'whitespace then =': 'a   =   1\nb \t: 2\n',
  'only one separator is eaten': 'a==1\nb::2\nc =:3\nd : = 4\ne  5=6\n',
  'escaped separators in key': 'a\\=b=1\nc\\:d:2\ne\\ f 3\ng\\\\=4\n',
  'empty values': 'a=\nb:\nc =   \n=\n:\n',
  'key alone': 'alone\n  alone2   \n',
  'empty key with value': '=v\n : w\n',
  'comments # and !': '# comment=1\n! also=2\n   # indented=3\n\t! tab=4\nx=#not a comment\ny=!nor this\n',
  'comment ending in backslash does not continue': '# comment \\\nreal=1\n! other \\\\\\\nreal2=2\n',
  continuation: 'a=one \\\n    two \\\n\t\fthree\n',
  'even backslashes do not continue': 'a=x\\\\\nb=y\n',
  'odd backslashes continue': 'a=x\\\\\\\nb=y\n',
  'four and five backslashes': 'a=\\\\\\\\\nb=\\\\\\\\\\\nc\n',
  'continuation inside key': 'ke\\\n  y=1\n',
  'continuation before separator': 'key\\\n   = value\n',
  'continuation then blank line ends the entry': 'a=1\\\n\nb=2\n',
  'continuation then whitespace-only line': 'a=1\\\n   \nb=2\n',
  'continuation line starting with #': 'a=1\\\n#not comment\nb=2\n',
  'line of just a backslash then #': '\\\n#comment?\nb=2\n',
  'line of just a backslash then text': '\\\n   b=2\n',
  'lone backslash at EOF': 'a=1\n\\',
  'lone backslash line at EOF': 'a=1\n\\\n',
  'backslash line then blank line': '\\\n\nb=2\n',
  'continuation at EOF': 'a=1\\',
  'continuation at EOF after newline': 'a=1\\\n',
  'continuation then whitespace at EOF': 'a=1\\\n   ',
  'three backslashes at EOF': 'a=1\\\\\\',
  'unicode escapes': 'a=\\u0041\\u00e9\\u00E9\\u4e2D\nk\\u0020ey=x\n\\u003d=eq\n',
  'unicode escape of backslash is literal': 'a=\\u005cn\\u005c\n',
  'surrogate pair escapes': 'a=\\ud83d\\ude00\nb=\\uD800\n',
  'unicode escape split by continuation': 'a=\\u00\\\n   41\n',
  'known escapes': 'a=\\t\\n\\r\\f\nb=\\b\\z\\"\\\'\\#\\!\\ \n',
  'unknown escapes drop backslash': 'a\\b\\c=\\x\\y\\U0041\n',
  'leading escaped space in value': 'a=\\  x\nb= \\ \n',
  CRLF: 'a=1\r\nb=2\r\n\r\nc=3\r\n',
  'lone CR': 'a=1\rb=2\r\rc=3\r',
  'mixed terminators': 'a=1\n\rb=2\r\n\nc=3\n\r\n',
  'CRLF continuation': 'a=x\\\r\n   y\r\nb=2\r\n',
  'CR continuation': 'a=x\\\r   y\rb=2\r',
  'LF CR after continuation': 'a=x\\\n\rb=2\n',
  'comment with CRLF': '# c \\\r\na=1\r\n!x\rb=2\n',
  'trailing whitespace kept': 'a=1   \nb=x\t\f\nc=y \\\n  z  \n',
  'tabs and form feeds': '\t\fa\t=\f1\n\f\fb\f\f2\n',
  'final line without newline': 'a=1\nb=2',
  'final comment without newline': 'a=1\n# end',
  'duplicate keys': 'a=1\nb=2\na=3\na\n',
  'non-ASCII UTF-8': 'clé=valeur é\n名前=値\nemoji=😀 x\n😀=smile\n',
  BOM: '\uFEFFa=1\nb=2\n',
  'BOM before comment': '\uFEFF# comment\nb=2\n',
  'BOM before whitespace': '\uFEFF a=1\n',
  'empty file': '',
  'only blank and comments': '\n\n  \n# x\n!y\n\t\n',
  'whitespace before first line': '   \n\t a=1\n',
  'flume-like config': [
    '# example',
    'a1.sources = r1',
    'a1.sinks = k1',
    'a1.channels = c1',
    'a1.sources.r1.type = netcat',
    'a1.sources.r1.bind = localhost',
    'a1.sources.r1.port = 44444',
    'a1.sinks.k1.type = logger',
    'a1.channels.c1.type = memory',
    'a1.channels.c1.capacity = 1000',
    'a1.sources.r1.channels = c1',
    'a1.sinks.k1.channel = c1',
    'a1.sources.r1.interceptors.i1.regex = ^\\\\d+\\\\s\\\\w$',
    'a1.sinks.k1.hdfs.path = /flume/%{host}/%Y-%m-%d \\',
    '    /more',
  ].join('\n'),
  'escapes are not processed in comments': '# \\uZZZZ \\\na=1\n! \\u\n',
  'escaped line terminators in keys and values': 'k\\u000a\\n\\r=\\u000d\\n\nk2\\\n=v\n',
  'comment char after a key': 'a #1\nb !2\n#\n!\n',
  'malformed \\u short': 'a=1\nb=\\u12\nc=3\n',
  'malformed \\u non-hex': 'a=1\nb=\\u12G4\nc=3\n',
  'malformed \\u in key': 'a=1\n\\uZZZZ=2\nc=3\n',
  'malformed \\u at end of key': 'a=1\nke\\u00=2\nc=3\n',
  'malformed \\u, bare': 'a=\\u\n',
};

/** Tiny deterministic PRNG (mulberry32), so the random cases are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random inputs over the characters that matter to the grammar. */
const ALPHABET = [
  '\\',
  '\\',
  '\\',
  '\n',
  '\n',
  '\r',
  '\r\n',
  ' ',
  ' ',
  '\t',
  '\f',
  '=',
  ':',
  '#',
  '!',
  'a',
  'b',
  'k',
  'u',
  '0',
  'F',
  'é',
  '\uFEFF',
  't',
  'n',
];
const RANDOM_CASES = 300;
{
  const next = rng(20261127);
  for (let i = 0; i < RANDOM_CASES; i++) {
    const len = 1 + Math.floor(next() * 40);
    let s = '';
    for (let j = 0; j < len; j++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
    CASES[`random #${i}`] = s;
  }
}

interface JavaResult {
  map: Record<string, string>;
  error?: string;
}

const javaSource = fileURLToPath(new URL('../support/java/PropsDump.java', import.meta.url));
let dir: string;
const java = new Map<string, JavaResult>();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flume-ts-props-'));
  execFileSync('javac', ['-d', dir, javaSource], { stdio: ['ignore', 'ignore', 'inherit'] });
  const names = Object.keys(CASES);
  const files = names.map((name, i) => {
    const f = join(dir, `case${i}.properties`);
    writeFileSync(f, CASES[name]!, 'utf8');
    return f;
  });
  // One JVM for all cases; the output is pure ASCII JSON, one line per file.
  const out = execFileSync('java', ['-Xshare:auto', '-cp', dir, 'PropsDump', ...files], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const lines = out.trimEnd().split('\n');
  expect(lines).toHaveLength(names.length);
  for (const [i, name] of names.entries()) java.set(name, JSON.parse(lines[i]!) as JavaResult);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const toObject = (m: Map<string, { value: string }>): Record<string, string> => Object.fromEntries([...m].map(([k, e]) => [k, e.value]));

describe('parseProperties agrees with java.util.Properties.load', () => {
  it.each(Object.keys(CASES))('%s', (name) => {
    const text = CASES[name]!;
    const { entries, diagnostics } = parseProperties(text, 'x.properties');
    const j = java.get(name)!;
    expect(j, 'java result').toBeDefined();
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (j.error === undefined) {
      expect(errors).toEqual([]);
      expect(toObject(lastWins(entries))).toEqual(j.map);
    } else {
      expect(j.error).toBe('IllegalArgumentException: Malformed \\uxxxx encoding.');
      expect(errors.length).toBeGreaterThan(0);
      expect(errors[0]!.code).toBe('syntax');
      // Java stops at the first bad line; what it had loaded by then is exactly our entries before that line.
      const first = errors[0]!.at!;
      const before = entries.filter((e) => e.keyAt.line < first.line || (e.keyAt.line === first.line && e.keyAt.col < first.col));
      expect(toObject(lastWins(before))).toEqual(j.map);
    }
  });
});

/** Independent line/col → offset mapping (a line ends at CRLF, CR or LF). */
function offsetOf(text: string, line: number, col: number): number {
  const starts = [0];
  for (const m of text.matchAll(/\r\n|\r|\n/g)) starts.push(m.index + m[0].length);
  return starts[line - 1]! + col - 1;
}

describe('positions point at the key and value text (all differential cases)', () => {
  it.each(Object.keys(CASES))('%s', (name) => {
    const text = CASES[name]!;
    for (const e of parseProperties(text, 'f').entries) {
      // The first char of the key / non-empty value is written there, either as itself or as an escape.
      for (const [str, loc] of [
        [e.key, e.keyAt],
        [e.value, e.valueAt],
      ] as const) {
        if (str === '') continue;
        const c = text[offsetOf(text, loc.line, loc.col)];
        expect(c === '\\' || c === str[0], `${JSON.stringify(str)} at ${loc.line}:${loc.col}`).toBe(true);
      }
      expect(e.valueAt.line > e.keyAt.line || (e.valueAt.line === e.keyAt.line && e.valueAt.col >= e.keyAt.col)).toBe(true);
    }
  });
});

describe('positions', () => {
  const at = (line: number, col: number) => ({ file: 'f', line, col });
  const parse = (text: string) => parseProperties(text, 'f');

  it('simple lines, separators and indentation', () => {
    const { entries } = parse('a=1\n  bb : 22\n\tc 3\n');
    expect(entries).toEqual([
      { key: 'a', value: '1', keyAt: at(1, 1), valueAt: at(1, 3) },
      { key: 'bb', value: '22', keyAt: at(2, 3), valueAt: at(2, 8) },
      { key: 'c', value: '3', keyAt: at(3, 2), valueAt: at(3, 4) },
    ]);
  });

  it('skips comments and blank lines when counting', () => {
    const { entries } = parse('# c \\\n\n! d\n   \nk=v\n');
    expect(entries).toEqual([{ key: 'k', value: 'v', keyAt: at(5, 1), valueAt: at(5, 3) }]);
  });

  it('empty values point just after the separator, a lone key just after the key', () => {
    const { entries } = parse('a=\nbb :   \ncc\ndd   \n=\n');
    expect(entries.map((e) => [e.key, e.valueAt])).toEqual([
      ['a', at(1, 3)],
      ['bb', at(2, 5)],
      ['cc', at(3, 3)],
      ['dd', at(4, 3)],
      ['', at(5, 2)],
    ]);
  });

  it('continued values start on their first line; the next entry is on the right line', () => {
    const { entries } = parse('a = one \\\n    two \\\n  three\nb=2\n');
    expect(entries).toEqual([
      { key: 'a', value: 'one two three', keyAt: at(1, 1), valueAt: at(1, 5) },
      { key: 'b', value: '2', keyAt: at(4, 1), valueAt: at(4, 3) },
    ]);
  });

  it('a value that starts on a continuation line', () => {
    const { entries } = parse('key = \\\n      value\nkey2\\\n  \\\n   = v2\n');
    expect(entries).toEqual([
      { key: 'key', value: 'value', keyAt: at(1, 1), valueAt: at(2, 7) },
      { key: 'key2', value: 'v2', keyAt: at(3, 1), valueAt: at(5, 6) },
    ]);
  });

  it('empty value after a continued separator', () => {
    const { entries } = parse('k\\\n  =\\\n');
    expect(entries).toEqual([{ key: 'k', value: '', keyAt: at(1, 1), valueAt: at(2, 4) }]);
  });

  it('CRLF, lone CR, and CRLF continuations', () => {
    const { entries } = parse('a=1\r\n\r\nb=x\\\r\n  y\r\n  c=3\rd=4\r\r\ne=5');
    expect(entries).toEqual([
      { key: 'a', value: '1', keyAt: at(1, 1), valueAt: at(1, 3) },
      { key: 'b', value: 'xy', keyAt: at(3, 1), valueAt: at(3, 3) },
      { key: 'c', value: '3', keyAt: at(5, 3), valueAt: at(5, 5) },
      { key: 'd', value: '4', keyAt: at(6, 1), valueAt: at(6, 3) },
      { key: 'e', value: '5', keyAt: at(8, 1), valueAt: at(8, 3) },
    ]);
  });

  it('columns count UTF-16 code units, escapes count as written', () => {
    const { entries } = parse('😀é=\\u0041b\n\\t\\u00e9 = x\n');
    expect(entries).toEqual([
      { key: '😀é', value: 'Ab', keyAt: at(1, 1), valueAt: at(1, 5) },
      { key: '\té', value: 'x', keyAt: at(2, 1), valueAt: at(2, 12) },
    ]);
  });

  it('a BOM is part of the first key and occupies column 1', () => {
    const { entries } = parse('\uFEFFa=1\n');
    expect(entries).toEqual([{ key: '\uFEFFa', value: '1', keyAt: at(1, 1), valueAt: at(1, 4) }]);
  });

  it('a lone backslash line at EOF is an empty key at the backslash', () => {
    const { entries } = parse('a=1\n  \\');
    expect(entries[1]).toEqual({ key: '', value: '', keyAt: at(2, 3), valueAt: at(2, 3) });
  });

  it('keeps duplicates in file order; lastWins keeps the last', () => {
    const { entries } = parse('a=1\nb=2\na=3\n');
    expect(entries.map((e) => `${e.key}=${e.value}@${e.keyAt.line}`)).toEqual(['a=1@1', 'b=2@2', 'a=3@3']);
    const m = lastWins(entries);
    expect([...m.keys()]).toEqual(['a', 'b']);
    expect(m.get('a')!.value).toBe('3');
    expect(m.get('a')!.keyAt.line).toBe(3);
  });
});

describe('malformed \\u escapes', () => {
  it('reports a located syntax error and skips only that entry', () => {
    const { entries, diagnostics } = parseProperties('a=1\nb = x\\u12G4y\nc=3\n', 'conf/f.properties');
    expect(entries.map((e) => e.key)).toEqual(['a', 'c']);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      severity: 'error',
      code: 'syntax',
      key: 'b',
      at: { file: 'conf/f.properties', line: 2, col: 6 },
    });
    expect(diagnostics[0]!.message).toContain('\\u12G4');
  });

  it('in a key: no key in the diagnostic', () => {
    const { entries, diagnostics } = parseProperties('  k\\u00=2\nok=1', 'f');
    expect(entries.map((e) => e.key)).toEqual(['ok']);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.key).toBeUndefined();
    expect(diagnostics[0]!.at).toEqual({ file: 'f', line: 1, col: 4 });
  });

  it('too short at end of value, on a continuation line', () => {
    const { diagnostics } = parseProperties('a=ok\\\n   \\u4\n', 'f');
    expect(diagnostics.map((d) => [d.code, d.at])).toEqual([['syntax', { file: 'f', line: 2, col: 4 }]]);
  });

  it('several errors are all reported', () => {
    const { entries, diagnostics } = parseProperties('a=\\u\nb=\\uXYZW\nc=\\\\u\n', 'f');
    expect(entries).toEqual([expect.objectContaining({ key: 'c', value: '\\u' })]);
    expect(diagnostics.map((d) => d.at!.line)).toEqual([1, 2]);
  });
});

describe('scale', () => {
  // (its speed is a benchmark's business: bench/properties.mjs; a quadratic lexer would not finish this in the test's time)
  it('reads a large config with long continuations', () => {
    const lines: string[] = [];
    for (let i = 0; i < 50_000; i++) lines.push(`a${i}.sinks.k${i}.type = logger # ${i}`);
    const long = Array.from({ length: 20_000 }, (_, i) => `  part${i} \\`).join('\n');
    const text = `${lines.join('\n')}\nbig = \\\n${long}\n  end\n`;
    const { entries } = parseProperties(text, 'f');
    expect(entries).toHaveLength(50_001);
    expect(entries[50_000]!.value.endsWith('part19999 end')).toBe(true);
  });
});
