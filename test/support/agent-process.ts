/** Spawns `bin/flume-ts agent` as a child process for end-to-end tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'flume-ts');

export function tmpDir(prefix = 'flume-ts-e2e-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export async function waitFor<T>(fn: () => T | Promise<T>, what: string, ms = 30_000, every = 20): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

export interface AgentProcess {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Writes `conf` to a temp file and starts an agent on it. */
export function startAgent(
  conf: string,
  args: string[] = [],
  name = 'a1',
  opts: { reload?: boolean; file?: string; env?: NodeJS.ProcessEnv } = {},
): AgentProcess {
  const file = opts.file ?? path.join(tmpDir('flume-ts-conf-'), 'flume.conf');
  writeFileSync(file, conf);
  const child = spawn(BIN, ['agent', '--conf-file', file, '--name', name, ...(opts.reload ? [] : ['--no-reload-conf']), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d.toString()));
  child.stdout!.on('data', () => {});
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    stderr: () => err,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** One connection: writes all lines as fast as the agent reads them, counts the replies. */
export function sendLines(port: number, lines: string[], expectReplies = lines.length): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = '';
    const replies: string[] = [];
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        replies.push(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
      if (replies.length >= expectReplies) s.end();
    });
    s.on('close', () => resolve(replies));
    s.on('error', reject);
    const data = lines.map((l) => l + '\n').join('');
    s.write(data);
  });
}

/**
 * A netcat client that keeps sending n<first>, n<first+1>, … with at most `window` lines unanswered, until the
 * connection dies or `stop()`. Replies come in order, one per line: `OK` acknowledges the oldest unanswered line, and
 * `onAck` gets its number. For crash tests: what was acknowledged must be delivered.
 */
export function ackingNetcatClient(port: number, first: number, window: number, onAck: (n: number) => void) {
  let next = first;
  let oldest = first;
  let stopped = false;
  let buf = '';
  const s = net.connect(port, '127.0.0.1');
  const fill = () => {
    const lines: string[] = [];
    while (!stopped && next - oldest < window) lines.push(`n${next++}\n`);
    if (lines.length) s.write(lines.join(''));
  };
  s.setEncoding('utf8');
  s.on('connect', fill);
  s.on('data', (d: string) => {
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      if (buf.slice(0, nl) === 'OK') onAck(oldest);
      oldest++;
      buf = buf.slice(nl + 1);
    }
    fill();
  });
  const closed = new Promise<void>((r) => s.on('close', () => r()));
  s.on('error', () => {});
  return {
    get sent() {
      return next;
    },
    async stop() {
      stopped = true;
      s.destroy();
      await closed;
    },
  };
}
