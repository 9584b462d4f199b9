import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderComponentDocs } from '../src/cli/docs.js';
import { builtinRegistry, builtinSpecs } from '../src/components/registry.js';
import type { PropSpec } from '../src/config/spec.js';
import { parseValue } from '../src/config/spec.js';

describe('component declarations', () => {
  it('docs/components.md is generated from the declarations and up to date (run `npm run docs`)', () => {
    expect(readFileSync('docs/components.md', 'utf8')).toBe(renderComponentDocs(builtinRegistry()));
  });

  it('every property has a doc, and every default passes its own parser and checks', () => {
    for (const spec of builtinSpecs) {
      expect(spec.summary, `${spec.kind} ${spec.type}`).toBeTruthy();
      for (const [name, p] of Object.entries(spec.properties as Record<string, PropSpec>)) {
        expect(p.doc, `${spec.type}.${name}`).toBeTruthy();
        if (p.default === undefined || p.defaultDoc) continue;
        const raw = Array.isArray(p.default) ? p.default.join(' ') : String(p.default);
        expect(parseValue(p, raw).ok, `${spec.type}.${name} default ${raw}`).toBe(true);
      }
    }
  });

  it('every type alias and FQCN resolves to exactly one component per kind', () => {
    const r = builtinRegistry();
    for (const s of builtinSpecs) {
      expect(r.resolve(s.kind, s.type.toUpperCase())).toBe(s);
      if (s.fqcn) expect(r.resolve(s.kind, s.fqcn)).toBe(s);
    }
  });
});
