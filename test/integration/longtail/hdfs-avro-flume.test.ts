/**
 * HDFS sink with org.apache.flume.sink.hdfs.AvroEventSerializer$Builder, differential: netcat lines of 4 bytes are
 * datums of the schema {"type":"fixed","size":4}, which a static interceptor puts in the flume.avro.schema.literal
 * header; real Flume 1.11 and flume-ts write Avro container files on file:// (deflate codec, a small sync interval so
 * there are several blocks); Avro's Java DataFileReader (java/ReadAvro.java) reads both: same schema, codec and records.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, sendLines } from '../../support/agent-process.js';
import { ensureArtifacts } from '../../../scripts/services/lib.mjs';
import { runFlume, runTs, tmpDir, waitFor, type Running, stopAll } from './helpers.js';

let cp = '';
let classes = '';
beforeAll(() => {
  cp = path.join(ensureArtifacts('flume'), '*');
  classes = tmpDir('readavro-');
  execFileSync('javac', ['-d', classes, '-cp', cp, path.join(import.meta.dirname, 'java', 'ReadAvro.java')], { stdio: 'pipe' });
});

let running: Running | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await stopAll(); // also an agent whose handle a later run() replaced
});

const LINES = Array.from({ length: 40 }, (_, i) => `r${String(i).padStart(3, '0')}`);
const conf = (port: number, dir: string) => `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = c1
a1.sources.r1.interceptors = s
a1.sources.r1.interceptors.s.type = static
a1.sources.r1.interceptors.s.key = flume.avro.schema.literal
a1.sources.r1.interceptors.s.value = {"type": "fixed", "name": "Tag", "namespace": "t", "size": 4}
a1.channels.c1.type = memory
a1.sinks.k1.type = hdfs
a1.sinks.k1.channel = c1
a1.sinks.k1.hdfs.path = file://${dir}/out
a1.sinks.k1.hdfs.fileType = DataStream
a1.sinks.k1.hdfs.fileSuffix = .avro
a1.sinks.k1.hdfs.rollCount = 0
a1.sinks.k1.hdfs.rollSize = 0
a1.sinks.k1.hdfs.rollInterval = 0
a1.sinks.k1.hdfs.idleTimeout = 2
a1.sinks.k1.serializer = org.apache.flume.sink.hdfs.AvroEventSerializer$Builder
a1.sinks.k1.serializer.compressionCodec = deflate
a1.sinks.k1.serializer.syncIntervalBytes = 64
`;

async function run(impl: 'flume' | 'ts'): Promise<string[]> {
  const dir = tmpDir(`hdfs-avro-${impl}-`);
  const out = path.join(dir, 'out');
  const port = await freePort();
  running = impl === 'flume' ? await runFlume(conf(port, dir), port) : await runTs(conf(port, dir), port);
  for (const l of LINES) expect(await sendLines(port, [l])).toEqual(['OK']);
  const done = () => (fs.existsSync(out) ? fs.readdirSync(out).filter((f) => f.endsWith('.avro')) : []);
  await waitFor(`${impl}: the idle file closed`, async () => done().length === 1, { timeoutMs: 60_000 });
  const file = path.join(out, done()[0]!);
  const args = ['-Xmx64m', '-cp', `${classes}${path.delimiter}${cp}`, 'ReadAvro', file];
  return execFileSync('java', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .trimEnd()
    .split('\n');
}

describe("HDFS AvroEventSerializer: flume-ts vs Flume 1.11, read back by Avro's Java reader", () => {
  it('same schema, codec and records', async () => {
    const flume = await run('flume');
    const ts = await run('ts');
    expect(flume[0]).toBe('schema {"type":"fixed","name":"Tag","namespace":"t","size":4}');
    expect(flume[1]).toBe('codec deflate');
    expect(flume.length).toBe(2 + LINES.length);
    expect(ts).toEqual(flume);
  });
});
