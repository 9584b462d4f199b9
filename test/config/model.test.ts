import { describe, expect, it } from 'vitest';
import { loadAgent, type ConfigFile } from '../../src/config/model.js';
import { builtinRegistry } from '../../src/components/registry.js';
import { formatDiagnostic } from '../../src/config/diagnostics.js';

const registry = builtinRegistry();
const file = (text: string, name = 'flume.conf'): ConfigFile => ({ file: name, text });
const load = (text: string | ConfigFile[], agent = 'a1', opts = {}) =>
  loadAgent(typeof text === 'string' ? [file(text)] : text, agent, registry, opts);
const codes = (r: ReturnType<typeof load>) => r.diagnostics.map((d) => d.code);

const EXAMPLE = `
a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = localhost
a1.sources.r1.port = 44444
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 1000
a1.channels.c1.transactionCapacity = 100
a1.sinks.k1.type = null
a1.sinks.k1.channel = c1
`;

describe('Flume config model', () => {
  it('builds the classic example with typed configs and no diagnostics', () => {
    const r = load(EXAMPLE);
    expect(r.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    const p = r.plan!;
    expect(p.sources.map((s) => [s.name, s.spec.type, s.channels])).toEqual([['r1', 'netcat', ['c1']]]);
    expect(p.sources[0]!.config).toMatchObject({ bind: 'localhost', port: 44444, 'max-line-length': 512, 'ack-every-event': true });
    expect(p.channels[0]!.config).toMatchObject({ capacity: 1000, transactionCapacity: 100, 'keep-alive': 3 });
    expect(p.sinks[0]!.channel).toBe('c1');
    expect(p.sources[0]!.selector.spec.type).toBe('replicating');
  });

  it('accepts types case-insensitively and as Flume class names', () => {
    const r = load(
      EXAMPLE.replace('type = netcat', 'type = NetCat').replace('type = memory', 'type = org.apache.flume.channel.MemoryChannel'),
    );
    expect(r.plan!.sources[0]!.spec.type).toBe('netcat');
    expect(r.plan!.channels[0]!.spec.type).toBe('memory');
  });

  it('reports an unknown agent with the agents found and a did-you-mean', () => {
    const r = load(EXAMPLE, 'a2');
    expect(r.plan).toBeUndefined();
    expect(r.agents).toEqual(['a1']);
    expect(formatDiagnostic(r.diagnostics[0]!)).toMatch(
      /^flume\.conf:1:1 error unknown-agent .*agents found: a1 \(did you mean --name a1\?\)/,
    );
  });

  it('drops what Flume drops, with file:line:col and a did-you-mean', () => {
    const r = load(`a1.sources = r1 r2
a1.channels = c1
a1.sinks = k1 k2 k3
a1.sources.r1.type = netcat
a1.sources.r1.bind = localhost
a1.sources.r1.port = 1
a1.sources.r1.channels = c2
a1.sources.r2.type = seq
a1.sources.r2.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = nul
a1.sinks.k1.channel = c1
a1.sinks.k2.type = null
a1.sinks.k2.channels = c1
a1.sinks.k3.channel = c1
`);
    const p = r.plan!;
    expect(p.sources.map((s) => s.name)).toEqual(['r2']);
    expect(p.sinks).toEqual([]);
    expect(p.dropped.map((d) => `${d.kind} ${d.name}`).sort()).toEqual(['sink k1', 'sink k2', 'sink k3', 'source r1']);
    const text = r.diagnostics.map(formatDiagnostic).join('\n');
    expect(text).toContain('flume.conf:7:26 warning unknown-channel source r1: channel "c2" is not an active channel (did you mean "c1"?)');
    expect(text).toContain('flume.conf:11:20 error unknown-type sink k1: unknown sink type "nul" (did you mean "null"?)');
    expect(text).toContain(
      'flume.conf:14:1 error missing-channel sink k2 has no channel (a sink takes one channel: write a1.sinks.k2.channel (singular))',
    );
    expect(text).toMatch(/error missing-type sink k3 has no type/);
  });

  it('warns about misspelled properties and refuses bad numbers like Flume', () => {
    const r = load(EXAMPLE.replace('transactionCapacity = 100', 'transactionCapacty = 100').replace('port = 44444', 'port = 44x44'));
    const un = r.diagnostics.find((d) => d.code === 'unknown-property')!;
    expect(un.hint).toBe('did you mean "transactionCapacity"?');
    expect(un.at).toEqual({ file: 'flume.conf', line: 11, col: 1 });
    const bad = r.diagnostics.find((d) => d.code === 'invalid-value')!;
    expect(bad.message).toContain('expected an integer, got "44x44"');
    expect(r.plan!.sources).toEqual([]);
  });

  it('drops a source or sink whose batch size exceeds the channel transactionCapacity', () => {
    const r = load(EXAMPLE + 'a1.sinks.k1.batchSize = 1000\n');
    expect(codes(r)).toContain('batch-exceeds-transaction-capacity');
    expect(r.plan!.sinks).toEqual([]);
  });

  it('drops a memory channel whose transactionCapacity exceeds its capacity, and what depends on it', () => {
    const r = load(EXAMPLE.replace('capacity = 1000', 'capacity = 10'));
    expect(codes(r)).toContain('invalid-combination');
    expect(r.plan!.channels).toEqual([]);
    expect(r.plan!.sources).toEqual([]);
    expect(codes(r)).toContain('empty-agent');
  });

  it('merges several files in order, later keys winning', () => {
    const r = load([file(EXAMPLE), file('a1.sources.r1.port = 5555\n', 'override.conf')]);
    expect(r.plan!.sources[0]!.config.port).toBe(5555);
  });

  it('keeps several agents apart', () => {
    const r = load(EXAMPLE + EXAMPLE.replaceAll('a1.', 'a2.').replace('44444', '44445'), 'a2');
    expect(r.agents.sort()).toEqual(['a1', 'a2']);
    expect(r.plan!.sources[0]!.config.port).toBe(44445);
  });

  it('substitutes ${VAR} from the config, ${env:VAR} and ${sys:prop}; unresolved stays literal with a warning', () => {
    const text =
      EXAMPLE.replace('port = 44444', 'port = ${NC_PORT}').replace('bind = localhost', 'bind = ${env:BIND_HOST}') +
      'NC_PORT = 4545\na1.sinks.k1.batchSize = ${sys:bs}\n';
    const r = load(text, 'a1', { env: { BIND_HOST: '127.0.0.1' }, sysProps: { bs: '7' } });
    expect(r.plan!.sources[0]!.config).toMatchObject({ port: 4545, bind: '127.0.0.1' });
    expect(r.plan!.sinks[0]!.config.batchSize).toBe(7);
    const r2 = load(EXAMPLE.replace('bind = localhost', 'bind = ${HOSTVAR}'), 'a1', { env: { HOSTVAR: 'h' } });
    const w = r2.diagnostics.find((d) => d.code === 'unresolved-variable')!;
    expect(w.hint).toContain('${env:HOSTVAR}');
    expect(r2.plan!.sources[0]!.config.bind).toBe('${HOSTVAR}');
    const r3 = load(EXAMPLE.replace('bind = localhost', 'bind = ${HOSTVAR}'), 'a1', {
      env: { HOSTVAR: 'h' },
      sysProps: { propertiesImplementation: 'org.apache.flume.node.EnvVarResolverProperties' },
    });
    expect(r3.plan!.sources[0]!.config.bind).toBe('h');
  });

  it('resolves config filters ${f[key]}', () => {
    const r = load(
      EXAMPLE.replace('bind = localhost', "bind = ${f1['MY_BIND']}") + 'a1.configfilters = f1\na1.configfilters.f1.type = env\n',
      'a1',
      {},
    );
    process.env.MY_BIND = '127.0.0.9';
    const r2 = load(
      EXAMPLE.replace('bind = localhost', "bind = ${f1['MY_BIND']}") + 'a1.configfilters = f1\na1.configfilters.f1.type = env\n',
    );
    expect(r2.plan!.sources[0]!.config.bind).toBe('127.0.0.9');
    expect(r.plan).toBeDefined();
  });

  it('parses selectors, interceptors and sink groups', () => {
    const r = load(`a1.sources = r1
a1.channels = c1 c2
a1.sinks = k1 k2
a1.sinkgroups = g1
a1.sources.r1.type = seq
a1.sources.r1.channels = c1 c2
a1.sources.r1.selector.type = multiplexing
a1.sources.r1.selector.header = state
a1.sources.r1.selector.mapping.CA = c1
a1.sources.r1.selector.mapping.NY = c2 c9
a1.sources.r1.selector.default = c1
a1.channels.c1.type = memory
a1.channels.c2.type = memory
a1.sinks.k1.type = null
a1.sinks.k1.channel = c1
a1.sinks.k2.type = null
a1.sinks.k2.channel = c2
a1.sinkgroups.g1.sinks = k1 k2
a1.sinkgroups.g1.processor.type = failover
a1.sinkgroups.g1.processor.priority.k1 = 5
a1.sinkgroups.g1.processor.priority.k2 = 10
a1.sinkgroups.g1.processor.maxpenalty = 10000
`);
    // c9 is not among the source's channels: Flume fails the selector, so the source is dropped
    expect(r.diagnostics.find((d) => d.code === 'unknown-channel')!.message).toContain('"c9"');
    expect(r.plan!.sources).toEqual([]);
    expect(r.plan!.sinkgroups[0]).toMatchObject({ name: 'g1', sinks: ['k1', 'k2'] });
    expect(r.plan!.sinkgroups[0]!.processor.config).toMatchObject({ maxpenalty: 10000 });
  });

  it('warns about components configured but not listed, and unknown sections', () => {
    const r = load(EXAMPLE + 'a1.sinks.k9.type = null\na1.sink.k1.type = null\n');
    expect(codes(r)).toEqual(expect.arrayContaining(['unlisted-component', 'unknown-section']));
    const sec = r.diagnostics.find((d) => d.code === 'unknown-section')!;
    expect(sec.hint).toBe('did you mean "a1.sinks.k1.type"?');
  });

  it('reads booleans like Boolean.parseBoolean and warns when the value is neither true nor false', () => {
    const r = load(EXAMPLE + 'a1.sources.r1.ack-every-event = yes\n');
    expect(r.plan!.sources[0]!.config['ack-every-event']).toBe(false);
    expect(codes(r)).toContain('suspicious-value');
  });

  it('reports a missing required property with the component location', () => {
    const r = load(EXAMPLE.replace('a1.sources.r1.port = 44444\n', ''));
    const d = r.diagnostics.find((x) => x.code === 'missing-property')!;
    expect(d.message).toBe('source r1: required property "port" is not set');
    expect(d.at?.line).toBe(5);
  });
});
