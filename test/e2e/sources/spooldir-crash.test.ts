/**
 * Crash proof for spooldir: a writer keeps dropping files into the spool directory (written under a hidden name,
 * then renamed in, as Flume requires) while an agent drains it (spooldir → file channel → file_roll). The agent is
 * killed with SIGKILL KILLS times at random moments and restarted on the same directories; a last agent finishes.
 * Every line must be delivered; the duplicates allowed per kill are one source batch (committed to the channel but
 * its position not yet stored) plus one sink batch (written by file_roll but its take not yet committed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, tmpDir, waitFor, type AgentProcess } from '../../support/agent-process.js';

const KILLS = 20;
const SOURCE_BATCH = 100;
const SINK_BATCH = 100;
const LINES_PER_FILE = 300;

let agent: AgentProcess | undefined;
afterEach(async () => {
  await agent?.stop('SIGKILL');
  agent = undefined;
});

const conf = (root: string) => `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = spooldir
a1.sources.r1.spoolDir = ${root}/spool
a1.sources.r1.batchSize = ${SOURCE_BATCH}
a1.sources.r1.pollDelay = 50
a1.sources.r1.channels = c1
a1.channels.c1.type = file
a1.channels.c1.checkpointDir = ${root}/checkpoint
a1.channels.c1.dataDirs = ${root}/data
a1.channels.c1.checkpointInterval = 500
a1.channels.c1.maxFileSize = 1048576
a1.channels.c1.minimumRequiredSpace = 1048576
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${root}/out
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.batchSize = ${SINK_BATCH}
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function outputLines(dir: string): string[] {
  const out: string[] = [];
  for (const f of fs.readdirSync(dir).sort()) for (const l of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) if (l) out.push(l);
  return out;
}

describe('spooldir: kill -9 while files keep arriving', () => {
  it(`loses nothing over ${KILLS} SIGKILLs; duplicates at most one source + one sink batch per kill`, async () => {
    const root = tmpDir('spool-crash-');
    const spool = path.join(root, 'spool');
    fs.mkdirSync(spool);
    fs.mkdirSync(path.join(root, 'out'));
    let files = 0;
    const writeFile = () => {
      const k = files++;
      const body = Array.from({ length: LINES_PER_FILE }, (_, i) => `f${k}-${i}`).join('\n') + '\n';
      const tmp = path.join(spool, `.f${k}.tmp`);
      fs.writeFileSync(tmp, body);
      fs.renameSync(tmp, path.join(spool, `f${String(k).padStart(5, '0')}.log`));
    };
    const writer = setInterval(writeFile, 100);
    const cf = path.join(tmpDir('spool-crash-conf-'), 'flume.conf');
    try {
      for (let k = 0; k < KILLS; k++) {
        agent = startAgent(conf(root), [], 'a1', { file: cf });
        await sleep(700 + Math.random() * 1300);
        agent.child.kill('SIGKILL');
        await agent.exited;
      }
    } finally {
      clearInterval(writer);
    }
    agent = startAgent(conf(root), [], 'a1', { file: cf });
    const expected = files * LINES_PER_FILE;
    await waitFor(() => fs.readdirSync(spool).filter((n) => n.endsWith('.log')).length === 0, 'every file completed', 60_000);
    await waitFor(() => new Set(outputLines(path.join(root, 'out'))).size >= expected, 'every line in the output', 60_000).catch(
      () => undefined,
    );
    await agent.stop('SIGTERM');
    agent = undefined;

    const got = outputLines(path.join(root, 'out'));
    const unique = new Set(got);
    const missing: string[] = [];
    for (let k = 0; k < files && missing.length < 10; k++)
      for (let i = 0; i < LINES_PER_FILE; i++) if (!unique.has(`f${k}-${i}`)) missing.push(`f${k}-${i}`);
    const duplicates = got.length - unique.size;
    console.log(
      `spooldir crash: ${KILLS} kills, ${files} files, ${expected} lines, ${got.length} delivered, ${duplicates} duplicates, ${missing.length} missing`,
    );
    expect(missing).toEqual([]);
    expect(unique.size).toBe(expected);
    expect(duplicates).toBeLessThanOrEqual(KILLS * (SOURCE_BATCH + SINK_BATCH));
    expect(fs.readdirSync(spool).filter((n) => n.endsWith('.COMPLETED')).length).toBe(files);
  });
});
