/**
 * Scribe source, differential: a real Thrift client (the Scribe.Client generated in flume-scribe-source, libthrift
 * 0.14, framed transport, binary protocol: java/ScribeSend.java) sends the same Log calls to real Flume 1.11's
 * ScribeSource and to flume-ts's; both agents write header_and_text through file_roll. The result codes and the
 * output files must be the same.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../support/agent-process.js';
import { ensureArtifacts } from '../../../scripts/services/lib.mjs';
import { linesIn, runFlume, runTs, tmpDir, waitFor, type Running, stopAll } from './helpers.js';

let cp = '';
let classes = '';
beforeAll(() => {
  cp = path.join(ensureArtifacts('flume'), '*');
  classes = tmpDir('scribesend-');
  execFileSync('javac', ['-d', classes, '-cp', cp, path.join(import.meta.dirname, 'java', 'ScribeSend.java')], { stdio: 'pipe' });
});

let running: Running | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await stopAll(); // also an agent whose handle a later run() replaced
});

const CALLS = ['a=hello;b=second entry;-=no category', 'c=\\0', 'empty', 'null', 'x=k=v with = signs;x=tab\there', 'y=last'];
const EXPECTED_OUT = 6;

const conf = (port: number, out: string, bind: string) => `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = org.apache.flume.source.scribe.ScribeSource
a1.sources.r1.port = ${port}
a1.sources.r1.workerThreads = 2
${bind}a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${out}
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.serializer = header_and_text
`;

async function run(impl: 'flume' | 'ts'): Promise<{ codes: string[]; out: string[] }> {
  const port = await freePort();
  const out = tmpDir(`scribe-${impl}-`);
  running =
    impl === 'flume' ? await runFlume(conf(port, out, ''), port) : await runTs(conf(port, out, 'a1.sources.r1.bind = 127.0.0.1\n'), port);
  const stdout = execFileSync('java', ['-Xmx64m', '-cp', `${classes}${path.delimiter}${cp}`, 'ScribeSend', String(port), ...CALLS], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await waitFor(`${impl}: ${EXPECTED_OUT} lines in file_roll`, async () => linesIn(out).length >= EXPECTED_OUT, { timeoutMs: 60_000 });
  return { codes: stdout.trim().split('\n'), out: linesIn(out) };
}

describe('Scribe source: flume-ts vs Flume 1.11 with a real Thrift client', () => {
  it('same result codes (OK / TRY_LATER) and the same events with the category header', async () => {
    const flume = await run('flume');
    const ts = await run('ts');
    expect(flume.codes).toEqual(['OK', 'TRY_LATER', 'OK', 'TRY_LATER', 'OK', 'OK']);
    expect(flume.out).toEqual([
      '{category=a} hello',
      '{category=b} second entry',
      '{} no category',
      '{category=x} k=v with = signs',
      '{category=x} tab\there',
      '{category=y} last',
    ]);
    expect(ts).toEqual(flume);
  });
});
