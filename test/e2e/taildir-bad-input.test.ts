/**
 * TAILDIR bad input in the real agent (run as `nobody` when the tests run as root, so that file permissions apply):
 * an unreadable file (logged with its path and position, read once it becomes readable), binary data, a 3 MiB line,
 * a file that shrinks while read and one that vanishes; the agent stays up and delivers everything else once.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, tmpDir, waitFor } from '../support/agent-process.js';

const isRoot = process.getuid?.() === 0;
const nobody = (() => {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('nobody:'));
    const [, , uid, gid] = line!.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return undefined;
  }
})();

/**
 * As root the unreadable-file case needs the agent to run as nobody, which needs nobody to reach bin/flume-ts (a clone
 * under /root is out of its reach): otherwise the agent runs as root and that case is left out (root reads anything).
 */
const asNobody =
  isRoot && nobody !== undefined && spawnSync(BIN, ['version'], { uid: nobody.uid, gid: nobody.gid, cwd: os.tmpdir() }).status === 0;
const permissions = !isRoot || asNobody;

let child: ReturnType<typeof spawn> | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

function conf(root: string): string {
  return `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = TAILDIR
a1.sources.r1.channels = c1
a1.sources.r1.filegroups = g
a1.sources.r1.filegroups.g = ${root}/logs/.*\\.log
a1.sources.r1.positionFile = ${root}/pos/taildir_position.json
a1.sources.r1.byteOffsetHeader = true
a1.channels.c1.type = memory
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${root}/out
a1.sinks.k1.sink.rollInterval = 0
`;
}

function output(root: string): Buffer {
  const out = `${root}/out`;
  if (!existsSync(out)) return Buffer.alloc(0);
  return Buffer.concat(
    readdirSync(out)
      .sort()
      .map((f) => readFileSync(path.join(out, f))),
  );
}

const lines = (b: Buffer) =>
  b
    .toString('latin1')
    .split('\n')
    .filter((l) => l !== '');

describe('TAILDIR bad input', () => {
  it('logs unreadable, binary, huge, shrinking and vanishing files clearly and keeps delivering', async () => {
    const root = tmpDir('taildir-bad-');
    for (const d of ['logs', 'out', 'pos']) mkdirSync(path.join(root, d));
    const secret = `${root}/logs/secret.log`;
    writeFileSync(secret, 'hidden-1\nhidden-2\n', { mode: 0o600 });
    if (asNobody) {
      chmodSync(root, 0o755);
      for (const d of ['logs', 'out', 'pos']) chownSync(path.join(root, d), nobody!.uid, nobody!.gid);
    } else if (!isRoot) chmodSync(secret, 0o000);
    const confFile = path.join(root, 'agent.conf');
    writeFileSync(confFile, conf(root));
    chmodSync(confFile, 0o644);
    let stderr = '';
    child = spawn(BIN, ['agent', '--conf-file', confFile, '--name', 'a1', '--no-reload-conf'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: os.tmpdir(),
      ...(asNobody ? { uid: nobody!.uid, gid: nobody!.gid, env: { ...process.env, HOME: root } } : {}),
    });
    child.stderr!.on('data', (d) => (stderr += d.toString()));
    if (permissions) {
      await waitFor(() => /Cannot open file; will retry/.test(stderr), 'the permission error in the log', 30_000);
      const err = stderr.split('\n').find((l) => l.includes('Cannot open file'))!;
      expect(JSON.parse(err)).toMatchObject({ file: secret, pos: 0 });
      expect(err).toMatch(/EACCES|permission denied/i);
    } else await waitFor(() => /TaildirSource started/.test(stderr), 'the source started', 30_000);

    // binary bytes, a 3 MiB line, ordinary lines
    const bin = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0d, 0x01]);
    writeFileSync(`${root}/logs/bin.log`, Buffer.concat([bin, Buffer.from('\n')]));
    writeFileSync(`${root}/logs/huge.log`, 'h'.repeat(3 * 1024 * 1024) + '\nafter-huge\n');
    await waitFor(() => lines(output(root)).includes('after-huge'), 'huge line and the next one', 30_000);
    expect(output(root).includes(Buffer.concat([bin, Buffer.from('\n')]))).toBe(true);
    expect(lines(output(root)).some((l) => l.length === 3 * 1024 * 1024)).toBe(true);

    // shrinking while read: truncated under its position, then new lines
    const shrink = `${root}/logs/shrink.log`;
    writeFileSync(shrink, 'shrink-1-long-line\nshrink-2-long-line\n');
    await waitFor(() => lines(output(root)).includes('shrink-2-long-line'), 'shrink lines', 30_000);
    truncateSync(shrink, 0);
    appendFileSync(shrink, 'shrink-3\n');
    await waitFor(() => lines(output(root)).includes('shrink-3'), 'line after the truncation', 30_000);
    // the log line may reach our pipe a little after the line reached the output file
    const shrankLine = new RegExp(`"file":"${shrink}".*"pos":38.*"size":\\d+.*File shrank under its position`);
    await waitFor(() => shrankLine.test(stderr), 'the shrink warning in the log', 10_000);

    // vanishing: a file deleted right after being written, another renamed out of the pattern
    writeFileSync(`${root}/logs/gone.log`, 'gone-1\n');
    writeFileSync(`${root}/logs/moved.log`, 'moved-1\n');
    await waitFor(() => lines(output(root)).includes('gone-1') && lines(output(root)).includes('moved-1'), 'gone/moved lines', 30_000);
    appendFileSync(`${root}/logs/gone.log`, 'gone-2\n');
    unlinkSync(`${root}/logs/gone.log`);
    appendFileSync(`${root}/logs/moved.log`, 'moved-2\n');
    renameSync(`${root}/logs/moved.log`, `${root}/logs/moved.old`);
    const vanished = () => lines(output(root)).includes('gone-2') && lines(output(root)).includes('moved-2');
    await waitFor(vanished, 'lines of vanished files', 30_000);

    // the unreadable file becomes readable: read from its start
    if (asNobody) chownSync(secret, nobody!.uid, nobody!.gid);
    else if (!isRoot) chmodSync(secret, 0o644);
    appendFileSync(secret, 'hidden-3\n');
    await waitFor(() => lines(output(root)).includes('hidden-3'), 'the formerly unreadable file', 30_000);
    const all = lines(output(root));
    for (const l of ['hidden-1', 'hidden-2', 'hidden-3', 'shrink-1-long-line', 'gone-1', 'gone-2', 'moved-1', 'moved-2']) {
      expect(all.filter((x) => x === l)).toHaveLength(1);
    }
    expect(child.exitCode).toBeNull();
  });
});
