import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canConnect, freePort, sendLines, startAgent, tmpDir, waitFor, type AgentProcess } from '../support/agent-process.js';

let agent: AgentProcess | undefined;
afterEach(async () => {
  await agent?.stop('SIGKILL');
  agent = undefined;
});

function conf(port: number, dir: string, channel = 'a1.channels.c1.capacity = 100000\na1.channels.c1.transactionCapacity = 1000') {
  return `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
${channel}
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${dir}
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.batchSize = 1000
`;
}

const readOutput = (dir: string) =>
  readdirSync(dir)
    .sort()
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('');

describe('agent end to end: netcat → memory → file_roll', () => {
  it('acknowledges 100 000 lines with OK and writes exactly those lines, in order; SIGTERM drains and exits 0', async () => {
    const port = await freePort();
    const out = tmpDir();
    agent = startAgent(conf(port, out));
    await waitFor(() => canConnect(port), 'netcat port');
    const n = 100_000;
    const lines = Array.from({ length: n }, (_, i) => `event ${i} ${'x'.repeat(i % 50)}`);
    const replies = await sendLines(port, lines);
    expect(replies.length).toBe(n);
    expect(replies.every((r) => r === 'OK')).toBe(true);
    expect(await agent.stop('SIGTERM')).toBe(0);
    expect(readOutput(out)).toBe(lines.join('\n') + '\n');
    expect(agent.stderr()).toMatch(/"msg":"Agent stopped"/);
  });

  it('answers FAILED when the channel is full, keeps serving, and loses nothing once the sink recovers', async () => {
    const port = await freePort();
    const base = tmpDir();
    const out = path.join(base, 'not-yet'); // missing directory: the sink fails and rolls back
    // sink.batchSize must not exceed transactionCapacity (Flume drops the sink otherwise).
    agent = startAgent(
      conf(port, out, 'a1.channels.c1.capacity = 5\na1.channels.c1.transactionCapacity = 5\na1.channels.c1.keep-alive = 0').replace(
        'sink.batchSize = 1000',
        'sink.batchSize = 5',
      ),
    );
    await waitFor(() => canConnect(port), 'netcat port');
    const first = await sendLines(port, ['a', 'b', 'c', 'd', 'e']);
    expect(first).toEqual(['OK', 'OK', 'OK', 'OK', 'OK']);
    const refused = await sendLines(port, ['f']);
    expect(refused[0]).toMatch(/^FAILED: Space for commit to queue couldn't be acquired/);
    mkdirSync(out);
    await waitFor(() => readdirSync(out).length > 0 && readOutput(out) === 'a\nb\nc\nd\ne\n', 'sink recovery', 30_000);
    expect(await sendLines(port, ['g'])).toEqual(['OK']);
    expect(await agent.stop()).toBe(0);
    expect(readOutput(out)).toBe('a\nb\nc\nd\ne\ng\n');
    rmSync(base, { recursive: true, force: true });
  });

  it('answers every line of a client that half-closes (nc -N), then closes: 100 000 OKs, 100 000 lines', async () => {
    const port = await freePort();
    const out = tmpDir();
    // the classic config: memory 10000/1000, so the channel fills and the source waits while the sink drains
    agent = startAgent(conf(port, out, 'a1.channels.c1.capacity = 10000\na1.channels.c1.transactionCapacity = 1000'));
    await waitFor(() => canConnect(port), 'netcat port');
    const n = 100_000;
    const lines = Array.from({ length: n }, (_, i) => `half-closed ${i}`);
    const replies = await new Promise<string>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      let got = '';
      s.setEncoding('utf8');
      s.on('data', (d: string) => (got += d));
      s.on('close', () => resolve(got)); // the server closes its side only after the last reply
      s.on('error', reject);
      s.end(lines.map((l) => l + '\n').join('')); // write everything, then shut our sending side
    });
    expect(replies.length).toBe(3 * n);
    expect(replies).toBe('OK\n'.repeat(n));
    expect(await agent.stop('SIGTERM')).toBe(0);
    expect(readOutput(out)).toBe(lines.join('\n') + '\n');
  });

  it("answers an over-long line with Flume's reply and closes the connection", async () => {
    const port = await freePort();
    const out = tmpDir();
    agent = startAgent(conf(port, out) + 'a1.sources.r1.max-line-length = 20\n');
    await waitFor(() => canConnect(port), 'netcat port');
    const replies = await sendLines(port, ['short', 'y'.repeat(40), 'never read'], 2);
    expect(replies).toEqual(['OK', 'FAILED: Event exceeds the maximum length (20 chars, including newline)']);
    expect(await agent.stop()).toBe(0);
    expect(readOutput(out)).toBe('short\n');
  });
});

describe('agent command line', () => {
  it('refuses an unknown agent name, listing the agents found', async () => {
    agent = startAgent(conf(1, tmpDir()), [], 'a2');
    expect(await agent.exited).toBe(1);
    expect(agent.stderr()).toContain('no configuration for agent \\"a2\\"; agents found: a1');
  });

  it('--strict refuses a configuration with a warning', async () => {
    agent = startAgent(conf(await freePort(), tmpDir()) + 'a1.sinks.k1.batchSiz = 10\n', ['--strict']);
    expect(await agent.exited).toBe(1);
    expect(agent.stderr()).toContain('unknown-property');
  });

  it('a missing config file is a clear error', async () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'x'), '');
    agent = startAgent('', ['--conf-file', path.join(dir, 'missing.conf')]);
    expect(await agent.exited).toBe(1);
  });
});
