/**
 * Differential: the same spool directory content and the same flume.conf through real Apache Flume 1.11 and
 * flume-ts, into file_roll; the output bytes and the final directory state (names, tracker-dir markers) must match.
 * One agent per side holds five spooldir sources: REPLACE with maxLineLength=10 and a basename header, IGNORE with
 * trackingPolicy=tracker_dir, FAIL with deletePolicy=immediate, AVRO, and BlobDeserializer (maxBlobLength=100);
 * a sixth resumes from a position file flume-ts wrote, and beside them an exec source runs the same command (CR,
 * CRLF, invalid UTF-8, an unterminated last line) in both agents. Known, intended difference: under FAIL flume-ts
 * delivers the valid lines before the bad bytes of the failing batch ("good line"), Flume drops them. Then flume-ts
 * finishes a file from the position file Flume left behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAgent, tmpDir, type AgentProcess } from '../../support/agent-process.js';
import { startFlumeAgent, waitFor, type FlumeAgent } from '../../support/services.js';
import { avroFile, listTree, rollOutput, writeMix } from '../../e2e/sources/spool-mix.js';
import { META_FILE_NAME, PositionTracker, readPosition } from '../../../src/components/sources/spooldir/position.js';

let ts: AgentProcess | undefined;
let flume: FlumeAgent | undefined;
afterAll(async () => {
  await ts?.stop('SIGTERM');
  await flume?.stop(15_000);
});

const SOURCES: Record<string, string> = {
  rep: 'decodeErrorPolicy = REPLACE\n@.deserializer.maxLineLength = 10\n@.basenameHeader = true',
  ign: 'decodeErrorPolicy = IGNORE\n@.trackingPolicy = tracker_dir',
  fail: 'deletePolicy = immediate',
  avr: 'deserializer = AVRO\n@.batchSize = 7',
  blb: 'deserializer = org.apache.flume.sink.solr.morphline.BlobDeserializer$Builder\n@.deserializer.maxBlobLength = 100',
};

function conf(base: string, flumeOnly = false): string {
  const names = [...Object.keys(SOURCES), 'res', ...(flumeOnly ? ['stk'] : [])];
  const all = [...names, 'exe'];
  const lines = [
    `a1.sources = ${all.join(' ')}`,
    `a1.channels = ${all.map((n) => `c_${n}`).join(' ')}`,
    `a1.sinks = ${all.map((n) => `k_${n}`).join(' ')}`,
  ];
  for (const n of names) {
    const s = `a1.sources.${n}`;
    lines.push(`${s}.type = spooldir`, `${s}.spoolDir = ${base}/in-${n}`, `${s}.channels = c_${n}`);
    if (SOURCES[n]) lines.push(...`${s}.${SOURCES[n]}`.split('\n').map((l) => l.replace('@', s)));
    else lines.push(`${s}.batchSize = 100`);
    lines.push(`a1.channels.c_${n}.type = memory`, `a1.channels.c_${n}.capacity = 10000`);
    if (n === 'stk') {
      // Flume reads one batch, then its channel stays full (the sink cannot deliver): its position file stays behind
      lines.push(`a1.channels.c_${n}.capacity = 100`, `a1.channels.c_${n}.transactionCapacity = 100`);
      lines.push(
        `a1.sinks.k_${n}.type = avro`,
        `a1.sinks.k_${n}.channel = c_${n}`,
        `a1.sinks.k_${n}.hostname = 127.0.0.1`,
        `a1.sinks.k_${n}.port = 9`,
      );
      continue;
    }
    lines.push(`a1.sinks.k_${n}.type = file_roll`, `a1.sinks.k_${n}.channel = c_${n}`, `a1.sinks.k_${n}.sink.directory = ${base}/out-${n}`);
    lines.push(`a1.sinks.k_${n}.sink.rollInterval = 0`, `a1.sinks.k_${n}.sink.serializer = header_and_text`);
  }
  // exec beside them: the same command through both agents (Java readLine, charset REPLACE, unterminated last line)
  lines.push(
    'a1.sources.exe.type = exec',
    'a1.sources.exe.shell = /bin/bash -c',
    `a1.sources.exe.command = cat ${base}/exec-in.bin; seq 1 2000; cat ${base}/exec-tail.bin`,
    'a1.sources.exe.batchSize = 50',
    'a1.sources.exe.channels = c_exe',
    'a1.channels.c_exe.type = memory',
    'a1.channels.c_exe.capacity = 10000',
    'a1.sinks.k_exe.type = file_roll',
    'a1.sinks.k_exe.channel = c_exe',
    `a1.sinks.k_exe.sink.directory = ${base}/out-exe`,
    'a1.sinks.k_exe.sink.rollInterval = 0',
  );
  return lines.join('\n') + '\n';
}

function prepare(base: string): void {
  for (const n of Object.keys(SOURCES)) {
    if (n !== 'avr') writeMix(`${base}/in-${n}`);
    fs.mkdirSync(`${base}/out-${n}`, { recursive: true });
  }
  fs.mkdirSync(`${base}/in-avr`, { recursive: true });
  fs.mkdirSync(`${base}/out-exe`, { recursive: true });
  // res: a position file written by flume-ts (after line 100) that both agents must resume from
  fs.mkdirSync(`${base}/in-res/.flumespool`, { recursive: true });
  fs.mkdirSync(`${base}/out-res`, { recursive: true });
  fs.writeFileSync(`${base}/in-res/big.txt`, BIG);
  PositionTracker.create(`${base}/in-res/.flumespool/${META_FILE_NAME}`, `${base}/in-res/big.txt`, 1000).close();
  fs.mkdirSync(`${base}/in-stk`, { recursive: true });
  fs.writeFileSync(`${base}/in-stk/big.txt`, BIG);
  fs.writeFileSync(
    `${base}/exec-in.bin`,
    Buffer.concat([Buffer.from('a\nb\r\nc\rd'), Buffer.from([0xff, 0xe2, 0x82]), Buffer.from('e\n\nhé\n')]),
  );
  fs.writeFileSync(`${base}/exec-tail.bin`, 'no newline at the end');
}

/** 2000 lines of 10 bytes: line k starts at byte 10·k. */
const BIG = Array.from({ length: 2000 }, (_, i) => `line ${String(i).padStart(4, '0')}\n`).join('');
const bigFrom = (k: number) => Array.from({ length: 2000 - k }, (_, i) => `{} line ${String(k + i).padStart(4, '0')}\n`).join('');

