/**
 * SPILLABLEMEMORY, differential: the same two-run scenario through real Flume 1.11 and flume-ts, each on its own
 * directories (the overflow's on-disk formats differ).
 * Run 1: netcat → SPILLABLEMEMORY (memoryCapacity 5, overflowTimeout 0) with no sink; 20 lines, one at a time (each
 * acknowledged): 5 go to memory, 15 spill to the overflow. The agent is stopped: memory is lost, the overflow stays.
 * Run 2: the same channel with a file_roll sink: exactly the 15 spilled lines come out, in order.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, sendLines } from '../../support/agent-process.js';
import { linesIn, runFlume, runTs, tmpDir, waitFor, type Running, stopAll } from './helpers.js';

const N = 20;
const conf = (port: number, root: string, withSink: boolean) => `a1.sources = r1
a1.channels = c1
a1.sinks = ${withSink ? 'k1' : ''}
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = c1
a1.channels.c1.type = SPILLABLEMEMORY
a1.channels.c1.memoryCapacity = 5
a1.channels.c1.overflowTimeout = 0
a1.channels.c1.checkpointDir = ${root}/checkpoint
a1.channels.c1.dataDirs = ${root}/data
a1.channels.c1.minimumRequiredSpace = 1048576
${
  withSink
    ? `a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${root}/out
a1.sinks.k1.sink.rollInterval = 0
`
    : ''
}`;

let running: Running | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await stopAll(); // also an agent whose handle a later run() replaced
});

async function scenario(impl: 'flume' | 'ts'): Promise<string[]> {
  const root = tmpDir(`spill-${impl}-`);
  fs.mkdirSync(path.join(root, 'out'));
  const start = impl === 'flume' ? runFlume : runTs;
  const port = await freePort();
  running = await start(conf(port, root, false), port);
  for (let i = 0; i < N; i++) expect(await sendLines(port, [`l${i}`])).toEqual(['OK']);
  await running.stop();
  const port2 = await freePort();
  running = await start(conf(port2, root, true), port2);
  const out = path.join(root, 'out');
  await waitFor(`${impl}: the overflow drained to file_roll`, async () => linesIn(out).length >= N - 5, { timeoutMs: 90_000 });
  // nothing more arrives (memory events were lost with the first run)
  await new Promise((r) => setTimeout(r, 1000));
  return linesIn(out);
}

describe('SPILLABLEMEMORY: flume-ts vs Flume 1.11', () => {
  it('spills past memoryCapacity, keeps the overflow across a restart and drains it in order', async () => {
    const flume = await scenario('flume');
    const ts = await scenario('ts');
    expect(flume).toEqual(Array.from({ length: N - 5 }, (_, i) => `l${i + 5}`));
    expect(ts).toEqual(flume);
  });
});
