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

export function makeSink(svc: Services<'hdfs'>, raw: Record<string, string>, ch: Channel = memory('c1', 100_000, 10_000)): { sink: HdfsSink; ch: Channel } {
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

/** Calls process() until the channel is empty. */
export async function drainSink(sink: HdfsSink, ch: Channel, maxRounds = 10_000): Promise<void> {
  for (let i = 0; i < maxRounds && ch.size() > 0; i++) await sink.process();
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
  return execFileSync('java', ['-Xmx128m', '-cp', `${out}${path.delimiter}${cp}`, 'ReadSeq', ...paths.map((p) => `${svc.hdfs.fsUri}${p}`)], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
}
