import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMPAT_BEGIN, COMPAT_END, renderCompatibilityRows, updateCompatibilityDoc } from '../src/cli/docs.js';
import { builtinRegistry } from '../src/components/registry.js';

describe('docs/compatibility.md', () => {
  it('its component rows are generated from the declarations and up to date (run `npm run docs`)', () => {
    const doc = readFileSync('docs/compatibility.md', 'utf8');
    expect(doc).toBe(updateCompatibilityDoc(doc, builtinRegistry()));
  });

  it('has one row per declared source, channel, sink, interceptor and serializer; the rest is hand-written', () => {
    const rows = renderCompatibilityRows(builtinRegistry())
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| Flume'));
    const r = builtinRegistry();
    const n = ['source', 'channel', 'sink', 'interceptor', 'serializer'].reduce((k, kind) => k + r.specs(kind as never).length, 0);
    expect(rows).toHaveLength(n);
    const doc = readFileSync('docs/compatibility.md', 'utf8');
    expect(doc.indexOf(COMPAT_BEGIN)).toBeLessThan(doc.indexOf(COMPAT_END));
    expect(() => updateCompatibilityDoc('no markers', r)).toThrow(/BEGIN GENERATED/);
  });
});
