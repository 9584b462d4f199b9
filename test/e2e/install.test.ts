/**
 * Install like a tool: `npm pack` of this package (its `files` and `bin`), then `npm install -g --prefix <tmp>` of the
 * tarball gives working `flume-ts` and `flume-ng` commands: `flume-ng version` and a netcat agent answer; the systemd
 * unit in packaging/ passes `systemd-analyze verify` with ExecStart pointing at the installed flume-ng.
 *
 * Offline (tests use no network): the tarball is re-packed with pino, the one dependency every agent loads at start,
 * bundled from this checkout's node_modules, and the other dependencies (each loaded lazily by the components that use
 * them: Kafka, Elasticsearch, Avro files, JMS, compression) left out. Their resolution from the registry is npm's part
 * and is not exercised here.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { canConnect, freePort, ROOT, sendLines, tmpDir, waitFor } from '../support/agent-process.js';
import { spawn } from 'node:child_process';

const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The real tarball, re-packed with pino bundled so that it installs without a registry. */
function offlineTarball(dir: string): string {
  npm(['pack', '--ignore-scripts', '--pack-destination', dir], ROOT);
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  const stage = path.join(dir, 'stage');
  mkdirSync(stage);
  execFileSync('tar', ['-xzf', path.join(dir, tgz), '-C', stage]);
  const pkg = path.join(stage, 'package');
  for (const f of ['bin/flume-ts', 'bin/flume-ng', 'dist/cli/main.js', 'dist/cli/flume-ng.js', 'packaging/flume-ts.service']) {
    expect(readdirSync(path.dirname(path.join(pkg, f)))).toContain(path.basename(f));
  }
  const json = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8'));
  expect(json.bin).toEqual({ 'flume-ts': 'bin/flume-ts', 'flume-ng': 'bin/flume-ng' });
  // hard links: the bundle step reads pino's tree from here
  execFileSync('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules')]);
  json.dependencies = { pino: json.dependencies.pino };
  json.bundleDependencies = ['pino'];
  writeFileSync(path.join(pkg, 'package.json'), JSON.stringify(json, null, 2));
  const out = path.join(dir, 'offline');
  mkdirSync(out);
  npm(['pack', '--ignore-scripts', '--pack-destination', out], pkg);
  return path.join(out, readdirSync(out).find((f) => f.endsWith('.tgz'))!);
}

describe('npm pack + npm install -g', () => {
  it('installs flume-ts and flume-ng commands that run an agent; the systemd unit verifies', { timeout: 300_000 }, async () => {
    const dir = tmpDir('flume-ts-install-');
    const tgz = offlineTarball(dir);
    const prefix = path.join(dir, 'prefix');
    npm(['install', '-g', '--prefix', prefix, tgz, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], dir);
    const bin = path.join(prefix, 'bin');
    expect(execFileSync(path.join(bin, 'flume-ng'), ['version'], { encoding: 'utf8' })).toMatch(/^flume-ts 0\.\d+\.\d+ /);
    expect(execFileSync(path.join(bin, 'flume-ts'), ['help'], { encoding: 'utf8' })).toMatch(/Usage: flume-ts <command>/);

    const port = await freePort();
    const conf = path.join(dir, 'flume.conf');
    writeFileSync(
      conf,
      `a1.sources = r1\na1.channels = c1\na1.sinks = k1\na1.sources.r1.type = netcat\na1.sources.r1.bind = 127.0.0.1\n` +
        `a1.sources.r1.port = ${port}\na1.sources.r1.channels = c1\na1.channels.c1.type = memory\na1.sinks.k1.type = null\n` +
        `a1.sinks.k1.channel = c1\n`,
    );
    const child = spawn(path.join(bin, 'flume-ng'), ['agent', '-n', 'a1', '-f', conf, '--no-reload-conf'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    try {
      await waitFor(() => canConnect(port), 'the installed agent');
      expect(await sendLines(port, ['hello'])).toEqual(['OK']);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);

    const unit = readFileSync(path.join(ROOT, 'packaging', 'flume-ts.service'), 'utf8').replace(
      /^ExecStart=\/usr\/local\/bin\/flume-ng /m,
      `ExecStart=${path.join(bin, 'flume-ng')} `,
    );
    expect(unit).toContain(`ExecStart=${path.join(bin, 'flume-ng')} agent`);
    writeFileSync(path.join(dir, 'flume-ts.service'), unit);
    expect(execFileSync('systemd-analyze', ['verify', path.join(dir, 'flume-ts.service')], { encoding: 'utf8', stdio: 'pipe' })).toBe('');
  });
});
