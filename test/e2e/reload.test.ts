import { utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canConnect, freePort, startAgent, tmpDir, waitFor, type AgentProcess } from '../support/agent-process.js';

let agent: AgentProcess | undefined;
afterEach(async () => {
  await agent?.stop('SIGKILL');
});

const conf = (port: number, _mport: number) => `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = null
a1.sinks.k1.channel = c1
`;

describe('configuration reload', () => {
  it('applies a changed file, and keeps the running agent when the new file is broken', async () => {
    const [p1, p2, mport] = [await freePort(), await freePort(), await freePort()];
    const file = path.join(tmpDir(), 'flume.conf');
    agent = startAgent(conf(p1, mport), ['--poll-interval', '1'], 'a1', { reload: true, file });
    await waitFor(() => canConnect(p1), 'first port');
    // a broken config: the old agent keeps running
    writeFileSync(
      file,
      conf(p2, mport).replace('type = netcat', 'type = netcatt').replace('a1.sinks.k1.type = null', 'a1.sinks.k1.type = nul'),
    );
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    await waitFor(() => /unknown-type/.test(agent!.stderr()), 'reload attempt');
    expect(await canConnect(p1)).toBe(true);
    writeFileSync(file, conf(p2, mport));
    utimesSync(file, new Date(), new Date(Date.now() + 10_000));
    await waitFor(() => canConnect(p2), 'new port after reload');
    await waitFor(async () => !(await canConnect(p1)), 'old port closed');
    expect(await agent.stop()).toBe(0);
  });
});
