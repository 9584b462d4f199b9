/**
 * An agent imports only the component modules its configuration names: resolving a netcat → memory → null
 * configuration through the catalog (what `flume-ts agent` does) loads no other catalog module. Checked on the built
 * dist/ in a fresh process, with a module loader hook that records every module loaded.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TMP = mkdtempSync(path.join(os.tmpdir(), 'lazy-registry-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** The module of each catalog line, relative to src/components (`./sources/netcat.js`). */
const catalogModules = (): string[] =>
  [...readFileSync(path.join(ROOT, 'src/components/catalog.ts'), 'utf8').matchAll(/import\('(\.\/[^']+)'\)/g)].map((m) => m[1]!);

describe('lazy component registry', () => {
  it('a netcat → memory → null agent loads only those components (and the default selector and processor)', () => {
    const list = path.join(TMP, 'modules.txt');
    const hook = `import fs from 'node:fs'; export async function load(u, c, n) { fs.appendFileSync(${JSON.stringify(list)}, u + '\\n'); return n(u, c); }`;
    const conf = [
      'a1.sources = r1',
      'a1.channels = c1',
      'a1.sinks = k1',
      'a1.sources.r1.type = netcat',
      'a1.sources.r1.bind = 127.0.0.1',
      'a1.sources.r1.port = 44444',
      'a1.sources.r1.channels = c1',
      'a1.channels.c1.type = memory',
      'a1.sinks.k1.type = null',
      'a1.sinks.k1.channel = c1',
    ].join('\n');
    const script = `
      import { register } from 'node:module';
      register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
      await import('./dist/cli/main.js');
      await import('./dist/cli/agent-command.js');
      const { builtinCatalog } = await import('./dist/components/catalog.js');
      const { registryWithPlugins } = await import('./dist/plugins/loader.js');
      const { loadAgent } = await import('./dist/config/model.js');
      const configs = [{ file: 'idle.conf', text: ${JSON.stringify(conf)} }];
      const { registry } = await registryWithPlugins(builtinCatalog, configs);
      if (!loadAgent(configs, 'a1', registry).plan) throw new Error('no plan');`;
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    const loaded = new Set(
      readFileSync(list, 'utf8')
        .split('\n')
        .filter((u) => u.includes('/dist/components/'))
        .map((u) => `./${u.slice(u.indexOf('/dist/components/') + '/dist/components/'.length)}`),
    );
    const entries = catalogModules().filter((m) => loaded.has(m));
    expect(entries.sort()).toEqual([
      './channels/memory.js',
      './selectors/replicating.js',
      './sinkprocessors/default.js',
      './sinks/null.js',
      './sources/netcat.js',
    ]);
    expect(catalogModules().length).toBeGreaterThan(40);
  });
});
