import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, tmpDir, waitFor, type AgentProcess } from '../support/agent-process.js';

let agent: AgentProcess | undefined;
afterEach(async () => {
  await agent?.stop('SIGKILL');
  agent = undefined;
});

describe('agent end to end: seq → interceptors → logger + file_roll', () => {
  it('applies the interceptor chain in order, logs like LoggerSink and writes header_and_text files', async () => {
    const out = tmpDir();
    agent = startAgent(`a1.sources = r1
a1.channels = c1 c2
a1.sinks = k1 k2
a1.sources.r1.type = seq
a1.sources.r1.totalEvents = 25
a1.sources.r1.channels = c1 c2
a1.sources.r1.interceptors = i1 i2 i3 i4 i5
a1.sources.r1.interceptors.i1.type = org.apache.flume.interceptor.StaticInterceptor$Builder
a1.sources.r1.interceptors.i1.key = datacenter
a1.sources.r1.interceptors.i1.value = NYC
a1.sources.r1.interceptors.i2.type = regex_filter
a1.sources.r1.interceptors.i2.regex = ^1\\\\d$
a1.sources.r1.interceptors.i2.excludeEvents = true
a1.sources.r1.interceptors.i3.type = regex_extractor
a1.sources.r1.interceptors.i3.regex = (\\\\d)$
a1.sources.r1.interceptors.i3.serializers = s1
a1.sources.r1.interceptors.i3.serializers.s1.name = last
a1.sources.r1.interceptors.i4.type = search_replace
a1.sources.r1.interceptors.i4.searchPattern = (\\\\d+)
a1.sources.r1.interceptors.i4.replaceString = n=$1
a1.sources.r1.interceptors.i5.type = remove_header
a1.sources.r1.interceptors.i5.withName = datacenter
a1.channels.c1.type = memory
a1.channels.c2.type = memory
a1.sinks.k1.type = logger
a1.sinks.k1.channel = c1
a1.sinks.k2.type = file_roll
a1.sinks.k2.channel = c2
a1.sinks.k2.sink.directory = ${out}
a1.sinks.k2.sink.rollInterval = 0
a1.sinks.k2.sink.pathManager = ROLLTIME
a1.sinks.k2.sink.pathManager.prefix = ev-
a1.sinks.k2.sink.pathManager.extension = log
a1.sinks.k2.sink.serializer = header_and_text
`);
    // 25 events, 10 … 19 dropped by regex_filter: 15 remain.
    const kept = [...Array.from({ length: 10 }, (_, i) => i), ...Array.from({ length: 5 }, (_, i) => 20 + i)];
    const want = kept.map((n) => `{last=${n % 10}} n=${n}\n`).join('');
    const read = () =>
      readdirSync(out)
        .map((f) => readFileSync(path.join(out, f), 'utf8'))
        .join('');
    await waitFor(() => read() === want && (agent!.stderr().match(/Event: /g) ?? []).length === 15, 'all events delivered', 30_000);
    const files = readdirSync(out);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^ev-\d{14}-1\.log$/);
    const logged = agent
      .stderr()
      .split('\n')
      .filter((l) => l.includes('Event: '))
      .map((l) => JSON.parse(l).msg as string);
    expect(logged[0]).toBe('Event: { headers:{last=0} body: 6E 3D 30                                        n=0 }');
    expect(logged[14]).toBe('Event: { headers:{last=4} body: 6E 3D 32 34                                     n=24 }');
    expect(await agent.stop()).toBe(0);
    rmSync(out, { recursive: true, force: true });
  });

  it('a source with a bad interceptor regex is dropped with a clear error at its line', async () => {
    agent = startAgent(
      `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = seq
a1.sources.r1.channels = c1
a1.sources.r1.interceptors = i1
a1.sources.r1.interceptors.i1.type = regex_filter
a1.sources.r1.interceptors.i1.regex = [a-z&&[^b]]
a1.channels.c1.type = memory
a1.sinks.k1.type = null
a1.sinks.k1.channel = c1
`,
      ['--strict'],
    );
    expect(await agent.exited).toBe(1);
    const msgs = agent
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l).msg as string);
    expect(
      msgs.some((m) =>
        /flume\.conf:8:\d+ error .*regex: invalid or unsupported Java regex "\[a-z&&\[\^b\]\]": character class intersection/.test(m),
      ),
    ).toBe(true);
  });
});
