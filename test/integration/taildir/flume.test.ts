/**
 * TAILDIR against real Apache Flume 1.11 (flume-taildir-source from the service harness):
 * 1. differential: the same files and the same config through Flume and through flume-ts into file_roll
 *    (header_and_text: bodies, byteoffset / file / group headers compared), and the same position file entries;
 * 2. flume-ts resumes from the position file Flume wrote: it delivers only the lines appended since;
 * 3. Flume resumes from the position file flume-ts wrote: it delivers only the lines appended since.
 */
import { appendFileSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, tmpDir, type AgentProcess } from '../../support/agent-process.js';
import { startFlumeAgent, waitFor, type FlumeAgent } from '../../support/services.js';
import { loadPositions } from '../../../src/components/sources/taildir/position-file.js';

let ts: AgentProcess | undefined;
let flume: FlumeAgent | undefined;
afterEach(async () => {
  await ts?.stop('SIGKILL');
  await flume?.stop(5_000);
  ts = undefined;
  flume = undefined;
});

function conf(root: string, pos: string, out: string): string {
  return `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = TAILDIR
a1.sources.r1.channels = c1
a1.sources.r1.filegroups = g1 g2
a1.sources.r1.filegroups.g1 = ${root}/logs/app.*\\.log
a1.sources.r1.filegroups.g2 = ${root}/logs2/other\\.txt
a1.sources.r1.headers.g1.kind = app
a1.sources.r1.headers.g2.kind = other
a1.sources.r1.headers.g2.team = ops
a1.sources.r1.positionFile = ${pos}
a1.sources.r1.byteOffsetHeader = true
a1.sources.r1.fileHeader = true
a1.sources.r1.fileHeaderKey = path
a1.sources.r1.writePosInterval = 500
a1.sources.r1.batchSize = 7
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.channels.c1.transactionCapacity = 100
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${out}
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.serializer = header_and_text
`;
}

/** Output records (one per line of file_roll output), sorted: file order across inputs may differ. */
function records(out: string): string[] {
  const lines: string[] = [];
  for (const f of readdirSync(out)) for (const l of readFileSync(path.join(out, f), 'latin1').split('\n')) if (l !== '') lines.push(l);
  return lines.sort();
}

function content(tag: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += i % 5 === 0 ? `${tag}-${i} crlf\r\n` : i % 7 === 0 ? '\n' : `${tag}-${i} é ${'x'.repeat(i % 40)}\n`;
  return s;
}

const expectedLines = (text: string): number => text.split('\n').length - 1;

async function runFlume(root: string, name: string, pos: string, out: string, expected: number): Promise<string[]> {
  const file = path.join(root, `${name}.conf`);
  writeFileSync(file, conf(root, pos, out));
  flume = startFlumeAgent({ confFile: file, name: 'a1', heap: '256m', args: ['--no-reload-conf'], logDir: path.join(root, `${name}-log`) });
  await waitFor('flume output', async () => records(out).length >= expected, { alive: flume.alive, timeoutMs: 120_000 });
  await new Promise((r) => setTimeout(r, 1200)); // a stray extra line would show up here; the position file is written
  await flume.stop(15_000);
  flume = undefined;
  return records(out);
}

async function runTs(root: string, name: string, pos: string, out: string, expected: number): Promise<string[]> {
  ts = startAgent(conf(root, pos, out), [], 'a1', { file: path.join(root, `${name}.conf`) });
  await waitFor('flume-ts output', async () => records(out).length >= expected, { timeoutMs: 60_000 });
  await new Promise((r) => setTimeout(r, 1200));
  await ts.stop('SIGTERM');
  ts = undefined;
  return records(out);
}

const sortEntries = (file: string) => loadPositions(file).entries.sort((a, b) => a.file.localeCompare(b.file));

describe('TAILDIR against Apache Flume 1.11', () => {
  it("delivers the same events and positions as Flume, resumes from Flume's position file, and Flume from ours", async () => {
    const root = tmpDir('taildir-flume-');
    for (const d of ['logs', 'logs2', 'fout1', 'tout1', 'fout2', 'tout2', 'pos']) mkdirSync(path.join(root, d));
    const first = { a: content('a', 300), b: content('b', 120), o: content('o', 200) };
    writeFileSync(`${root}/logs/app-a.log`, first.a);
    writeFileSync(`${root}/logs/app-b.log`, first.b + 'partial line without newline');
    writeFileSync(`${root}/logs/ignored.txt`, 'not matched\n');
    writeFileSync(`${root}/logs2/other.txt`, first.o);
    const n1 = expectedLines(first.a) + expectedLines(first.b) + expectedLines(first.o);

    // 1. differential on the same files
    const f1 = await runFlume(root, 'flume1', `${root}/pos/flume.json`, `${root}/fout1`, n1);
    const t1 = await runTs(root, 'ts1', `${root}/pos/ts.json`, `${root}/tout1`, n1);
    expect(f1.length).toBe(n1);
    expect(t1).toEqual(f1);
    expect(sortEntries(`${root}/pos/ts.json`)).toEqual(sortEntries(`${root}/pos/flume.json`));
    const entry = '\\{"inode":\\d+,"pos":\\d+,"file":"[^"]+"\\}';
    expect(readFileSync(`${root}/pos/ts.json`, 'utf8')).toMatch(new RegExp(`^\\[${entry}(,${entry})*\\]$`));

    // 2 and 3: more lines (the partial line completed), then each agent resumes from the other's position file
    const second = { a: content('a2', 50), b: ' now complete\n' + content('b2', 30), o: content('o2', 40) };
    appendFileSync(`${root}/logs/app-a.log`, second.a);
    appendFileSync(`${root}/logs/app-b.log`, second.b);
    appendFileSync(`${root}/logs2/other.txt`, second.o);
    const n2 = expectedLines(second.a) + expectedLines(second.b) + expectedLines(second.o);
    copyFileSync(`${root}/pos/flume.json`, `${root}/pos/from-flume.json`);
    copyFileSync(`${root}/pos/ts.json`, `${root}/pos/from-ts.json`);
    const t2 = await runTs(root, 'ts2', `${root}/pos/from-flume.json`, `${root}/tout2`, n2);
    const f2 = await runFlume(root, 'flume2', `${root}/pos/from-ts.json`, `${root}/fout2`, n2);
    expect(t2.length).toBe(n2);
    expect(f2.length).toBe(n2);
    expect(t2).toEqual(f2);
    expect(t2.some((l) => l.endsWith('partial line without newline now complete'))).toBe(true);
  });
});
