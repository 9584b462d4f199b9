import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { fileChannel, type FileChannel } from '../../../src/components/channels/file/index.js';
import { createEvent, type Event } from '../../../src/core/event.js';
import { ChannelError, ChannelFullError } from '../../../src/core/errors.js';
import { configure, create, drain, silentLogger } from '../../support/context.js';

const tmps: string[] = [];
const open: FileChannel[] = [];
afterEach(async () => {
  for (const ch of open.splice(0)) await ch.abandon().catch(() => {});
  for (const d of tmps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function dirs() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-test-'));
  tmps.push(root);
  return { root, checkpointDir: path.join(root, 'ckpt'), dataDirs: path.join(root, 'data'), backup: path.join(root, 'backup') };
}

type Dirs = ReturnType<typeof dirs>;

function channel(d: Dirs, extra: Record<string, string> = {}): FileChannel {
  const ch = create(
    fileChannel,
    {
      checkpointDir: d.checkpointDir,
      dataDirs: d.dataDirs,
      capacity: '1000',
      transactionCapacity: '100',
      minimumRequiredSpace: '1048576',
      'keep-alive': '0',
      ...extra,
    },
    { name: 'c1' },
  ) as FileChannel;
  open.push(ch);
  return ch;
}

async function started(d: Dirs, extra: Record<string, string> = {}): Promise<FileChannel> {
  const ch = channel(d, extra);
  await ch.start();
  return ch;
}

/** Simulates kill -9: no checkpoint, nothing flushed beyond what commits already wrote. */
async function crash(ch: FileChannel): Promise<void> {
  await ch.abandon();
  open.splice(open.indexOf(ch), 1);
}

async function stop(ch: FileChannel): Promise<void> {
  await ch.stop();
  open.splice(open.indexOf(ch), 1);
}

const ev = (s: string, h: Record<string, string> = {}) => createEvent(s, h);
const bodies = (es: Event[]) => es.map((e) => e.body.toString());

async function putCommit(ch: FileChannel, ...items: string[]): Promise<void> {
  const tx = ch.begin();
  tx.putAll(items.map((s) => ev(s)));
  await tx.commit();
}

async function takeCommit(ch: FileChannel, n: number): Promise<string[]> {
  const tx = ch.begin();
  const got = await tx.take(n);
  await tx.commit();
  return bodies(got);
}

const logs = (d: Dirs) =>
  fs
    .readdirSync(d.dataDirs)
    .filter((f) => /^log-\d+$/.test(f))
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
const lastLog = (d: Dirs) => path.join(d.dataDirs, logs(d).at(-1)!);

describe('file channel: transactions', () => {
  it('commits puts, takes in order with headers, and rollback returns takes to the head in order', async () => {
    const d = dirs();
    const ch = await started(d);
    const tx = ch.begin();
    tx.putAll([ev('a', { h: 'x', ü: 'ñ' }), ev('b'), ev('c')]);
    expect(ch.size()).toBe(0);
    await tx.commit();
    expect(ch.size()).toBe(3);
    const t2 = ch.begin();
    const got = await t2.take(2);
    expect(bodies(got)).toEqual(['a', 'b']);
    expect(got[0]!.headers).toEqual({ h: 'x', ü: 'ñ' });
    await t2.rollback();
    expect(bodies(await drain(ch))).toEqual(['a', 'b', 'c']);
    const s = ch.counter.snapshot();
    expect(s.EventPutSuccessCount).toBe('3');
    expect(s.EventTakeSuccessCount).toBe('3');
    expect(s.ChannelSize).toBe('0');
    expect(s.Open).toBe('true');
    expect(s.Unhealthy).toBe('0');
    expect(s.EventPutErrorCount).toBe('0');
    await stop(ch);
    expect(ch.counter.snapshot().Open).toBe('false');
  });

  it("enforces transactionCapacity with Flume's messages", async () => {
    const d = dirs();
    const ch = await started(d, { transactionCapacity: '2' });
    const tx = ch.begin();
    tx.putAll([ev('a'), ev('b')]);
    expect(() => tx.put(ev('c'))).toThrow(/Put queue for FileBackedTransaction of capacity 2 full/);
    await tx.rollback();
    await putCommit(ch, 'a', 'b');
    await putCommit(ch, 'c');
    const t = ch.begin();
    expect(await t.take(5)).toHaveLength(2);
    await expect(t.take(1)).rejects.toThrow(/Take list for FileBackedTransaction, capacity 2 full/);
  });

  it('a full channel fails the commit after keep-alive with ChannelFullError', async () => {
    const d = dirs();
    const ch = await started(d, { capacity: '2', transactionCapacity: '2' });
    await putCommit(ch, 'a', 'b');
    const t = ch.begin();
    t.put(ev('c'));
    await expect(t.commit()).rejects.toBeInstanceOf(ChannelFullError);
    await t.rollback();
    expect(ch.size()).toBe(2);
  });

  it('group commit: concurrent commits share fdatasyncs', async () => {
    const d = dirs();
    const ch = await started(d);
    const before = ch.stats.fsyncs;
    await Promise.all(Array.from({ length: 50 }, (_, i) => putCommit(ch, `e${i}`)));
    expect(ch.size()).toBe(50);
    expect(ch.stats.fsyncs - before).toBeLessThan(25);
    expect(new Set(bodies(await drain(ch))).size).toBe(50);
  });

  it('fsyncPerTransaction=false commits without fdatasync and still survives a process crash', async () => {
    const d = dirs();
    const ch = await started(d, { fsyncPerTransaction: 'false', fsyncInterval: '60' });
    const before = ch.stats.fsyncs;
    await putCommit(ch, 'a', 'b');
    expect(ch.stats.fsyncs).toBe(before);
    await crash(ch);
    const again = await started(d);
    expect(bodies(await drain(again))).toEqual(['a', 'b']);
  });
});

describe('file channel: restart and replay', () => {
  it('replays committed puts and takes after a crash; uncommitted puts and takes are rolled back', async () => {
    const d = dirs();
    const ch = await started(d);
    await putCommit(ch, 'a', 'b', 'c');
    await putCommit(ch, 'd');
    expect(await takeCommit(ch, 1)).toEqual(['a']);
    const open1 = ch.begin();
    await open1.take(1); // b taken, not committed
    const open2 = ch.begin();
    open2.put(ev('never'));
    await crash(ch);
    const again = await started(d);
    expect(again.lastReplay!.checkpoint).toBe('primary');
    expect(bodies(await drain(again))).toEqual(['b', 'c', 'd']);
  });

  it('replays from the checkpoint plus the log tail', async () => {
    const d = dirs();
    const ch = await started(d);
    await putCommit(ch, 'a', 'b');
    const pending = ch.begin();
    expect(bodies(await pending.take(1))).toEqual(['a']); // in flight at checkpoint time
    await ch.checkpoint();
    await pending.commit(); // a is taken after the checkpoint: only the tail knows
    await putCommit(ch, 'c');
    await crash(ch);
    const again = await started(d);
    const r = again.lastReplay!;
    expect(r.checkpoint).toBe('primary');
    expect(r.transactionsReplayed).toBe(2);
    expect(bodies(await drain(again))).toEqual(['b', 'c']);
  });

  it('after a clean stop (checkpointOnClose) nothing needs replaying and bodies are read back from the log', async () => {
    const d = dirs();
    const ch = await started(d);
    for (let i = 0; i < 20; i++) await putCommit(ch, `x${i}`, `y${i}`);
    await stop(ch);
    const again = await started(d);
    expect(again.lastReplay!.transactionsReplayed).toBe(0);
    expect(again.size()).toBe(40);
    const got = await drain(again);
    expect(got).toHaveLength(40);
    expect(bodies(got).slice(0, 4)).toEqual(['x0', 'y0', 'x1', 'y1']);
  });

  it('rotates logs at maxFileSize and deletes them once consumed and checkpointed', async () => {
    const d = dirs();
    const ch = await started(d, { maxFileSize: '1000', checkpointInterval: '3600000' });
    for (let i = 0; i < 30; i++) await putCommit(ch, 'p'.repeat(100) + i);
    expect(logs(d).length).toBeGreaterThan(3);
    const first = await takeCommit(ch, 100);
    expect(first).toHaveLength(30);
    await putCommit(ch, 'last'); // forces the rotation of the file that holds the take record
    await ch.checkpoint();
    expect(logs(d).length).toBeLessThanOrEqual(2);
    expect(ch.stats.logsDeleted).toBeGreaterThan(2);
    await crash(ch);
    const again = await started(d);
    expect(bodies(await drain(again))).toEqual(['last']);
  });

  it('keeps logs that still hold live events', async () => {
    const d = dirs();
    const ch = await started(d, { maxFileSize: '1000' });
    await putCommit(ch, 'keep-me');
    for (let i = 0; i < 20; i++) await putCommit(ch, 'q'.repeat(100));
    await takeCommit(ch, 0);
    await ch.checkpoint();
    expect(logs(d)[0]).toBe('log-1');
    await crash(ch);
    const again = await started(d);
    expect(bodies(await drain(again, 1))).toEqual(['keep-me']);
  });
});

describe('file channel: corruption', () => {
  it('a truncated tail is reported with file and offset; earlier commits survive and the channel keeps working', async () => {
    const d = dirs();
    const ch = await started(d);
    await putCommit(ch, 'one');
    await putCommit(ch, 'two');
    await putCommit(ch, 'three');
    await crash(ch);
    const file = lastLog(d);
    fs.truncateSync(file, fs.statSync(file).size - 5);
    const again = await started(d);
    const r = again.lastReplay!;
    expect(r.corrupt).toHaveLength(1);
    expect(r.corrupt[0]).toMatch(new RegExp(`${path.basename(file)}:\\d+: truncated record`));
    await putCommit(again, 'four');
    expect(bodies(await drain(again))).toEqual(['one', 'two', 'four']);
    await crash(again);
    // the torn tail is not reported again once a checkpoint covered it
    const third = await started(d);
    expect(third.lastReplay!.corrupt).toEqual([]);
  });

  it('a transaction torn before its commit record is rolled back as a whole', async () => {
    const d = dirs();
    const ch = await started(d);
    await putCommit(ch, 'kept');
    await putCommit(ch, 'torn-1', 'torn-2', 'torn-3');
    await crash(ch);
    const file = lastLog(d);
    const buf = fs.readFileSync(file);
    fs.truncateSync(file, buf.lastIndexOf('torn-3') + 6); // all PUTs of the last transaction, no COMMIT
    const again = await started(d);
    expect(again.lastReplay!.uncommittedDiscarded).toBe(3);
    expect(again.lastReplay!.corrupt).toEqual([]); // ends exactly at a record boundary: nothing torn
    expect(bodies(await drain(again))).toEqual(['kept']);
  });

  it('a flipped byte in a record loses only that record; the scan resynchronises on the next one', async () => {
    const d = dirs();
    const ch = await started(d);
    await putCommit(ch, 'aaaaaaaa');
    await putCommit(ch, 'bbbbbbbb');
    await putCommit(ch, 'cccccccc');
    await crash(ch);
    const file = lastLog(d);
    const buf = fs.readFileSync(file);
    const at = buf.indexOf('bbbbbbbb');
    buf[at + 3] ^= 0x20;
    fs.writeFileSync(file, buf);
    const again = await started(d);
    const r = again.lastReplay!;
    expect(r.corrupt.some((m) => /checksum mismatch; skipped \d+ bytes/.test(m))).toBe(true);
    expect(r.corrupt.some((m) => /committed 1 put\(s\) but only 0 valid/.test(m))).toBe(true);
    expect(bodies(await drain(again))).toEqual(['aaaaaaaa', 'cccccccc']);
  });

  it('a corrupt record read back at take time is skipped and counted, the others are delivered', async () => {
    const d = dirs();
    const ch = await started(d);
    await putCommit(ch, 'good-1', 'evil-2', 'good-3');
    await stop(ch); // checkpoint covers everything: the events are read back from the log at take time
    const file = lastLog(d);
    const buf = fs.readFileSync(file);
    buf[buf.indexOf('evil-2') + 1] ^= 0x01;
    fs.writeFileSync(file, buf);
    const again = await started(d);
    expect(again.size()).toBe(3);
    expect(bodies(await drain(again))).toEqual(['good-1', 'good-3']);
    expect(again.counter.snapshot().EventTakeErrorCount).toBe('1');
    expect(again.size()).toBe(0);
  });

  it('a missing checkpoint means a full replay of the logs with the same result', async () => {
    const d = dirs();
    const ch = await started(d);
    await putCommit(ch, 'a', 'b', 'c');
    await takeCommit(ch, 1);
    await stop(ch);
    fs.rmSync(path.join(d.checkpointDir, 'checkpoint'));
    const again = await started(d);
    expect(again.lastReplay!.checkpoint).toBe('none');
    expect(again.lastReplay!.checkpointProblems[0]).toMatch(/checkpoint: missing/);
    expect(bodies(await drain(again))).toEqual(['b', 'c']);
  });

  it('a corrupt checkpoint falls back to the backup checkpoint, or to a full replay', async () => {
    const d = dirs();
    const dual = { useDualCheckpoints: 'true', backupCheckpointDir: d.backup };
    const ch = await started(d, dual);
    await putCommit(ch, 'a', 'b');
    await takeCommit(ch, 1);
    await stop(ch);
    const cp = path.join(d.checkpointDir, 'checkpoint');
    const buf = fs.readFileSync(cp);
    buf[buf.length - 2] ^= 0xff;
    fs.writeFileSync(cp, buf);
    const withBackup = await started(d, dual);
    expect(withBackup.lastReplay!.checkpoint).toBe('backup');
    expect(withBackup.lastReplay!.checkpointProblems[0]).toMatch(/corrupt \(checksum mismatch\)/);
    expect(withBackup.size()).toBe(1);
    await crash(withBackup);
    fs.writeFileSync(cp, buf);
    fs.writeFileSync(path.join(d.backup, 'checkpoint'), 'garbage');
    const none = await started(d, dual);
    expect(none.lastReplay!.checkpoint).toBe('none');
    expect(bodies(await drain(none))).toEqual(['b']);
  });

  it('a failing checkpoint or backup write is counted, keeps the logs, and the channel keeps working', async () => {
    const d = dirs();
    const ch = await started(d, { useDualCheckpoints: 'true', backupCheckpointDir: d.backup, maxFileSize: '600' });
    for (let i = 0; i < 10; i++) await putCommit(ch, 'z'.repeat(100));
    await takeCommit(ch, 100);
    await putCommit(ch, 'after');
    fs.mkdirSync(path.join(d.backup, 'checkpoint.tmp')); // the backup cannot be written
    const before = logs(d).length;
    await ch.checkpoint();
    expect(ch.counter.snapshot().CheckpointBackupWriteErrorCount).toBe('1');
    expect(logs(d).length).toBe(before); // the backup still needs them
    fs.mkdirSync(path.join(d.checkpointDir, 'checkpoint.tmp'));
    await expect(ch.checkpoint()).rejects.toThrow();
    expect(ch.counter.snapshot().CheckpointWriteErrorCount).toBe('1');
    await putCommit(ch, 'still-works');
    fs.rmdirSync(path.join(d.checkpointDir, 'checkpoint.tmp'));
    fs.rmdirSync(path.join(d.backup, 'checkpoint.tmp'));
    await ch.checkpoint();
    expect(logs(d).length).toBeLessThan(before);
    expect(bodies(await drain(ch))).toEqual(['after', 'still-works']);
  });

  it('below minimumRequiredSpace puts are refused with a clear error; takes still work', async () => {
    const d = dirs();
    const ch = await started(d);
    await putCommit(ch, 'a');
    ch.opts.minimumRequiredSpace = 2 ** 60; // a "full disk"
    const t = ch.begin();
    t.put(ev('b'));
    await expect(t.commit()).rejects.toThrow(/Usable space exhausted, only \d+ bytes remaining, required \d+ bytes/);
    await t.rollback();
    expect(ch.counter.snapshot().EventPutErrorCount).toBe('1');
    expect(await takeCommit(ch, 10)).toEqual(['a']);
  });

  it('minimumRequiredSpace from the configuration is honoured', async () => {
    const d = dirs();
    const ch = await started(d, { minimumRequiredSpace: String(2 ** 60) });
    const t = ch.begin();
    t.put(ev('b'));
    await expect(t.commit()).rejects.toBeInstanceOf(ChannelError);
  });
});

describe('file channel: locking', () => {
  it('refuses a second channel on the same directories', async () => {
    const d = dirs();
    await started(d);
    const second = channel(d);
    await expect(second.start()).rejects.toThrow(/Cannot lock .*ckpt\. The directory is already locked/);
    expect(() => second.begin()).toThrow(/Channel closed \[channel=c1\]\. Due to: Cannot lock/);
  });

  it('refuses directories locked by another live process, takes over a lock left by a dead one', async () => {
    const d = dirs();
    fs.mkdirSync(d.checkpointDir, { recursive: true });
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      const start = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19];
      fs.writeFileSync(path.join(d.checkpointDir, 'in_use.lock'), `${child.pid} ${start}\n`);
      const ch = channel(d);
      await expect(ch.start()).rejects.toThrow(new RegExp(`locked by process ${child.pid}`));
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    const ch = await started(d); // the owner is gone: stale lock
    expect(ch.open).toBe(true);
  });
});

describe('file channel: configuration', () => {
  it("has Flume's defaults", () => {
    const c = configure(fileChannel, {});
    expect(c).toMatchObject({
      capacity: 1000000,
      transactionCapacity: 10000,
      'keep-alive': 3,
      checkpointInterval: 30000,
      maxFileSize: 1623195647, // Integer.MAX_VALUE - 500 MiB (the code; the user guide says 2146435071)

      minimumRequiredSpace: 524288000,
      checkpointOnClose: true,
      useDualCheckpoints: false,
      fsyncPerTransaction: true,
      fsyncInterval: 5,
    });
  });

  it('refuses encryption, dual checkpoints without a backup dir, and transactionCapacity above capacity', () => {
    expect(() => configure(fileChannel, { 'encryption.activeKey': 'key-0', 'encryption.cipherProvider': 'AESCTRNOPADDING' })).toThrow(
      /encryption .* is not supported/,
    );
    expect(() => configure(fileChannel, { useDualCheckpoints: 'true' })).toThrow(
      /Dual checkpointing is enabled, but the backup directory is not set/,
    );
    expect(() => configure(fileChannel, { useDualCheckpoints: 'true', checkpointDir: '/x/c', backupCheckpointDir: '/x/c' })).toThrow(
      /configured to be the same/,
    );
    expect(() => configure(fileChannel, { capacity: '10', transactionCapacity: '20' })).toThrow(
      /transaction capacity cannot be greater than the capacity/,
    );
    expect(() => configure(fileChannel, { checkpointDir: '/x/c', dataDirs: '/x/d, /x/c' })).toThrow(/must not include checkpointDir/);
  });

  it('accepts the replay switches as no-ops and the FQCN type', () => {
    expect(() =>
      configure(fileChannel, { 'use-fast-replay': 'true', 'use-log-replay-v1': 'true', compressBackupCheckpoint: 'true' }),
    ).not.toThrow();
    expect(fileChannel.fqcn).toBe('org.apache.flume.channel.file.FileChannel');
  });

  it('spreads transactions over several data dirs and replays them in commit order', async () => {
    const d = dirs();
    const two = `${d.dataDirs}a,${d.dataDirs}b`;
    const ch = await started(d, { dataDirs: two });
    for (let i = 0; i < 6; i++) await putCommit(ch, `e${i}`);
    await crash(ch);
    fs.rmSync(path.join(d.checkpointDir, 'checkpoint'));
    const again = await started(d, { dataDirs: two });
    expect(bodies(await drain(again))).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5']);
  });
});

void silentLogger;
