/** A private ngircd (Debian's IRC server) on 127.0.0.1 for the irc sink's tests, and a client that records PRIVMSGs. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { canConnect, freePort, tmpDir, waitFor } from './agent-process.js';

export const NGIRCD = ['/usr/sbin/ngircd', '/usr/bin/ngircd'].find((p) => fs.existsSync(p));

export interface Ircd {
  port: number;
  stop(): Promise<void>;
}

export async function startIrcd(opts: { password?: string } = {}): Promise<Ircd> {
  if (!NGIRCD) throw new Error('ngircd is not installed (apt-get install ngircd; .ci/run does it)');
  const dir = tmpDir('ngircd-');
  const port = await freePort();
  const conf = path.join(dir, 'ngircd.conf');
  fs.writeFileSync(
    conf,
    `[Global]
Name = irc.flume-ts.test
Info = flume-ts test server
Listen = 127.0.0.1
Ports = ${port}
MotdPhrase = flume-ts test
PidFile = ${dir}/ngircd.pid
${opts.password ? `Password = ${opts.password}\n` : ''}[Limits]
MaxConnectionsIP = 0
MaxNickLength = 30
PingTimeout = 120
PongTimeout = 60
[Options]
DNS = no
Ident = no
PAM = no
SyslogFacility = local7
`,
  );
  const child: ChildProcess = spawn(NGIRCD, ['--nodaemon', '--config', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await waitFor(() => canConnect(port), `ngircd on 127.0.0.1:${port}`, 20_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${log}`);
  }
  return {
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface Watcher {
  /** PRIVMSGs seen in the channel: sender nick and text, in arrival order */
  messages: Array<{ from: string; text: string }>;
  /** raw lines the server sent about other users (JOIN, QUIT …) */
  events: string[];
  close(): void;
}

/** Connects as `nick`, joins #chan and records what is said there. Resolves once it has joined. */
export function watch(port: number, nick: string, chan: string, password?: string): Promise<Watcher> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const w: Watcher = { messages: [], events: [], close: () => s.destroy() };
    let buf = '';
    s.setEncoding('utf8');
    s.on('error', reject);
    s.on('connect', () => s.write(`${password ? `PASS ${password}\r\n` : ''}NICK ${nick}\r\nUSER ${nick} 0 * :${nick}\r\n`));
    s.on('data', (d: string) => {
      buf += d;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        const m = /^:([^! ]+)\S* (\S+) ?(.*)$/.exec(line);
        if (line.startsWith('PING')) s.write(`PONG ${line.slice(5)}\r\n`);
        else if (m?.[2] === '001') s.write(`JOIN #${chan}\r\n`);
        else if (m?.[2] === '366')
          resolve(w); // end of NAMES: joined
        else if (m?.[2] === 'PRIVMSG') w.messages.push({ from: m[1]!, text: m[3]!.slice(m[3]!.indexOf(' :') + 2) });
        else if (m) w.events.push(line);
      }
    });
  });
}
