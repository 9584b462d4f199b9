/**
 * bin/flume-ts starts node without V8's compiling tiers (src/cli/jit.ts) and switches them back on once the started
 * agent is busy: start-up and monitoring requests compile nothing with TurboFan (an idle agent does not page in the
 * compiler), traffic does.
 * V8's --trace-opt lines (stdout, flushed at exit) tell which functions TurboFan compiled.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, canConnect, freePort, sendLines, tmpDir, waitFor } from '../support/agent-process.js';

/** The node flags of bin/flume-ts's `#!/usr/bin/env -S node …` line. */
function shebangFlags(): string[] {
  const m = /^#!.*\bnode\b(.*)$/.exec(readFileSync(BIN, 'utf8').split('\n', 1)[0] ?? '');
  return m ? m[1]!.trim().split(/\s+/).filter(Boolean) : [];
}

/** Runs an agent with --trace-opt, lets `work` use its netcat port, stops it; returns what V8 traced. */
async function traced(work: (port: number, monPort: number) => Promise<void>): Promise<string> {
  const port = await freePort();
  const monPort = await freePort();
  const file = path.join(tmpDir('flume-ts-jit-'), 'flume.conf');
  writeFileSync(
    file,
    `a1.sources = r1\na1.channels = c1\na1.sinks = k1
a1.sources.r1.type = netcat\na1.sources.r1.bind = 127.0.0.1\na1.sources.r1.port = ${port}\na1.sources.r1.channels = c1
a1.channels.c1.type = memory\na1.channels.c1.capacity = 100000\na1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = null\na1.sinks.k1.channel = c1\n`,
  );
  const args = [
    ...shebangFlags(),
    '--trace-opt',
    BIN,
    'agent',
    '-f',
    file,
    '-n',
    'a1',
    '--no-reload-conf',
    '-Dflume.root.logger=WARN,console',
    '-Dflume.monitoring.type=http',
    `-Dflume.monitoring.port=${monPort}`,
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d.toString()));
  child.stderr.on('data', (d) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  try {
    await waitFor(() => canConnect(port), `the agent's netcat port (stderr: ${err})`);
    // the monitoring server answers once the start has finished and SIGTERM is handled (a killed process would not
    // flush V8's trace, and an empty trace proves nothing)
    await waitFor(async () => (await fetch(`http://127.0.0.1:${monPort}/health`)).ok, `/health (stderr: ${err})`);
    await work(port, monPort);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  return out;
}

const turbofan = (trace: string) => trace.split('\n').filter((l) => /completed optimizing .*TURBOFAN/.test(l));

describe('start-up without the compiling tiers (bin/flume-ts, src/cli/jit.ts)', () => {
  it('the shebang defers both tiers', () => {
    expect(shebangFlags()).toEqual(expect.arrayContaining(['--no-opt', '--no-sparkplug']));
  });

  it('starting an agent, asking its monitoring endpoint and stopping it compiles nothing with TurboFan', async () => {
    const trace = await traced(async (_port, monPort) => {
      for (let i = 0; i < 5; i++) await (await fetch(`http://127.0.0.1:${monPort}/metrics`)).text();
    });
    expect(turbofan(trace)).toEqual([]);
  });

  it('traffic after the start is optimised as usual', async () => {
    // The tiers come back at the end of the first busy 250 ms window (SAMPLE_MS): on a fast machine 50 000 lines take
    // less than that, so the load lasts at least 1.5 s (bounded to 40 rounds) whatever the machine's speed.
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i}`);
    const trace = await traced(async (port) => {
      const t0 = Date.now();
      for (let round = 0; round < 40 && (round === 0 || Date.now() - t0 < 1500); round++) {
        const replies = await sendLines(port, lines);
        expect(replies.length).toBe(lines.length);
      }
    });
    expect(turbofan(trace).length).toBeGreaterThan(0);
  });
});
