/**
 * HDFS sink on file:// paths, differential: the same config (netcat → memory → hdfs on file:///…, DataStream,
 * rollCount 3, idleTimeout, prefix/suffix/in-use prefix) through real Flume 1.11 (Hadoop's LocalFileSystem) and flume-ts; the same
 * lines sent; while running, the open file carries the in-use name (its bytes may still be buffered by Hadoop);
 * after a clean stop both directories hold the same
 * files (names with the counter masked) with the same contents. Flume's .crc side files are ignored.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, sendLines } from '../../support/agent-process.js';
import { runFlume, runTs, tmpDir, waitFor, type Running, stopAll } from './helpers.js';

const LINES = ['l0', 'l1', 'l2', 'l3', 'l4', 'l5', 'l6'];
const conf = (port: number, dir: string) => `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = hdfs
a1.sinks.k1.channel = c1
a1.sinks.k1.hdfs.path = file://${dir}/out
a1.sinks.k1.hdfs.filePrefix = events
a1.sinks.k1.hdfs.fileSuffix = .txt
a1.sinks.k1.hdfs.inUsePrefix = _
a1.sinks.k1.hdfs.fileType = DataStream
a1.sinks.k1.hdfs.rollCount = 3
a1.sinks.k1.hdfs.rollSize = 0
a1.sinks.k1.hdfs.rollInterval = 0
a1.sinks.k1.hdfs.idleTimeout = 2
`;

let running: Running | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await stopAll(); // also an agent whose handle a later run() replaced
});

const files = (dir: string) =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => !f.endsWith('.crc'))
        .sort()
    : [];
const mask = (f: string) => f.replace(/\d+/g, 'N');

async function run(impl: 'flume' | 'ts'): Promise<{ open: string[]; names: string[]; contents: string[] }> {
  const dir = tmpDir(`hdfs-local-${impl}-`);
  const out = path.join(dir, 'out');
  const port = await freePort();
  running = impl === 'flume' ? await runFlume(conf(port, dir), port) : await runTs(conf(port, dir), port);
  for (const l of LINES) expect(await sendLines(port, [l])).toEqual(['OK']);
  // two rolled files and the open one (Hadoop's local stream may still buffer the open file's bytes) …
  // (flume-ts renames a rolled file in the background: for a moment two in-use files may exist)
  const oneOpen = async () => files(out).length >= 3 && files(out).filter((f) => f.startsWith('_')).length === 1;
  await waitFor(`${impl}: 3 files`, oneOpen, { timeoutMs: 60_000 });
  const open = files(out).map(mask);
  // … which hdfs.idleTimeout closes and renames
  const renamed = async () => files(out).length >= 3 && !files(out).some((f) => f.startsWith('_'));
  await waitFor(`${impl}: idle file renamed`, renamed, { timeoutMs: 60_000 });
  await running.stop();
  running = undefined;
  const names = files(out);
  return { open, names: names.map(mask), contents: names.map((f) => fs.readFileSync(path.join(out, f), 'utf8')) };
}

describe('HDFS sink on file:// paths: flume-ts vs Flume 1.11', () => {
  it('same files, rolls, in-use names and renames on the local filesystem', async () => {
    const flume = await run('flume');
    const ts = await run('ts');
    expect(flume).toEqual({
      open: ['_events.N.txt.tmp', 'events.N.txt', 'events.N.txt'],
      names: ['events.N.txt', 'events.N.txt', 'events.N.txt'],
      contents: ['l0\nl1\nl2\n', 'l3\nl4\nl5\n', 'l6\n'],
    });
    expect(ts).toEqual(flume);
  });
});
