/** Shared helpers for the HDFS sink integration tests (real HDFS from the service harness). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hdfsSink } from '../../../src/components/sinks/hdfs/index.js';
import type { HdfsSink } from '../../../src/components/sinks/hdfs/sink.js';
import { WebHdfsClient } from '../../../src/components/sinks/hdfs/webhdfs.js';
import { createEvent, type Event } from '../../../src/core/event.js';
import type { Channel } from '../../../src/core/channel.js';
import { create, memory } from '../../support/context.js';
import type { Services } from '../../support/services.js';

export function clientFor(svc: Services<'hdfs'>): WebHdfsClient {
  return new WebHdfsClient({ baseUrl: `http://${svc.hdfs.host}:${svc.hdfs.httpPort}`, user: svc.hdfs.user, timeoutMs: 10_000 });
}

export function makeSink(
  svc: Services<'hdfs'>,
  raw: Record<string, string>,
  ch: Channel = memory('c1', 100_000, 10_000),
): { sink: HdfsSink; ch: Channel } {
  const props = { 'hdfs.webhdfs.address': `http://${svc.hdfs.host}:${svc.hdfs.httpPort}`, 'hdfs.webhdfs.user': svc.hdfs.user, ...raw };
  const sink = create(hdfsSink, props, { name: 'k1', channel: ch }) as unknown as HdfsSink;
  return { sink, ch };
}

export async function put(ch: Channel, events: Event[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    const tx = ch.begin();
    tx.putAll(events.slice(i, i + 1000));
    await tx.commit();
  }
}

export const lines = (n: number, from = 0, headers: Record<string, string> = {}): Event[] =>
  Array.from({ length: n }, (_, i) => createEvent(`line ${from + i}`, { ...headers }));

/** Calls process() until the channel is empty and every transaction in flight has committed. */
export async function drainSink(sink: HdfsSink, ch: Channel, maxRounds = 10_000): Promise<void> {
  for (let i = 0; i < maxRounds; i++) {
    if (ch.size() > 0) await sink.process();
    else {
      await sink.settle();
      if (ch.size() === 0) {
        // a failure of the last transactions surfaces on the next process()
        await sink.process();
        return;
      }
    }
  }
}

export async function ls(c: WebHdfsClient, dir: string): Promise<string[]> {
  return (await c.listStatus(dir)).map((s) => s.pathSuffix).sort();
}

export async function until<T>(fn: () => Promise<T | undefined | false>, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reads SequenceFiles with Hadoop's own SequenceFile.Reader (the harness's Hadoop jars and config). */
export function readWithHadoop(svc: Services<'hdfs'>, paths: string[]): string {
  const lib = path.join(path.dirname(svc.info.hdfs.dir), '..', 'lib', 'hdfs');
  const conf = svc.info.hdfs.urls?.conf as string;
  const out = mkdtempSync(path.join(os.tmpdir(), 'readseq-'));
  const src = path.join(import.meta.dirname, 'java', 'ReadSeq.java');
  const cp = `${conf}${path.delimiter}${lib}/*`;
  execFileSync('javac', ['-d', out, '-cp', cp, src], { stdio: 'pipe' });
  return execFileSync(
    'java',
    [
      '-Xmx128m',
      '-cp',
      `${out}${path.delimiter}${cp}`,
      'ReadSeq',
      ...paths.map((p) => (p.startsWith('text:') ? `text:${svc.hdfs.fsUri}${p.slice(5)}` : `${svc.hdfs.fsUri}${p}`)),
    ],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/**
 * Stops the harness's NameNode and DataNode (SIGTERM), waits `downMs`, starts them again with the same command
 * lines, environment and directories, waits for WebHDFS, and records the new pids in the harness state file.
 */
export async function restartHdfs(svc: Services<'hdfs'>, downMs: number): Promise<void> {
  const { readFileSync, readlinkSync } = await import('node:fs');
  // spawnDaemon / withLock / updateState are not in lib.d.mts
  const lib = (await import('../../../scripts/services/lib.mjs')) as unknown as {
    stopPid(pid: number, graceMs?: number): Promise<void>;
    spawnDaemon(cmd: string, args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; logFile: string }): { pid?: number };
    withLock<T>(fn: () => Promise<T>): Promise<T>;
    updateState(m: (s: { services: Record<string, { pids: number[] }> }) => void): unknown;
  };
  const info = svc.info.hdfs;
  const procs = info.pids.map((pid) => {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((s) => s.length > 0);
    const env: Record<string, string> = {};
    for (const kv of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const i = kv.indexOf('=');
      if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
    }
    const cwd = (() => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        return info.dir;
      }
    })();
    return { pid, argv, env, cwd };
  });
  await Promise.all(procs.map((p) => lib.stopPid(p.pid, 20_000)));
  await new Promise((r) => setTimeout(r, downMs));
  const pids = procs.map(
    (p, i) =>
      lib.spawnDaemon(p.argv[0]!, p.argv.slice(1), {
        cwd: p.cwd,
        env: p.env,
        logFile: path.join(info.dir, 'logs', `restart-${i}.out`),
      }).pid!,
  );
  await lib.withLock(async () => {
    lib.updateState((s) => {
      if (s.services.hdfs) s.services.hdfs.pids = pids;
    });
  });
  info.pids = pids;
  const c = clientFor(svc);
  await until(
    async () => {
      const st = await c.getFileStatus('/');
      if (!st) return false;
      // out of safe mode: a write must work
      await c.create(`/.restart-probe-${process.pid}`, Buffer.from('x'), { overwrite: true });
      await c.delete(`/.restart-probe-${process.pid}`);
      return true;
    },
    'HDFS back after restart',
    180_000,
  );
  c.destroy();
}