describe('spooldir: flume-ts vs Apache Flume 1.11', () => {
  it('same files and config → same output and directory state', async () => {
    const fb = tmpDir('spool-diff-flume-');
    const tb = tmpDir('spool-diff-ts-');
    prepare(fb);
    prepare(tb);
    await avroFile(`${fb}/in-avr/data.avro`);
    fs.copyFileSync(`${fb}/in-avr/data.avro`, `${tb}/in-avr/data.avro`);
    fs.writeFileSync(path.join(fb, 'a.conf'), conf(fb, true));
    flume = startFlumeAgent({
      confFile: path.join(fb, 'a.conf'),
      name: 'a1',
      heap: '256m',
      logDir: path.join(fb, 'logs'),
      args: ['--no-reload-conf'],
    });
    ts = startAgent(conf(tb));

    const settled = (n: string) => {
      const fo = rollOutput(`${fb}/out-${n}`).toString('latin1');
      const to = rollOutput(`${tb}/out-${n}`).toString('latin1');
      const same = n === 'fail' ? to === fo + '{} good line\n' : to === fo;
      return fo.length > 0 && same && listTree(`${fb}/in-${n}`).join() === listTree(`${tb}/in-${n}`).join();
    };
    const execSettled = () => {
      const fo = rollOutput(`${fb}/out-exe`).toString('latin1');
      return fo.includes('no newline at the end') && rollOutput(`${tb}/out-exe`).toString('latin1') === fo;
    };
    const resSettled = () => [fb, tb].every((b) => rollOutput(`${b}/out-res`).toString('latin1') === bigFrom(100));
    await waitFor(
      'both agents drained every spool dir alike',
      async () => Object.keys(SOURCES).every(settled) && execSettled() && resSettled(),
      {
        timeoutMs: 120_000,
        intervalMs: 500,
        alive: flume.alive,
        logFile: flume.logFile,
      },
    ).catch(() => undefined);

    for (const n of ['rep', 'ign', 'avr', 'blb']) {
      expect(rollOutput(`${tb}/out-${n}`).toString('latin1'), `output of ${n}`).toBe(rollOutput(`${fb}/out-${n}`).toString('latin1'));
      expect(listTree(`${tb}/in-${n}`), `directory of ${n}`).toEqual(listTree(`${fb}/in-${n}`));
    }
    const exe = rollOutput(`${tb}/out-exe`).toString('latin1');
    expect(exe).toBe(rollOutput(`${fb}/out-exe`).toString('latin1'));
    expect(exe.startsWith('a\nb\nc\nd')).toBe(true);
    expect(exe.endsWith('2000\nno newline at the end\n')).toBe(true);
    // FAIL: Flume drops the valid line before the bad bytes of the failing batch; flume-ts delivers it
    const fo = rollOutput(`${fb}/out-fail`).toString('latin1');
    expect(rollOutput(`${tb}/out-fail`).toString('latin1')).toBe(fo + '{} good line\n');
    expect(listTree(`${tb}/in-fail`)).toEqual(listTree(`${fb}/in-fail`));
    expect(listTree(`${tb}/in-fail`)).toEqual(['07-bad.txt', '08-many.txt', '09-after.txt']);
    expect(listTree(`${tb}/in-rep`)).toContain('09-after.txt.COMPLETED');
    expect(listTree(`${tb}/in-ign`)).toContain('.flumespool/09-after.txt.COMPLETED');

    // position files: Flume resumed from the one flume-ts wrote …
    expect(rollOutput(`${fb}/out-res`).toString('latin1')).toBe(bigFrom(100));
    expect(rollOutput(`${tb}/out-res`).toString('latin1')).toBe(bigFrom(100));
    // … and flume-ts resumes from the one Flume wrote (Flume stopped with its channel full after some batches)
    await flume.stop(15_000);
    flume = undefined;
    const pos = readPosition(`${fb}/in-stk/.flumespool/${META_FILE_NAME}`);
    expect(pos?.target).toBe(`${fb}/in-stk/big.txt`);
    expect(pos!.offset % 1000).toBe(0);
    expect(pos!.offset).toBeGreaterThan(0);
    await ts.stop('SIGTERM');
    fs.mkdirSync(`${fb}/out-stk`);
    ts = startAgent(
      conf(fb)
        .replace(/^a1\.sources = .*$/m, 'a1.sources = stk')
        .replace(/^a1\.channels = .*$/m, 'a1.channels = c_rep')
        .replace(/^a1\.sinks = .*$/m, 'a1.sinks = k_rep') +
        `a1.sources.stk.type = spooldir\na1.sources.stk.spoolDir = ${fb}/in-stk\na1.sources.stk.channels = c_rep\n` +
        `a1.sinks.k_rep.sink.directory = ${fb}/out-stk\n`,
    );
    await waitFor('flume-ts finished the file Flume started', async () => fs.existsSync(`${fb}/in-stk/big.txt.COMPLETED`), {
      timeoutMs: 30_000,
    });
    const want = bigFrom(pos!.offset / 10);
    await waitFor('output', async () => rollOutput(`${fb}/out-stk`).length >= want.length, { timeoutMs: 10_000 }).catch(() => undefined);
    expect(rollOutput(`${fb}/out-stk`).toString('latin1')).toBe(want);
  });
});
