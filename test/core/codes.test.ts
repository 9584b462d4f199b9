/**
 * One catalog of codes: every `FLUME_*` error code and every diagnostic code used in src/ is in its catalog
 * (src/core/codes.ts, src/config/diagnostic-codes.ts), and docs/codes.md is generated from them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/codes.js';
import { DIAGNOSTIC_CODES } from '../../src/config/diagnostic-codes.js';
import { renderCodesDocs } from '../../src/cli/docs.js';

const SRC = path.resolve(import.meta.dirname, '../../src');
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : [],
  );

function used(re: RegExp): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of files(SRC)) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(re)) if (!out.has(m[1]!)) out.set(m[1]!, path.relative(SRC, f));
  }
  return out;
}

describe('code catalogs', () => {
  it('every FLUME_* code in src/ is in src/core/codes.ts', () => {
    const codes = used(/['"`](FLUME_[A-Z0-9_]+)['"`]/g);
    const unknown = [...codes].filter(([c]) => !(c in ERROR_CODES)).map(([c, f]) => `${c} (${f})`);
    expect(unknown).toEqual([]);
  });

  it('every diagnostic code in src/ is in src/config/diagnostic-codes.ts', () => {
    const codes = used(/\bcode: '([a-z][a-z-]*)'/g);
    const unknown = [...codes].filter(([c]) => !(c in DIAGNOSTIC_CODES)).map(([c, f]) => `${c} (${f})`);
    expect(unknown).toEqual([]);
  });

  it('no `new Error(` in src/ outside the one errno-shaped error of the file channel', () => {
    const bare = files(SRC)
      .filter((f) => readFileSync(f, 'utf8').includes('new Error('))
      .map((f) => path.relative(SRC, f));
    expect(bare).toEqual(['components/channels/file/channel.ts']);
  });

  it('docs/codes.md is generated from the catalogs and up to date (run `npm run docs`)', () => {
    expect(readFileSync('docs/codes.md', 'utf8')).toBe(renderCodesDocs());
  });
});
