/**
 * `flume-ts top` in a real terminal: tmux (private server socket) runs it against a running agent's monitoring port;
 * `capture-pane` reads the screen, `send-keys` presses keys. Checks the rows, rates in real time, fill level,
 * failures and connection state, sorting, pause/resume, the agent going away (it says so and keeps polling), quit.
 */
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, freePort, startAgent, waitFor, type AgentProcess } from '../support/agent-process.js';

const SOCKET = `flume-ts-top-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', 'top');
const rowsOf = (s: string) => s.split('\n').filter((l) => /^(SOURCE|CHANNEL|SINK) /.test(l));
const cells = (l: string) => l.trim().split(/\s+/);

function post(port: number, n: number): Promise<number> {
  const body = JSON.stringify(Array.from({ length: n }, (_, i) => ({ headers: {}, body: `e${i}` })));
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('flume-ts top in tmux', () => {
  let agent: AgentProcess;
  let port: number;
  let mon: number;

  beforeAll(async () => {
    [port, mon] = [await freePort(), await freePort()];
    const dead = await freePort();
    agent = startAgent(
      `a1.sources = r1
a1.channels = c1 c2
a1.sinks = k1 k2
a1.sources.r1.type = http
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = c1 c2
a1.channels.c1.type = memory
a1.channels.c1.capacity = 1000
a1.channels.c2.type = memory
a1.sinks.k1.type = avro
a1.sinks.k1.hostname = 127.0.0.1
a1.sinks.k1.port = ${dead}
a1.sinks.k1.channel = c1
a1.sinks.k2.type = logger
a1.sinks.k2.channel = c2
`,
      ['-Dflume.monitoring.type=http', `-Dflume.monitoring.port=${mon}`, '-Dflume.monitoring.bind=127.0.0.1'],
    );
    tmux(
      'new-session',
      '-d',
      '-s',
      'top',
      '-x',
      '150',
      '-y',
      '24',
      `${BIN} top --port ${mon} --interval 0.5; echo TOP-EXITED $?; sleep 60`,
    );
  });

  afterAll(async () => {
    try {
      tmux('kill-server');
    } catch {
      /* already gone */
    }
    await agent?.stop('SIGKILL');
  });

  it('shows every source, channel and sink with rates, fill, failures and connection state', async () => {
    await waitFor(() => /\[LIVE\]/.test(screen()) && rowsOf(screen()).length === 5, 'top showing the five components');
    // events arrive while top polls: the source's rate goes above zero, c1 fills (its avro sink cannot connect)
    let sent = 0;
    const feed = setInterval(() => {
      if (sent < 400)
        void post(port, 10).then(
          () => (sent += 10),
          () => {},
        );
    }, 50);
    try {
      await waitFor(() => {
        const r = rowsOf(screen()).find((l) => l.startsWith('SOURCE'));
        return r && Number(cells(r)[2]) > 0;
      }, 'a source rate above zero');
    } finally {
      clearInterval(feed);
    }
    const s = screen();
    expect(s).toMatch(/^flume-ts top {2}http:\/\/127\.0\.0\.1:\d+ {2}every 0\.5s {2}sort: name {2}\[LIVE\]/m);
    expect(s).toMatch(/^TYPE +NAME +IN\/s +OUT\/s +FILL +SIZE\/CAP +TOTAL +FAILS +CONN$/m);
    const rows = rowsOf(s).map(cells);
    expect(rows.map((r) => `${r[0]} ${r[1]}`)).toEqual(['SOURCE r1', 'CHANNEL c1', 'CHANNEL c2', 'SINK k1', 'SINK k2']);
    const c1 = rowsOf(s).find((l) => l.startsWith('CHANNEL c1'))!;
    expect(c1).toMatch(/\[#*\s*\] \d+\.\d%\s+\d+\/1000/);
    // k1's avro sink cannot connect: failures counted and the connection state shown
    const k1 = await waitFor(() => {
      const r = cells(rowsOf(screen()).find((l) => l.startsWith('SINK    k1')) ?? '');
      return Number(r[7]) > 0 ? r : false;
    }, 'sink k1 failures');
    expect((k1 as string[])[8]).toMatch(/^(failing|failed)$/);
  });

  it('sorts by fill, rate and name on keys f, r, n', async () => {
    tmux('send-keys', '-t', 'top', 'f');
    await waitFor(() => /sort: fill/.test(screen()), 'sort by fill');
    expect(cells(rowsOf(screen())[0]!).slice(0, 2)).toEqual(['CHANNEL', 'c1']);
    tmux('send-keys', '-t', 'top', 'r');
    await waitFor(() => /sort: rate/.test(screen()), 'sort by rate');
    tmux('send-keys', '-t', 'top', 'n');
    await waitFor(() => /sort: name/.test(screen()), 'sort by name');
    expect(cells(rowsOf(screen())[0]!).slice(0, 2)).toEqual(['SOURCE', 'r1']);
  });

  it('pauses and resumes on p', async () => {
    tmux('send-keys', '-t', 'top', 'p');
    await waitFor(() => /\[PAUSED\]/.test(screen()), 'paused');
    const at = /updated (\S+)/.exec(screen())![1];
    await post(port, 5);
    // three poll intervals: a paused view does not change
    await new Promise((r) => setTimeout(r, 1500));
    expect(/updated (\S+)/.exec(screen())![1]).toBe(at);
    tmux('send-keys', '-t', 'top', 'p');
    await waitFor(() => /\[LIVE\]/.test(screen()) && /updated (\S+)/.exec(screen())![1] !== at, 'resumed and updated');
  });

  it('says when the agent goes away and keeps polling; q quits with status 0', async () => {
    await agent.stop('SIGKILL');
    await waitFor(() => /\[AGENT DOWN\]/.test(screen()), 'the view to notice the agent is gone');
    expect(screen()).toMatch(/agent not answering: ECONNREFUSED \(still polling every 0\.5s; rows show the last data\)/);
    expect(rowsOf(screen())).toHaveLength(5);
    tmux('send-keys', '-t', 'top', 'q');
    await waitFor(() => /TOP-EXITED 0/.test(screen()), 'top to exit');
  });
});
