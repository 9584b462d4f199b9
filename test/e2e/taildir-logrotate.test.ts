/**
 * TAILDIR in the real agent, rotated by the real `logrotate` (Debian package; .ci/run installs it):
 * - rename rotation (`create`, rotate 30) while a writer keeps appending, with a group whose pattern matches the
 *   rotated names (app.log.N) and one whose pattern does not (other.log only): every line once, none repeated;
 * - copytruncate: lines written after each rotation are read from the start of the truncated file, none repeated.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, tmpDir, waitFor, type AgentProcess } from '../support/agent-process.js';

const hasLogrotate = (() => {
  try {
    execFileSync('logrotate', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let agent: AgentProcess | undefined;
afterEach(async () => {
  await agent?.stop('SIGKILL');
  agent = undefined;
});

export function outputLines(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const lines: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    const text = readFileSync(path.join(dir, f), 'utf8');
    for (const l of text.split('\n')) if (l !== '') lines.push(l);
  }
  return lines;
}

function conf(root: string): string {
  return `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = TAILDIR
a1.sources.r1.channels = c1
a1.sources.r1.filegroups = app other copy
a1.sources.r1.filegroups.app = ${root}/logs/app\\.log(\\.[0-9]+)?
a1.sources.r1.filegroups.other = ${root}/logs/other\\.log
a1.sources.r1.filegroups.copy = ${root}/logs/copy\\.log
a1.sources.r1.positionFile = ${root}/pos/taildir_position.json
a1.sources.r1.batchSize = 200
a1.channels.c1.type = memory
a1.channels.c1.capacity = 100000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${root}/out
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.batchSize = 500
`;
}

function rotate(root: string, stanza: 'rename' | 'copy'): void {
  execFileSync('logrotate', ['-f', '-s', `${root}/logrotate.state`, `${root}/${stanza}.conf`], { stdio: 'pipe' });
}

function writeRotateConfs(root: string): void {
  const files = `${root}/logs/app.log ${root}/logs/other.log`;
  writeFileSync(`${root}/rename.conf`, `${files} {\n  rotate 30\n  create\n  missingok\n  nocompress\n}\n`);
  writeFileSync(`${root}/copy.conf`, `${root}/logs/copy.log {\n  rotate 2\n  copytruncate\n  missingok\n  nocompress\n}\n`);
}

/** True when the position file lists the current inode of each of `names`. */
function seenByAgent(root: string, names: string[]): boolean {
  const text = readFileSync(`${root}/pos/taildir_position.json`, 'utf8');
  return names.every((n) => text.includes(`"inode":${statSync(`${root}/logs/${n}`).ino},`));
}

function duplicates(lines: string[]): string[] {
  const seen = new Set<string>();
  const dup: string[] = [];
  for (const l of lines) {
    if (seen.has(l)) dup.push(l);
    else seen.add(l);
  }
  return dup;
}

describe.skipIf(!hasLogrotate)('TAILDIR with logrotate', () => {
  it('rename rotations while writing: every line exactly once, for matching and non-matching rotated names', async () => {
    const root = tmpDir('taildir-lr-');
    mkdirSync(`${root}/logs`);
    mkdirSync(`${root}/out`);
    writeRotateConfs(root);
    writeFileSync(`${root}/logs/app.log`, '');
    writeFileSync(`${root}/logs/other.log`, '');
    writeFileSync(`${root}/logs/copy.log`, '');
    agent = startAgent(conf(root));
    await waitFor(() => existsSync(`${root}/pos/taildir_position.json`), 'agent started', 30_000);
    const total = 20_000;
    const chunk = 40;
    let rotations = 0;
    for (let i = 0; i < total; i += chunk) {
      let a = '';
      let o = '';
      for (let j = i; j < i + chunk; j++) {
        a += `app-${j}\n`;
        o += `other-${j}\n`;
      }
      appendFileSync(`${root}/logs/app.log`, a);
      appendFileSync(`${root}/logs/other.log`, o);
      if (i % 2000 === 1000) {
        // the agent must have seen a file before it is renamed away (nothing can follow a file it never saw)
        await waitFor(() => seenByAgent(root, ['app.log', 'other.log']), 'agent saw the current files', 30_000, 5);
        rotate(root, 'rename');
        rotations++;
      }
      if (i % 400 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(rotations).toBeGreaterThanOrEqual(9);
    const out = `${root}/out`;
    await waitFor(() => outputLines(out).length >= 2 * total, `${2 * total} lines in file_roll output`, 60_000, 100);
    await new Promise((r) => setTimeout(r, 500));
    const lines = outputLines(out);
    expect(duplicates(lines)).toEqual([]);
    expect(lines.length).toBe(2 * total);
    const expected = new Set<string>();
    for (let j = 0; j < total; j++) expected.add(`app-${j}`).add(`other-${j}`);
    expect(lines.filter((l) => !expected.has(l))).toEqual([]);
    expect(agent.stderr()).toMatch(/File renamed; keeping its position/);
    expect(agent.stderr()).toMatch(/File no longer matches its group; reading it to its end/);
  });

  it('copytruncate rotations: the truncated file is read again from its start, nothing repeated', async () => {
    const root = tmpDir('taildir-lr-copy-');
    mkdirSync(`${root}/logs`);
    mkdirSync(`${root}/out`);
    writeRotateConfs(root);
    writeFileSync(`${root}/logs/copy.log`, '');
    agent = startAgent(conf(root));
    await waitFor(() => existsSync(`${root}/pos/taildir_position.json`), 'agent started', 30_000);
    const out = `${root}/out`;
    let n = 0;
    for (let round = 0; round < 6; round++) {
      let text = '';
      // each round is shorter than the last, so the truncated file never reaches the old position by size alone
      for (let j = 0; j < 600 - round * 80; j++) text += `copy-${n++}\n`;
      appendFileSync(`${root}/logs/copy.log`, text);
      await waitFor(() => outputLines(out).length >= n, `${n} lines`, 30_000, 50);
      rotate(root, 'copy');
      expect(readFileSync(`${root}/logs/copy.log`, 'utf8')).toBe('');
    }
    // after the last rotation a round that grows past the old position before the agent looks
    let big = '';
    for (let j = 0; j < 2000; j++) big += `copy-${n++}\n`;
    appendFileSync(`${root}/logs/copy.log`, big);
    await waitFor(() => outputLines(out).length >= n, `${n} lines`, 30_000, 50);
    await new Promise((r) => setTimeout(r, 300));
    const lines = outputLines(out);
    expect(duplicates(lines)).toEqual([]);
    expect(lines.length).toBe(n);
    expect(agent.stderr()).toMatch(/File shrank under its position/);
  });
});
