/**
 * The real `logger` command (util-linux) as the client of a flume-ts agent with the three syslog sources →
 * memory → file_roll (header_and_text): RFC 3164 over UDP, RFC 5424 over TCP (its microsecond fractions and
 * offsets), and RFC 5424 to the multiport source. The agent runs with TZ=UTC.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canConnect, freePort, startAgent, tmpDir, waitFor, type AgentProcess } from '../support/agent-process.js';

let agent: AgentProcess | undefined;
afterEach(async () => {
  await agent?.stop('SIGTERM');
  agent = undefined;
});

let hasLogger = true;
try {
  execFileSync('logger', ['--version'], { stdio: 'ignore' });
} catch {
  hasLogger = false;
}

const conf = (tcp: number, udp: number, multi: number, dir: string) => `a1.sources = t u m
a1.channels = c1
a1.sinks = k1
a1.sources.t.type = syslogtcp
a1.sources.t.host = 127.0.0.1
a1.sources.t.port = ${tcp}
a1.sources.t.channels = c1
a1.sources.u.type = syslogudp
a1.sources.u.host = 127.0.0.1
a1.sources.u.port = ${udp}
a1.sources.u.clientIPHeader = ip
a1.sources.u.channels = c1
a1.sources.m.type = multiport_syslogtcp
a1.sources.m.host = 127.0.0.1
a1.sources.m.ports = ${multi}
a1.sources.m.portHeader = port
a1.sources.m.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${dir}
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.serializer = header_and_text
`;

const output = (dir: string) =>
  readdirSync(dir)
    .sort()
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('')
    .split('\n')
    .filter(Boolean);

describe.skipIf(!hasLogger)('util-linux logger → syslog sources', () => {
  it('delivers what logger sends, with Facility, Severity, timestamp and host', async () => {
    const [tcp, udp, multi] = [await freePort(), await freePort(), await freePort()];
    const dir = tmpDir('syslog-logger-');
    const tz = process.env.TZ;
    process.env.TZ = 'UTC';
    agent = startAgent(conf(tcp, udp, multi, dir));
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
    await waitFor(() => canConnect(tcp), 'syslogtcp port', 30_000);
    await waitFor(() => canConnect(multi), 'multiport port', 30_000);
    const t0 = Date.now();
    const log = (...args: string[]) => execFileSync('logger', ['-n', '127.0.0.1', '-t', 'app', ...args]);
    log('-P', String(tcp), '-T', '--rfc5424', '-p', 'local3.warning', 'hello tcp rfc5424');
    log('-P', String(multi), '-T', '--rfc5424', '-p', 'user.err', 'hello multiport');
    // UDP: logger does not wait for the source; resend until one arrives
    await waitFor(
      () => {
        log('-P', String(udp), '-d', '--rfc3164', '-p', 'auth.info', 'hello udp rfc3164');
        return output(dir).some((l) => l.includes('hello udp'));
      },
      'the UDP message',
      20_000,
      200,
    );
    await waitFor(() => output(dir).length >= 3, 'three events', 20_000);
    const lines = output(dir);
    const find = (s: string) => lines.find((l) => l.includes(s))!;
    const head = (l: string) =>
      Object.fromEntries(
        l
          .slice(1, l.indexOf('} '))
          .split(', ')
          .map((kv) => kv.split('=') as [string, string]),
      );

    const t = head(find('hello tcp'));
    expect(t).toMatchObject({ Facility: '19', Severity: '4', version: '1' });
    expect(Math.abs(Number(t.timestamp) - t0)).toBeLessThan(60_000);
    expect(find('hello tcp')).toMatch(/} app (\d+|-) - \[timeQuality[^\]]*\] hello tcp rfc5424$/);

    const m = head(find('hello multiport'));
    expect(m).toMatchObject({ Priority: '11', Facility: '1', Severity: '3', Version: '1', port: String(multi) });
    expect(Math.abs(Number(m.timestamp) - t0)).toBeLessThan(60_000);

    const u = head(find('hello udp'));
    expect(u).toMatchObject({ Facility: '4', Severity: '6', ip: '127.0.0.1' });
    expect(Math.abs(Number(u.timestamp) - t0)).toBeLessThan(60_000);
    expect(find('hello udp')).toMatch(/} app(\[\d+\])?: hello udp rfc3164$/);
  });
});
