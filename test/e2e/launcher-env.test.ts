/**
 * bin/flume-ts's `#!` line gives the agent glibc's malloc settings (src/cli/launcher-env.ts); the commands the agent
 * starts (here an exec source's) run without them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LAUNCHER_MALLOC_ENV } from '../../src/cli/launcher-env.js';
import { startAgent, tmpDir, waitFor, type AgentProcess } from '../support/agent-process.js';

let agent: AgentProcess | undefined;
afterEach(async () => {
  await agent?.stop('SIGTERM');
  agent = undefined;
});

describe('launcher malloc settings in a real agent', () => {
  it('the agent runs with them; an exec source command does not see them', async () => {
    const out = tmpDir('launcher-env-');
    agent = startAgent(`a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = exec
a1.sources.r1.shell = /bin/sh -c
a1.sources.r1.command = echo "mmap=$MALLOC_MMAP_THRESHOLD_ trim=$MALLOC_TRIM_THRESHOLD_"
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${out}
a1.sinks.k1.sink.rollInterval = 0
`);
    const text = () =>
      fs
        .readdirSync(out)
        .map((f) => fs.readFileSync(path.join(out, f), 'utf8'))
        .join('');
    await waitFor(() => text().includes('\n'), 'the command output', 20_000);
    expect(text()).toBe('mmap= trim=\n');
    // the environment node was started with (env(1) has exec'd node by now)
    const environ = fs.readFileSync(`/proc/${agent.child.pid}/environ`, 'utf8').split('\0');
    for (const [k, v] of Object.entries(LAUNCHER_MALLOC_ENV)) expect(environ).toContain(`${k}=${v}`);
  });
});
