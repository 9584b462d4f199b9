/**
 * The catalog (src/components/catalog.ts) names every built-in component before its module loads: its names must be
 * those of the declaration it loads, and an agent's registry loads only the components its configuration names.
 */
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../src/components/catalog.js';
import { Registry } from '../../src/config/registry.js';
import { loadAgent } from '../../src/config/model.js';
import { registryWithPlugins } from '../../src/plugins/loader.js';

const spellings = (c: { type: string; fqcn?: string; aliases?: readonly string[] }): string[] =>
  [...new Set([c.type.toLowerCase(), ...(c.fqcn ? [c.fqcn] : []), ...(c.aliases ?? [])].map((s) => s.toLowerCase()))].sort();

const IDLE = `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = 44444
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = null
a1.sinks.k1.channel = c1
`;

describe('component catalog', () => {
  it('each entry loads the declaration of its kind and type, with the same names', async () => {
    for (const entry of builtinCatalog) {
      const spec = await entry.load();
      expect(`${spec.kind} ${spellings(spec)}`).toBe(`${entry.kind} ${spellings(entry)}`);
    }
  });

  it('has no duplicate names (the registry refuses them)', () => {
    expect(() => new Registry(builtinCatalog)).not.toThrow();
  });

  it('an agent registry loads only what the configuration names, plus the default selector', async () => {
    const { registry } = await registryWithPlugins(builtinCatalog, [{ file: 'idle.conf', text: IDLE }]);
    const loaded = registry.specs().map((s) => `${s.kind} ${s.type}`);
    expect(loaded.sort()).toEqual(['channel memory', 'selector replicating', 'sink null', 'sinkprocessor default', 'source netcat']);
    expect(loadAgent([{ file: 'idle.conf', text: IDLE }], 'a1', registry).plan?.sinks.map((s) => s.name)).toEqual(['k1']);
  });

  it('loads the default serializer a sink names and the parts a configuration names, by alias or FQCN', async () => {
    const text = `${IDLE.replace('k1.type = null', 'k1.type = FILE_ROLL\na1.sinks.k1.sink.directory = /tmp')}
a1.sources.r1.interceptors = i1
a1.sources.r1.interceptors.i1.type = org.apache.flume.interceptor.HostInterceptor$Builder
`;
    const { registry } = await registryWithPlugins(builtinCatalog, [{ file: 'f.conf', text }]);
    const loaded = registry.specs().map((s) => `${s.kind} ${s.type}`);
    expect(loaded).toEqual(expect.arrayContaining(['sink file_roll', 'serializer text', 'interceptor host']));
    expect(loaded).not.toContain('sink hdfs');
    expect(loadAgent([{ file: 'f.conf', text }], 'a1', registry).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('suggests and lists types that are not loaded', async () => {
    const text = IDLE.replace('k1.type = null', 'k1.type = hdfss');
    const { registry } = await registryWithPlugins(builtinCatalog, [{ file: 'f.conf', text }]);
    const d = loadAgent([{ file: 'f.conf', text }], 'a1', registry).diagnostics.find((x) => x.code === 'unknown-type');
    expect(d?.hint).toContain('hdfs');
    expect(registry.specs('sink').map((s) => s.type)).toEqual([]);
  });

  it('a configuration with config filters loads every component (a filter can produce any type)', async () => {
    const text = `${IDLE}a1.configfilters = f1\na1.configfilters.f1.type = env\n`;
    const { registry } = await registryWithPlugins(builtinCatalog, [{ file: 'f.conf', text }]);
    expect(registry.specs().length).toBe(builtinCatalog.length);
  });
});
