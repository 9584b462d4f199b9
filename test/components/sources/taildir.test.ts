/**
 * TAILDIR source on a real file system with a recording channel processor: line semantics, rotation by rename
 * (matching and non-matching rotated names), truncation, deletion, position file (Flume's format, committed lines
 * only), restarts, bad input.
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, truncateSync, unlinkSync, writeFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TaildirSource, taildirSource } from '../../../src/components/sources/taildir/index.js';
import type { TaildirOptions } from '../../../src/components/sources/taildir/source.js';
import { loadPositions, toJson } from '../../../src/components/sources/taildir/position-file.js';
import { ChannelError } from '../../../src/core/errors.js';
import type { Event } from '../../../src/core/event.js';
import type { ChannelProcessor } from '../../../src/core/source.js';
import { configure, silentLogger } from '../../support/context.js';
import { tmpDir, waitFor } from '../../support/agent-process.js';
import { PaceGate } from '../../support/pace-gate.js';

class Recorder implements ChannelProcessor {
  readonly maxBatchSize = 1000;
  events: Event[] = [];
  failNext = 0;
  pace?: () => Promise<void> | undefined;
  async processEvent(e: Event): Promise<void> {
    await this.processEventBatch([e]);
  }
  async processEventBatch(events: Event[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new ChannelError('channel full (test)');
    }
    this.events.push(...events);
  }
  bodies(): string[] {
    return this.events.map((e) => e.body.toString('latin1'));
  }
}

const sources: TaildirSource[] = [];
afterEach(async () => {
  for (const s of sources.splice(0)) await s.stop();
});

function setup(): { dir: string; logs: string; pos: string } {
  const dir = tmpDir('taildir-unit-');
  const logs = path.join(dir, 'logs');
  mkdirSync(logs);
  return { dir, logs, pos: path.join(dir, 'pos', 'taildir_position.json') };
}

type StartOptions = Partial<TaildirOptions> & { filegroups: TaildirOptions['filegroups']; positionFile: string };

async function start(o: StartOptions, rec = new Recorder()) {
  const s = new TaildirSource(
    'r1',
    {
      batchSize: 100,
      skipToEnd: false,
      byteOffsetHeader: false,
      idleTimeout: 120_000,
      writePosInterval: 3000,
      maxBatchCount: Number.MAX_SAFE_INTEGER,
      backoffSleepIncrement: 50,
      maxBackoffSleep: 200,
      cachePatternMatching: true,
      fileHeader: false,
      fileHeaderKey: 'file',
      ...o,
    },
    rec,
    silentLogger,
  );
  sources.push(s);
  await s.start();
  return { s, rec };
}

async function stop(s: TaildirSource): Promise<void> {
  sources.splice(sources.indexOf(s), 1);
  await s.stop();
}

async function waitCount(rec: Recorder, n: number): Promise<void> {
  try {
    await waitFor(() => rec.events.length >= n, `${n} events`, 10_000);
  } catch {
    throw new Error(`timed out waiting for ${n} events; have ${rec.events.length}: ${JSON.stringify(rec.bodies()).slice(0, 300)}`);
  }
}
const positions = (file: string) => loadPositions(file).entries;

describe('TAILDIR source', () => {
  it('reads lines ending in \\n or \\r\\n, holds a partial last line until its newline, adds headers', async () => {
    const { logs, pos } = setup();
    writeFileSync(path.join(logs, 'a.log'), 'one\ntwo\r\n\r\nthree');
    const { rec } = await start({
      filegroups: [{ group: 'g1', pattern: `${logs}/a\\.log`, headers: { h: 'v' } }],
      positionFile: pos,
      byteOffsetHeader: true,
      fileHeader: true,
      fileHeaderKey: 'path',
    });
    await waitCount(rec, 3);
    expect(rec.bodies()).toEqual(['one', 'two', '']);
    expect(rec.events[1]!.headers).toEqual({ byteoffset: '4', h: 'v', path: `${logs}/a.log` });
    appendFileSync(path.join(logs, 'a.log'), ' and more\n');
    await waitCount(rec, 4);
    expect(rec.bodies()[3]).toBe('three and more');
    await waitFor(() => positions(pos)[0]?.pos === 26, 'position 26');
    expect(readFileSync(pos, 'utf8')).toBe(`[{"inode":${statSync(path.join(logs, 'a.log')).ino},"pos":26,"file":"${logs}/a.log"}]`);
  });

  it('follows a rename rotation without loss or repeat, with a rotated name that matches and one that does not', async () => {
    const { logs, pos } = setup();
    const app = path.join(logs, 'app.log');
    writeFileSync(app, 'l1\nl2\n');
    const { rec } = await start({
      filegroups: [
        { group: 'all', pattern: `${logs}/app\\.log.*` },
        { group: 'b', pattern: `${logs}/b\\.log` },
      ],
      positionFile: pos,
    });
    await waitCount(rec, 2);
    // matched rotated name: written before and after the rename
    appendFileSync(app, 'l3\n');
    renameSync(app, `${app}.1`);
    appendFileSync(`${app}.1`, 'l4\n');
    writeFileSync(app, 'n1\n');
    await waitCount(rec, 5);
    // non-matching rotated name (b.log → b.old): its unread tail is still read
    const b = path.join(logs, 'b.log');
    writeFileSync(b, 'b1\n');
    await waitCount(rec, 6);
    appendFileSync(b, 'b2\n');
    renameSync(b, path.join(logs, 'b.old'));
    appendFileSync(path.join(logs, 'b.old'), 'b3\n');
    writeFileSync(b, 'c1\n');
    await waitCount(rec, 9);
    await new Promise((r) => setTimeout(r, 300));
    expect(rec.bodies().sort()).toEqual(['b1', 'b2', 'b3', 'c1', 'l1', 'l2', 'l3', 'l4', 'n1']);
  });

  it('reads a file again from its start after a truncation, also when it grew past the old position', async () => {
    const { logs, pos } = setup();
    const f = path.join(logs, 't.log');
    writeFileSync(f, 'aaaa\nbbbb\n');
    const { rec } = await start({ filegroups: [{ group: 'g', pattern: `${logs}/t\\.log` }], positionFile: pos });
    await waitCount(rec, 2);
    truncateSync(f, 0);
    appendFileSync(f, 'c\n');
    await waitCount(rec, 3);
    expect(rec.bodies()[2]).toBe('c');
    // truncated and rewritten past the position before the source looked again
    truncateSync(f, 0);
    appendFileSync(f, 'dddddddddddd\neeee\n');
    await waitCount(rec, 5);
    expect(rec.bodies().slice(3)).toEqual(['dddddddddddd', 'eeee']);
  });

  it('picks up files created later, closes deleted files at once, and drops them from the position file', async () => {
    const { logs, pos } = setup();
    const { rec, s } = await start({ filegroups: [{ group: 'g', pattern: `${logs}/.*\\.log` }], positionFile: pos });
    writeFileSync(path.join(logs, 'x.log'), 'x1\n');
    writeFileSync(path.join(logs, 'y.log'), 'y1\n');
    await waitCount(rec, 2);
    appendFileSync(path.join(logs, 'x.log'), 'x2 no newline');
    unlinkSync(path.join(logs, 'x.log'));
    await waitCount(rec, 3);
    expect(rec.bodies().sort()).toEqual(['x1', 'x2 no newline', 'y1']);
    await waitFor(() => positions(pos).length === 1, 'one position entry');
    expect(positions(pos)[0]!.file).toBe(`${logs}/y.log`);
    const open = (s as unknown as { files: Map<string, { isOpen: boolean }> }).files;
    expect([...open.values()].filter((t) => t.isOpen)).toHaveLength(1);
  });

  it('moves the position only for committed lines: a refused batch is read again', async () => {
    const { logs, pos } = setup();
    const rec = new Recorder();
    rec.failNext = 1;
    writeFileSync(path.join(logs, 'a.log'), 'p\nq\n');
    const { s } = await start({ filegroups: [{ group: 'g', pattern: `${logs}/a\\.log` }], positionFile: pos }, rec);
    expect(positions(pos)[0]!.pos).toBe(0);
    await waitCount(rec, 2);
    expect(rec.bodies()).toEqual(['p', 'q']);
    expect(s.counter.get('ChannelWriteFail')).toBe(1);
    await waitFor(() => positions(pos)[0]?.pos === 4, 'position 4');
  });

  it('reads no further while the channels ask it to wait for their sinks (pace), then reads on without loss', async () => {
    const { logs, pos } = setup();
    const rec = new Recorder();
    const gate = new PaceGate().close();
    rec.pace = gate.pace;
    writeFileSync(path.join(logs, 'a.log'), Array.from({ length: 250 }, (_, i) => `l${i}\n`).join(''));
    await start({ filegroups: [{ group: 'g', pattern: `${logs}/a\\.log` }], positionFile: pos }, rec);
    await waitFor(() => gate.calls > 0, 'the source to ask');
    await new Promise((r) => setTimeout(r, 100));
    expect(rec.events.length).toBe(0);
    gate.open();
    await waitCount(rec, 250);
    expect(rec.bodies()).toEqual(Array.from({ length: 250 }, (_, i) => `l${i}`));
  });

  it('resumes from a Flume position file, and finds a file renamed while stopped by its inode', async () => {
    const { logs, pos } = setup();
    const a = path.join(logs, 'app.log');
    writeFileSync(a, '1\n2\n3\n');
    mkdirSync(path.dirname(pos));
    writeFileSync(pos, toJson([{ inode: statSync(a).ino, pos: 2, file: a }]));
    let { rec, s } = await start({ filegroups: [{ group: 'g', pattern: `${logs}/app\\.log` }], positionFile: pos });
    await waitCount(rec, 2);
    expect(rec.bodies()).toEqual(['2', '3']);
    await stop(s);
    appendFileSync(a, '4\n');
    renameSync(a, `${a}.1`);
    writeFileSync(a, '5\n');
    ({ rec, s } = await start({ filegroups: [{ group: 'g', pattern: `${logs}/app\\.log` }], positionFile: pos }));
    await waitCount(rec, 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(rec.bodies().sort()).toEqual(['4', '5']);
  });

  it('skipToEnd starts new files at their end; byte content passes through raw; long lines are cut with a limit', async () => {
    const { logs, pos } = setup();
    writeFileSync(path.join(logs, 'old.log'), 'skipped\n');
    const bin = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0d, 0x0a]);
    const filegroups = [{ group: 'g', pattern: `${logs}/.*\\.log` }];
    const { rec } = await start({ filegroups, positionFile: pos, skipToEnd: true, maxLineBytes: 1000 });
    appendFileSync(path.join(logs, 'old.log'), bin);
    appendFileSync(path.join(logs, 'old.log'), 'z'.repeat(2500) + '\n');
    await waitCount(rec, 4);
    expect(rec.events[0]!.body).toEqual(bin.subarray(0, 5));
    expect(rec.events.slice(1).map((e) => e.body.length)).toEqual([1000, 1000, 500]);
    expect(Buffer.concat(rec.events.slice(1).map((e) => e.body)).toString()).toBe('z'.repeat(2500));
  });

  it('keeps running when a matched entry cannot be opened (a socket), and reads the other files', async () => {
    const { logs, pos } = setup();
    const server = net.createServer().listen(path.join(logs, 'sock.log'));
    await new Promise((r) => server.once('listening', r));
    writeFileSync(path.join(logs, 'ok.log'), 'fine\n');
    try {
      const { rec, s } = await start({ filegroups: [{ group: 'g', pattern: `${logs}/.*\\.log` }], positionFile: pos });
      await waitCount(rec, 1);
      expect(rec.bodies()).toEqual(['fine']);
      expect(s.counter.get('EventReadFail')).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  });

  it('closes an idle file, delivering its last line without newline as Flume does, and reopens it when it grows', async () => {
    const { logs, pos } = setup();
    const f = path.join(logs, 'idle.log');
    writeFileSync(f, 'first\nno newline yet');
    const { rec, s } = await start({ filegroups: [{ group: 'g', pattern: `${logs}/idle\\.log` }], positionFile: pos, idleTimeout: 300 });
    await waitCount(rec, 2);
    expect(rec.bodies()).toEqual(['first', 'no newline yet']);
    const files = (s as unknown as { files: Map<string, { isOpen: boolean }> }).files;
    await waitFor(() => [...files.values()].every((t) => !t.isOpen), 'file closed');
    appendFileSync(f, 'more\n');
    await waitCount(rec, 3);
    expect(rec.bodies()[2]).toBe('more');
    expect(positions(pos)[0]!.pos).toBe(statSync(f).size);
  });

  it('among many files, notices writes to any of them (watched rounds stat only what was written)', async () => {
    const { logs, pos } = setup();
    for (let i = 0; i < 300; i++) writeFileSync(path.join(logs, `m${i}.log`), '');
    const { rec } = await start({ filegroups: [{ group: 'g', pattern: `${logs}/m[0-9]+\\.log` }], positionFile: pos });
    for (let k = 0; k < 20; k++) {
      appendFileSync(path.join(logs, `m${(k * 37) % 300}.log`), `w${k}\n`);
      await waitCount(rec, k + 1);
    }
    truncateSync(path.join(logs, 'm0.log'), 0);
    appendFileSync(path.join(logs, 'm0.log'), 'after truncation\n');
    await waitCount(rec, 21);
    expect(rec.bodies().slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, k) => `w${k}`));
    expect(rec.bodies()[20]).toBe('after truncation');
  });

  it('fails to start on a missing directory without touching the position file, and resumes once it exists', async () => {
    const { dir, pos } = setup();
    const late = path.join(dir, 'late');
    mkdirSync(path.dirname(pos));
    const saved = toJson([{ inode: 1, pos: 5, file: `${late}/x.log` }]);
    writeFileSync(pos, saved);
    const o = { filegroups: [{ group: 'g', pattern: `${late}/x\\.log` }], positionFile: pos };
    await expect(start(o)).rejects.toMatchObject({ code: 'FLUME_TAILDIR_DIR' });
    await stop(sources[sources.length - 1]!);
    expect(readFileSync(pos, 'utf8')).toBe(saved);
    mkdirSync(late);
    writeFileSync(`${late}/x.log`, 'late line\n');
    const { rec } = await start(o);
    await waitCount(rec, 1);
    expect(rec.bodies()).toEqual(['late line']);
  });

  it("declares Flume's properties and checks the groups", () => {
    expect(() => configure(taildirSource, { filegroups: 'g1' })).toThrow(/empty or invalid/);
    expect(() => configure(taildirSource, { filegroups: 'g1', 'filegroups.g1': '/tmp/(' })).toThrow(/invalid file name regex/);
    const c = configure(taildirSource, { filegroups: 'g1', 'filegroups.g1': '/var/log/.*', 'headers.g1.k': 'v' });
    expect(c).toMatchObject({ batchSize: 100, idleTimeout: 120000, writePosInterval: 3000, fileHeaderKey: 'file' });
    expect(c).toMatchObject({ cachePatternMatching: true, skipToEnd: false, byteOffsetHeader: false, fileHeader: false });
  });
});
