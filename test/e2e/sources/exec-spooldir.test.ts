/**
 * Whole agents (bin/flume-ts) with real processes and files: the course's exec example and `seq 1 100000` through
 * exec → memory → file_roll (exact count, order), and a spool directory of awkward files (empty, CRLF, over-long
 * lines, no final newline, invalid UTF-8 under REPLACE / IGNORE / FAIL) with the final directory state checked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, tmpDir, waitFor, type AgentProcess } from '../../support/agent-process.js';
import { listTree, rollOutput, writeMix } from './spool-mix.js';

let agent: AgentProcess | undefined;
afterEach(async () => {
  await agent?.stop('SIGTERM');
  agent = undefined;
});

const sink = (out: string, ch = 'c1', k = 'k1') => `a1.channels.${ch}.type = memory
a1.channels.${ch}.capacity = 100000
a1.channels.${ch}.transactionCapacity = 1000
a1.sinks.${k}.type = file_roll
a1.sinks.${k}.channel = ${ch}
a1.sinks.${k}.sink.directory = ${out}
a1.sinks.${k}.sink.rollInterval = 0
a1.sinks.${k}.sink.batchSize = 1000
`;

const lines = (dir: string) => rollOutput(dir).toString('latin1').split('\n').slice(0, -1);

describe('exec source in a real agent', () => {
  it('the course example, as written', async () => {
    const d = tmpDir('e2e-exec-course-');
    const out = path.join(d, 'out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(d, '1.txt'), 'hello\nworld\n');
    fs.writeFileSync(path.join(d, '2.txt'), 'from\r\nexec\r');
    agent = startAgent(`a1.sources = tailsource-1
a1.channels = c1
a1.sinks = k1
a1.sources.tailsource-1.type = exec
a1.sources.tailsource-1.shell = /bin/bash -c
a1.sources.tailsource-1.command = for i in ${d}/*.txt; do cat $i; done
a1.sources.tailsource-1.channels = c1
${sink(out)}`);
    await waitFor(() => lines(out).length >= 4, 'four lines', 20_000);
    expect(lines(out)).toEqual(['hello', 'world', 'from', 'exec']);
  });

  it('seq 1 100000 → file_roll: every number once, in order', async () => {
    const out = tmpDir('e2e-exec-seq-');
    agent = startAgent(`a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = exec
a1.sources.r1.command = seq 1 100000
a1.sources.r1.batchSize = 1000
a1.sources.r1.channels = c1
${sink(out)}`);
    await waitFor(() => rollOutput(out).length >= 588_895, 'all of seq', 60_000);
    const got = lines(out);
    expect(got.length).toBe(100_000);
    expect(got.every((l, i) => l === String(i + 1))).toBe(true);
  });
});

describe('spooldir source in a real agent', () => {
  it('drains a mix of files under REPLACE, IGNORE (tracker_dir) and FAIL (immediate) and leaves the expected directories', async () => {
    const d = tmpDir('e2e-spool-mix-');
    const conf = ['rep', 'ign', 'fail'].map(
      (n) => `a1.sources.${n}.type = spooldir
a1.sources.${n}.spoolDir = ${d}/in-${n}
a1.sources.${n}.channels = c_${n}
a1.sources.${n}.deserializer.maxLineLength = 10
${sink(`${d}/out-${n}`, `c_${n}`, `k_${n}`)}`,
    );
    for (const n of ['rep', 'ign', 'fail']) {
      writeMix(`${d}/in-${n}`);
      fs.mkdirSync(`${d}/out-${n}`);
    }
    agent = startAgent(`a1.sources = rep ign fail
a1.channels = c_rep c_ign c_fail
a1.sinks = k_rep k_ign k_fail
${conf.join('\n')}
a1.sources.rep.decodeErrorPolicy = REPLACE
a1.sources.ign.decodeErrorPolicy = IGNORE
a1.sources.ign.trackingPolicy = tracker_dir
a1.sources.fail.deletePolicy = immediate
`);
    await waitFor(() => listTree(`${d}/in-rep`).every((n) => n.endsWith('.COMPLETED')), 'rep done', 20_000);
    await waitFor(() => listTree(`${d}/in-ign`).filter((n) => n.startsWith('.flumespool/')).length === 9, 'ign done', 20_000);
    await waitFor(() => listTree(`${d}/in-fail`).length === 3, 'fail stopped', 20_000);
    await waitFor(() => lines(`${d}/out-rep`).length === 1025 && lines(`${d}/out-fail`).length === 20, 'outputs', 10_000).catch(
      () => undefined,
    );

    const rep = lines(`${d}/out-rep`);
    expect(rep.slice(0, 14)).toEqual([
      'alpha',
      'beta',
      'crlf one\r',
      'crlf two\r',
      '',
      'aaaaaaaaa',
      'bbbbbbbbbb',
      '',
      'cccccccccc',
      'c',
      'dddddddddd',
      'dddddddddd',
      'ddddd',
      'last line ',
    ]);
    expect(rep).toContain('x\u00ef\u00bf\u00bdy'); // U+FFFD as UTF-8, read back as latin1
    expect(rep.slice(-2)).toEqual(['after the ', 'bad file']);
    expect(rep.length).toBe(1025);
    const ign = lines(`${d}/out-ign`);
    expect(ign).toContain('xy');
    expect(ign).toContain('zw');
    expect(listTree(`${d}/in-ign`)).toEqual([
      '.flumespool/01-plain.txt.COMPLETED',
      '.flumespool/02-crlf.txt.COMPLETED',
      '.flumespool/03-empty.txt.COMPLETED',
      '.flumespool/04-long.txt.COMPLETED',
      '.flumespool/05-nonl.txt.COMPLETED',
      '.flumespool/06-unicode.txt.COMPLETED',
      '.flumespool/07-bad.txt.COMPLETED',
      '.flumespool/08-many.txt.COMPLETED',
      '.flumespool/09-after.txt.COMPLETED',
      '01-plain.txt',
      '02-crlf.txt',
      '03-empty.txt',
      '04-long.txt',
      '05-nonl.txt',
      '06-unicode.txt',
      '07-bad.txt',
      '08-many.txt',
      '09-after.txt',
    ]);
    // FAIL: files before the bad one deleted; the bad one and those after it stay; the agent is still up
    expect(listTree(`${d}/in-fail`)).toEqual(['07-bad.txt', '08-many.txt', '09-after.txt']);
    expect(lines(`${d}/out-fail`).at(-1)).toBe('good line');
    expect(agent.child.exitCode).toBeNull();
    expect(agent.stderr()).toMatch(/not valid UTF-8 at byte 11 of .*07-bad\.txt/);
  });
});
