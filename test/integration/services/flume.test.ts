import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, portOpen, waitFor } from '../../support/services.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

/** Sends lines on one connection and resolves with everything the server wrote back once it has `expectBytes`. */
function sendLines(port: number, lines: string[], expectBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let got = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`timeout; got ${JSON.stringify(got.slice(0, 200))}`));
    }, 30_000);
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      got += d;
      if (got.length >= expectBytes) {
        clearTimeout(timer);
        sock.end();
        resolve(got);
      }
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.write(lines.map((l) => `${l}\n`).join(''));
  });
}

describe('real Apache Flume 1.11 via `npm run flume`', () => {
  let agent: ChildProcess | undefined;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flume-smoke-'));
  afterAll(async () => {
    if (agent && agent.exitCode === null) {
      const exited = new Promise((r) => agent!.once('exit', r));
      agent.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (agent.exitCode === null) agent.kill('SIGKILL');
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('netcat → memory → file_roll answers OK per line and writes the lines', async () => {
    const port = await freePort();
    const out = path.join(tmp, 'out');
    fs.mkdirSync(out);
    const conf = path.join(tmp, 'agent.conf');
    fs.writeFileSync(
      conf,
      [
        'a1.sources = r1',
        'a1.channels = c1',
        'a1.sinks = k1',
        'a1.sources.r1.type = netcat',
        'a1.sources.r1.bind = 127.0.0.1',
        `a1.sources.r1.port = ${port}`,
        'a1.sources.r1.channels = c1',
        'a1.channels.c1.type = memory',
        'a1.channels.c1.capacity = 1000',
        'a1.channels.c1.transactionCapacity = 100',
        'a1.sinks.k1.type = file_roll',
        `a1.sinks.k1.sink.directory = ${out}`,
        'a1.sinks.k1.sink.rollInterval = 0',
        'a1.sinks.k1.sink.batchSize = 10',
        'a1.sinks.k1.channel = c1',
        '',
      ].join('\n'),
    );
    // Exactly what `npm run flume -- agent …` runs (package.json "flume" script), minus npm itself.
    agent = spawn(
      process.execPath,
      [
        path.join(ROOT, 'scripts/services/flume-cli.mjs'),
        'agent',
        '--conf-file',
        conf,
        '--name',
        'a1',
        '--heap',
        '256m',
        '--log-dir',
        path.join(tmp, 'logs'),
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    agent.stderr!.on('data', (d) => (stderr += d));
    await waitFor('flume netcat source', () => portOpen(port), {
      timeoutMs: 120_000,
      alive: () => agent!.exitCode === null,
      logFile: path.join(tmp, 'logs', 'flume.log'),
    });

    const lines = Array.from({ length: 50 }, (_, i) => `line-${String(i).padStart(4, '0')} from the flume-ts smoke test`);
    const replies = await sendLines(port, lines, 'OK\n'.length * lines.length);
    expect(replies).toBe('OK\n'.repeat(lines.length));

    const written = await waitFor(
      'file_roll output',
      async () => {
        const text = fs
          .readdirSync(out)
          .map((f) => fs.readFileSync(path.join(out, f), 'utf8'))
          .join('');
        const got = text.split('\n').filter(Boolean);
        return got.length >= lines.length ? got : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(written).toEqual(lines);
    expect(stderr).toContain('Apache Flume 1.11.0');
    expect(fs.readFileSync(path.join(tmp, 'logs', 'flume.log'), 'utf8')).toMatch(/Starting Sink k1|Component type: SINK, name: k1 started/);
  });
});
