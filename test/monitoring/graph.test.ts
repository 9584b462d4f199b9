/**
 * `flume-ts graph`: golden DOT and Mermaid text for the configs in graph-golden/ (re-record with
 * UPDATE_GOLDEN=1 npx vitest run test/monitoring/graph.test.ts and review the diff), and the SVG parsed as strict XML
 * with every node and edge present and what Flume drops marked red and dashed.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphMain } from '../../src/cli/graph.js';
import { flowGraphOf } from '../../src/monitoring/graph/load.js';
import { builtinRegistry } from '../../src/components/registry.js';
import { readConfigs } from '../../src/runtime/config-files.js';
import { findAll, parseXml, textOf } from '../support/xml.js';

const DIR = path.join(import.meta.dirname, 'graph-golden');
const rel = path.relative(process.cwd(), DIR);
const confs = readdirSync(DIR).filter((f) => f.endsWith('.conf'));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await graphMain(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('flume-ts graph golden DOT and Mermaid', () => {
  for (const conf of confs) {
    for (const [format, ext] of [
      ['dot', 'dot'],
      ['mermaid', 'mmd'],
    ] as const) {
      it(`${conf} --format ${format}`, async () => {
        const { code, out } = await run(['-f', path.join(rel, conf), '-n', 'a1', '--format', format]);
        expect(code).toBe(0);
        const golden = path.join(DIR, conf.replace(/\.conf$/, `.${ext}.golden`));
        if (process.env.UPDATE_GOLDEN) writeFileSync(golden, out);
        expect(out).toBe(readFileSync(golden, 'utf8'));
      });
    }
  }

  it('refuses a missing name or an unknown format with exit 2, and an unknown agent with exit 1', async () => {
    expect((await run(['-f', path.join(rel, 'simple.conf')])).code).toBe(2);
    expect((await run(['-f', path.join(rel, 'simple.conf'), '-n', 'a1', '--format', 'png'])).code).toBe(2);
    const r = await run(['-f', path.join(rel, 'simple.conf'), '-n', 'nope']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unknown-agent/);
  });
});

describe('flume-ts graph SVG', () => {
  for (const conf of confs) {
    it(`${conf}: well-formed XML with every node and edge, dropped ones red and dashed`, async () => {
      const { code, out } = await run(['-f', path.join(rel, conf), '-n', 'a1', '--format', 'svg']);
      expect(code).toBe(0);
      const svg = parseXml(out);
      expect(svg.name).toBe('svg');
      expect(svg.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
      // nothing loaded from elsewhere
      expect(out).not.toMatch(/href=|url\((?!#)|<script|<image/);
      const { graph } = flowGraphOf(readConfigs([path.join(DIR, conf)]), 'a1', builtinRegistry());
      const nodes = findAll(svg, (e) => e.name === 'g' && /\bnode\b/.test(e.attrs.class ?? ''));
      expect(nodes.map((n) => n.attrs['data-id']).sort()).toEqual(graph!.nodes.map((n) => n.id).sort());
      const edges = findAll(svg, (e) => e.name === 'g' && /\bedge\b/.test(e.attrs.class ?? ''));
      expect(edges.map((e) => `${e.attrs['data-from']}>${e.attrs['data-to']}`).sort()).toEqual(
        graph!.edges.map((e) => `${e.from}>${e.to}`).sort(),
      );
      for (const n of graph!.nodes) {
        const g = nodes.find((x) => x.attrs['data-id'] === n.id)!;
        const rect = g.children.find((c) => c.name === 'rect')!;
        expect(/\bdropped\b/.test(g.attrs.class!)).toBe(n.dropped !== undefined);
        expect(rect.attrs['stroke-dasharray'] !== undefined).toBe(n.dropped !== undefined);
        if (n.dropped) {
          expect(rect.attrs.stroke).toBe('#d00');
          expect(textOf(g)).toContain(n.dropped);
        }
        expect(textOf(g)).toContain(n.name);
      }
      for (const e of graph!.edges.filter((x) => x.dropped)) {
        const g = edges.find((x) => x.attrs['data-from'] === e.from && x.attrs['data-to'] === e.to)!;
        expect(g.children[0]!.attrs['stroke-dasharray']).toBeDefined();
      }
    });
  }

  it('lays the flow out left to right: sources, channels, sinks in increasing x', async () => {
    const { out } = await run(['-f', path.join(rel, 'mixed.conf'), '-n', 'a1', '--format', 'svg']);
    const svg = parseXml(out);
    const x = (id: string) => {
      const g = findAll(svg, (e) => e.attrs['data-id'] === id)[0]!;
      return Number(g.children.find((c) => c.name === 'rect')!.attrs.x);
    };
    expect(x('source:r1')).toBeLessThan(x('interceptors:r1'));
    expect(x('interceptors:r1')).toBeLessThan(x('selector:r1'));
    expect(x('selector:r1')).toBeLessThan(x('channel:c1'));
    expect(x('channel:c2')).toBeLessThan(x('processor:g1'));
    expect(x('processor:g1')).toBeLessThan(x('sink:k2'));
  });
});
