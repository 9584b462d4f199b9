/**
 * Two flume-ts agents, the http sink of one posting to the http source of the other (netcat → memory → http sink →
 * http source (JSONHandler) → memory → file_roll): every line arrives once and in order, also when the downstream
 * agent starts only after the upstream one has taken events (connection refused: rolled back, retried).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canConnect, freePort, sendLines, startAgent, tmpDir, waitFor, type AgentProcess } from '../support/agent-process.js';

const agents: AgentProcess[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop('SIGKILL');
});

const upstream = (netcatPort: number, httpPort: number) => `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${netcatPort}
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = http
a1.sinks.k1.channel = c1
a1.sinks.k1.endpoint = http://127.0.0.1:${httpPort}/
a1.sinks.k1.contentTypeHeader = application/json
a1.sinks.k1.connectTimeout = 1000
# the User Guide's overrides: a 2XX commits (Flume's defaults would roll it back and post it again)
a1.sinks.k1.rollback.2XX = false
a1.sinks.k1.backoff.2XX = false
a1.sinks.k1.incrementMetrics.2XX = true
`;

const downstream = (httpPort: number, dir: string) => `b1.sources = r1
b1.channels = c1
b1.sinks = k1
b1.sources.r1.type = http
b1.sources.r1.bind = 127.0.0.1
b1.sources.r1.port = ${httpPort}
b1.sources.r1.channels = c1
b1.channels.c1.type = memory
b1.sinks.k1.type = file_roll
b1.sinks.k1.channel = c1
b1.sinks.k1.sink.directory = ${dir}
b1.sinks.k1.sink.rollInterval = 0
b1.sinks.k1.sink.serializer = header_and_text
`;

const output = (dir: string) =>
  readdirSync(dir)
    .sort()
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n'))
    .filter((l) => l !== '');

describe('http sink → http source (two flume-ts agents)', () => {
  it('delivers every event once, in order, headers and bodies, also across a downstream that starts late', async () => {
    const [netcatPort, httpPort] = [await freePort(), await freePort()];
    const out = tmpDir();
    const up = startAgent(upstream(netcatPort, httpPort));
    agents.push(up);
    await waitFor(() => canConnect(netcatPort), 'upstream netcat port');
    // each line is one JSONHandler request body: an array with one event
    const line = (i: number) => JSON.stringify([{ headers: { seq: String(i) }, body: `event ${i}` }]);
    const first = await sendLines(
      netcatPort,
      Array.from({ length: 300 }, (_, i) => line(i)),
    );
    expect(first.every((r) => r === 'OK')).toBe(true);
    // nobody listens yet: the sink's POSTs are refused, rolled back and retried
    await waitFor(() => /Error opening connection, or request timed out/.test(up.stderr()), 'a refused POST in the log', 30_000);
    const down = startAgent(downstream(httpPort, out), [], 'b1');
    agents.push(down);
    await waitFor(() => canConnect(httpPort), 'downstream http port');
    const second = await sendLines(
      netcatPort,
      Array.from({ length: 300 }, (_, i) => line(300 + i)),
    );
    expect(second.every((r) => r === 'OK')).toBe(true);
    await waitFor(() => output(out).length >= 600, 'all 600 events downstream', 60_000);
    expect(await up.stop('SIGTERM')).toBe(0);
    expect(await down.stop('SIGTERM')).toBe(0);
    expect(output(out)).toEqual(Array.from({ length: 600 }, (_, i) => `{seq=${i}} event ${i}`));
  });
});
