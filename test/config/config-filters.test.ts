import { describe, expect, it } from 'vitest';
import { loadAgent } from '../../src/config/model.js';
import { builtinRegistry } from '../../src/components/registry.js';
import { CONFIG_FILTERS, resolveConfigFilter } from '../../src/config/config-filters.js';
import { FRAMEWORK_KEYS, frameworkKeysOf } from '../../src/config/framework-keys.js';
import { PASSES } from '../../src/config/passes/index.js';

const CONF = `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = \${f1['BIND']}
a1.sources.r1.port = 44444
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = null
a1.sinks.k1.channel = c1
a1.configfilters = f1
a1.configfilters.f1.type = env
`;

describe('config filters and framework keys, declared', () => {
  it('the env filter reads LoadOptions.env when given, not process.env', () => {
    process.env.BIND = 'from-process';
    try {
      const r = loadAgent([{ file: 'f.conf', text: CONF }], 'a1', builtinRegistry(), { env: { BIND: '127.0.0.7' } });
      expect(r.plan!.sources[0]!.config.bind).toBe('127.0.0.7');
    } finally {
      delete process.env.BIND;
    }
  });

  it('resolves filter types by alias (any case) and class name', () => {
    expect(resolveConfigFilter('ENV')?.type).toBe('env');
    expect(resolveConfigFilter('org.apache.flume.configfilter.ExternalProcessConfigFilter')?.type).toBe('external');
    expect(resolveConfigFilter('hadoop')).toBeUndefined();
    expect(CONFIG_FILTERS.map((f) => f.type)).toEqual(['env', 'external']);
  });

  it('framework keys are declared per section', () => {
    expect(FRAMEWORK_KEYS.sources.map((k) => k.key)).toContain('selector.');
    expect(frameworkKeysOf('sources')('interceptors.i1.type')).toBe(true);
    expect(frameworkKeysOf('sinks')('channel')).toBe(true);
    expect(frameworkKeysOf('sinks')('channels')).toBe(false);
  });

  it('validation runs as named passes, in order', () => {
    expect(PASSES.map((p) => p.name)).toEqual(['config filters', 'names', 'channels', 'sinks', 'sink groups', 'sources', 'graph']);
  });
});
