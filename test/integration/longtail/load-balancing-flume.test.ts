/**
 * load_balancing channel selector against Flume 1.11:
 * - Flume's own LoadBalancingChannelSelector class, driven through its ChannelProcessor (java/LbDump.java), and ours
 *   through ours, get the same events in the same batches: every channel must receive the same events.
 * - A whole Flume 1.11 agent with `selector.type = load_balancing` drops the source (its config validation has no
 *   LOAD_BALANCING selector configuration type); flume-ts runs it and says so in a warning.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, sendLines } from '../../support/agent-process.js';
import { ensureArtifacts } from '../../../scripts/services/lib.mjs';
import { DefaultChannelProcessor } from '../../../src/core/channel-processor.js';
import { LoadBalancingChannelSelector } from '../../../src/components/selectors/load_balancing.js';
import { createEvent } from '../../../src/core/event.js';
import { drain, memory, silentLogger } from '../../support/context.js';
import { linesIn, runFlume, runTs, tmpDir, waitFor, type Running } from './helpers.js';

let cp = '';
let classes = '';
beforeAll(async () => {
  cp = path.join(ensureArtifacts('flume'), '*');
  classes = tmpDir('lbdump-');
  execFileSync('javac', ['-d', classes, '-cp', cp, path.join(import.meta.dirname, 'java', 'LbDump.java')], { stdio: 'pipe' });
});

/** One JVM for all cases: each case is [channels, policy, batches]. */
function flumeRouting(cases: Array<[number, string, number[]]>): string[][][] {
  const args = cases.map(([n, policy, batches]) => `${n}:${policy}:${batches.join(',')}`);
  const out = execFileSync('java', ['-Xmx128m', '-cp', `${classes}${path.delimiter}${cp}`, 'LbDump', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out
    .split('case\n')
    .slice(1)
    .map((block) =>
      block
        .replace(/\n$/, '')
        .split('\n')
        .map((l) => (l ? l.split(' ') : [])),
    );
}

async function tsRouting(channels: number, policy: 'round_robin' | 'random', batches: number[]): Promise<string[][]> {
  const chans = Array.from({ length: channels }, (_, i) => memory(`c${i + 1}`, 100000, 10000));
  const p = new DefaultChannelProcessor(new LoadBalancingChannelSelector(chans, policy), [], silentLogger);
  let next = 0;
  for (const size of batches) {
    const events = Array.from({ length: size }, () => createEvent(String(next++)));
    if (size === 1) await p.processEvent(events[0]!);
    else await p.processEventBatch(events);
  }
  return Promise.all(chans.map(async (c) => (await drain(c)).map((e) => e.body.toString())));
}

describe("load_balancing selector: Flume 1.11's class vs flume-ts", () => {
  const cases: Array<[number, number[]]> = [
    [2, [1, 1, 1, 1, 1]],
    [3, [4, 1, 2, 5]],
    [5, [100, 7, 1, 33]],
    [1, [3, 3]],
  ];
  const randomBatches = [50, 1, 149];
  it("round_robin: every channel gets the same events as with Flume's class; random: each event exactly once", async () => {
    const flume = flumeRouting([...cases.map(([n, b]): [number, string, number[]] => [n, 'round_robin', b]), [3, 'random', randomBatches]]);
    for (const [i, [n, batches]] of cases.entries()) {
      expect(await tsRouting(n, 'round_robin', batches), `${n} channels, batches ${batches.join(',')}`).toEqual(flume[i]);
    }
    for (const got of [flume[cases.length]!, await tsRouting(3, 'random', randomBatches)]) {
      expect(
        got
          .flat()
          .map(Number)
          .sort((a, b) => a - b),
      ).toEqual(Array.from({ length: 200 }, (_, i) => i));
      for (const ch of got) expect(ch.length).toBeGreaterThan(20);
    }
  });
});

describe('load_balancing selector in a whole agent', () => {
  let running: Running[] = [];
  afterAll(async () => {
    for (const r of running) await r.stop();
    running = [];
  });
  const conf = (port: number, out: string) => `a1.sources = r1
a1.channels = c1 c2
a1.sinks = k1 k2
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = c1 c2
a1.sources.r1.selector.type = load_balancing
${[1, 2]
  .map(
    (i) => `a1.channels.c${i}.type = memory
a1.sinks.k${i}.type = file_roll
a1.sinks.k${i}.channel = c${i}
a1.sinks.k${i}.sink.directory = ${path.join(out, `k${i}`)}
a1.sinks.k${i}.sink.rollInterval = 0
`,
  )
  .join('')}`;

  it('Flume 1.11 drops the source (no LOAD_BALANCING selector configuration); flume-ts routes round-robin', async () => {
    const port = await freePort();
    const out = tmpDir('lb-flume-');
    const flume = await runFlume(conf(port, out));
    running.push(flume);
    const configured = async () => fs.existsSync(flume.where) && /Starting new configuration/.test(fs.readFileSync(flume.where, 'utf8'));
    await waitFor('Flume to reject the selector', configured, { timeoutMs: 120_000 });
    const log = fs.readFileSync(flume.where, 'utf8');
    expect(log).toContain(
      'No enum constant org.apache.flume.conf.channel.ChannelSelectorConfiguration.' + 'ChannelSelectorConfigurationType.LOAD_BALANCING',
    );
    expect(log).toMatch(/sourceRunners:\{\}/);

    const tsPort = await freePort();
    const tsOut = tmpDir('lb-ts-');
    for (const i of [1, 2]) fs.mkdirSync(path.join(tsOut, `k${i}`)); // file_roll does not create it (as Flume)
    const ts = await runTs(conf(tsPort, tsOut), tsPort);
    running.push(ts);
    for (let i = 0; i < 6; i++) expect(await sendLines(tsPort, [`l${i}`])).toEqual(['OK']);
    const dirs = [1, 2].map((i) => path.join(tsOut, `k${i}`));
    await waitFor('6 lines out', async () => dirs.flatMap(linesIn).length >= 6, { timeoutMs: 30_000 });
    expect(dirs.map(linesIn)).toEqual([
      ['l0', 'l2', 'l4'],
      ['l1', 'l3', 'l5'],
    ]);
    expect(ts.agent.stderr()).toMatch(/Flume 1\.11 drops/);
  });
});
