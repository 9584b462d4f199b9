/**
 * The three syslog sources in-process: framing, headers, client headers, per-port charsets, TLS, and bad input
 * (floods, over-long lines and datagrams, binary, connections closed mid-line, a channel that refuses events).
 * Header-for-header agreement with Flume is in test/integration/syslog/.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventDrivenSource } from '../../../src/core/source.js';

import { syslogTcpSource, type SyslogTcpSource } from '../../../src/components/sources/syslogtcp.js';
import { syslogUdpSource, type SyslogUdpSource } from '../../../src/components/sources/syslogudp.js';
import { multiportSyslogTcpSource, type MultiportSyslogTcpSource } from '../../../src/components/sources/multiport_syslogtcp.js';
import { configure, create, drain, memory } from '../../support/context.js';
import { processorFor } from '../rpc/helpers.js';
import type { MemoryChannel } from '../../../src/components/channels/memory.js';

const FIX = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'rpc');
let sources: EventDrivenSource[] = [];
afterEach(async () => {
  for (const s of sources) await s.stop();
  sources = [];
});

async function start<T extends EventDrivenSource>(
  spec: Parameters<typeof create>[0],
  raw: Record<string, string>,
  ch: MemoryChannel,
  failFirst = 0,
): Promise<T> {
  const s = create(spec, raw, { name: 'r1', processor: processorFor(ch, { failFirst }) }) as unknown as T;
  await s.start();
  sources.push(s);
  return s;
}

function sendTcp(port: number, data: Buffer | string, opts: { destroy?: boolean } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => {
      if (opts.destroy) s.write(data, () => s.destroy());
      else s.end(data);
    });
    s.on('close', () => resolve());
    s.on('error', reject);
    s.resume();
  });
}

async function until<T>(fn: () => Promise<T[]> | T[], n: number, acc: T[] = []): Promise<T[]> {
  const deadline = Date.now() + 10_000;
  while (acc.length < n && Date.now() < deadline) {
    acc.push(...(await fn()));
    if (acc.length < n) await new Promise((r) => setTimeout(r, 10));
  }
  return acc;
}

describe('syslogtcp', () => {
  it('parses a stream split anywhere, keeps order, adds client headers and flags over-long lines', async () => {
    const ch = memory();
    const src = await start<SyslogTcpSource>(
      syslogTcpSource,
      { host: '127.0.0.1', port: '0', eventSize: '40', clientIPHeader: 'ip', clientHostnameHeader: 'name' },
      ch,
    );
    const data =
      '<13>Jan 12 10:00:00 host one\n<14>1 2026-11-30T10:00:00Z h a - - - two\nno priority\n' +
      `<13>Jan 12 10:00:00 host ${'x'.repeat(30)}\n`;
    await sendTcp(src.boundPort!, data);
    const ev = await until(() => drain(ch), 5);
    expect(ev.map((e) => e.body.toString())).toEqual(['one', 'a - - - two', 'no priority', 'xxxxxxxxxxxxxxx', 'xxxxxxxxxxxxxxx']);
    expect(ev[0]!.headers).toMatchObject({
      Facility: '1',
      Severity: '5',
      priority: '13',
      host: 'host',
      ip: '127.0.0.1',
      name: 'localhost',
    });
    expect(ev[2]!.headers['flume.syslog.status']).toBe('Invalid');
    expect(ev[3]!.headers['flume.syslog.status']).toBe('Incomplete');
    expect(ev[4]!.headers['flume.syslog.status']).toBe('Invalid');
    expect(src.counter.get('EventAcceptedCount')).toBe(5);
  });

  it('survives a flood, binary and a connection closed mid-line; delivers the cut message', async () => {
    const ch = memory('c1', 200_000, 1000);
    const src = await start<SyslogTcpSource>(syslogTcpSource, { host: '127.0.0.1', port: '0' }, ch);
    const n = 50_000;
    const flood = Array.from({ length: n }, (_, i) => `<13>Jan 12 10:00:00 host m${i}`).join('\n') + '\n';
    const bin = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256));
    await Promise.all([
      sendTcp(src.boundPort!, flood),
      sendTcp(src.boundPort!, bin),
      sendTcp(src.boundPort!, '<13>Jan 12 10:00:00 host cut-he', { destroy: true }),
    ]);
    const ev = await until(() => drain(ch), n + 3);
    const bodies = new Set(ev.map((e) => e.body.toString('latin1')));
    for (let i = 0; i < n; i += 997) expect(bodies.has(`m${i}`)).toBe(true);
    expect(bodies.has('cut-he')).toBe(true);
    expect(ev.filter((e) => /^m\d+$/.test(e.body.toString())).length).toBe(n);
    // still serving
    await sendTcp(src.boundPort!, '<13>Jan 12 10:00:00 host after\n');
    expect((await until(() => drain(ch), 1)).map((e) => e.body.toString())).toEqual(['after']);
  });

  it('retries a batch the channel refuses instead of dropping it', async () => {
    const ch = memory();
    const src = await start<SyslogTcpSource>(syslogTcpSource, { host: '127.0.0.1', port: '0' }, ch, 3);
    await sendTcp(src.boundPort!, '<13>Jan 12 10:00:00 host a\n<13>Jan 12 10:00:00 host b\n');
    const ev = await until(() => drain(ch), 2);
    expect(ev.map((e) => e.body.toString())).toEqual(['a', 'b']);
    expect(src.counter.get('ChannelWriteFail')).toBe(3);
  });

  it('serves TLS with a PKCS12 key store', async () => {
    const ch = memory();
    const src = await start<SyslogTcpSource>(
      syslogTcpSource,
      {
        host: '127.0.0.1',
        port: '0',
        ssl: 'true',
        keystore: path.join(FIX, 'keystore.p12'),
        'keystore-password': 'changeit',
        'keystore-type': 'PKCS12',
      },
      ch,
    );
    await new Promise<void>((resolve, reject) => {
      const s = tls.connect({ port: src.boundPort!, host: '127.0.0.1', rejectUnauthorized: false }, () =>
        s.end('<13>Jan 12 10:00:00 host secret\n'),
      );
      s.on('close', () => resolve());
      s.on('error', reject);
      s.resume();
    });
    expect((await until(() => drain(ch), 1)).map((e) => e.body.toString())).toEqual(['secret']);
  });

  it('rejects bad configuration clearly', () => {
    expect(() => configure(syslogTcpSource, { port: '1' })).toThrow(/host/);
    expect(() => configure(syslogTcpSource, { host: 'h', port: '1', 'format.regex': '(' })).toThrow(/Java regex/);
    expect(() => configure(syslogTcpSource, { host: 'h', port: '1', 'format.regex': '(.*)', 'format.dateFormat': 'EEE' })).toThrow(
      /not supported/,
    );
  });
});

describe('syslogudp', () => {
  it('reads whole datagrams, every line, and carries priority over as Flume does', async () => {
    const ch = memory();
    const src = await start<SyslogUdpSource>(syslogUdpSource, { host: '127.0.0.1', port: '0', clientIPHeader: 'ip' }, ch);
    const s = dgram.createSocket('udp4');
    const send = (d: string | Buffer) => new Promise<void>((r) => s.send(d, src.boundPort!, '127.0.0.1', () => r()));
    await send('<13>1 2026-11-30T10:00:00Z host app - - - first');
    await send(`<13>Jan 12 10:00:00 host ${'y'.repeat(5000)}`);
    await send('<13>Jan 12 10:00:00 host l1\n<13>Jan 12 10:00:00 host l2\n');
    await send('no priority');
    await send(Buffer.alloc(0));
    s.close();
    const ev = await until(() => drain(ch), 5);
    expect(ev.map((e) => e.body.length)).toEqual([15, 5000, 2, 2, 11]);
    expect(ev[0]!.headers).toMatchObject({ version: '1', ip: '127.0.0.1' });
    // Flume's SyslogUtils keeps the last priority and version on an Invalid event
    expect(ev[4]!.headers).toMatchObject({ Facility: '0', Severity: '0', priority: '13', 'flume.syslog.status': 'Invalid' });
  });
});

describe('syslogudp under a flood', () => {
  it('stays up and keeps serving', async () => {
    const ch = memory('c1', 100_000, 1000);
    const src = await start<SyslogUdpSource>(syslogUdpSource, { host: '127.0.0.1', port: '0' }, ch);
    const s = dgram.createSocket('udp4');
    const junk = Buffer.from(Array.from({ length: 1400 }, (_, i) => (i * 31) % 256));
    for (let i = 0; i < 5000; i++) {
      await new Promise<void>((r) => s.send(i % 2 ? junk : `<13>Jan 12 10:00:00 host f${i}`, src.boundPort!, '127.0.0.1', () => r()));
    }
    const got = await until(() => drain(ch), 1);
    expect(got.length).toBeGreaterThan(0);
    // UDP is lossy (the kernel drops what the socket buffer cannot hold): resend until one arrives
    const more: { body: Buffer }[] = [];
    const deadline = Date.now() + 15_000;
    while (!more.some((e) => e.body.toString() === 'still-there') && Date.now() < deadline) {
      await new Promise<void>((r) => s.send('<13>Jan 12 10:00:00 host still-there', src.boundPort!, '127.0.0.1', () => r()));
      await new Promise((r) => setTimeout(r, 100));
      more.push(...(await drain(ch)));
    }
    s.close();
    expect(more.some((e) => e.body.toString() === 'still-there')).toBe(true);
  });
});

describe('multiport_syslogtcp', () => {
  it('listens on several ports with a charset per port, a port header and batches', async () => {
    const ch = memory();
    const probe = memory();
    void probe;
    const [p1, p2] = await Promise.all([freeTcpPort(), freeTcpPort()]);
    const src = await start<MultiportSyslogTcpSource>(
      multiportSyslogTcpSource,
      {
        host: '127.0.0.1',
        ports: `${p1} ${p2}`,
        portHeader: 'port',
        ['charset.port.' + p2]: 'ISO-8859-1',
        batchSize: '2',
        eventSize: '30',
      },
      ch,
    );
    expect(src.boundPorts).toEqual([p1, p2]);
    await sendTcp(
      p1,
      Buffer.concat([
        Buffer.from('<13>Jan 12 10:00:00 h caf\u00e9\n'),
        Buffer.from('<13>Jan 12 10:00:00 h \u00e9\n', 'latin1'),
        Buffer.from('\n<13>Jan 12 10:00:00 h 0123456789\n'),
      ]),
    );
    await sendTcp(p2, Buffer.from('<13>Jan 12 10:00:00 h caf\u00e9\n', 'latin1'));
    const ev = await until(() => drain(ch), 5);
    const byPort = (p: number) => ev.filter((e) => e.headers.port === String(p));
    expect(byPort(p1).map((e) => e.body.toString('latin1'))).toEqual(['caf\u00c3\u00a9', '<13>Jan 12 10:00:00 h \u00e9', '01234567', '89']);
    expect(byPort(p1)[1]!.headers).toEqual({ 'flume.syslog.status': 'Invalid', port: String(p1) });
    expect(byPort(p1)[2]!.headers['flume.syslog.status']).toBe('Incomplete');
    expect(byPort(p2).map((e) => e.body)).toEqual([Buffer.from('caf\u00e9', 'latin1')]);
    expect(byPort(p2)[0]!.headers).toMatchObject({
      Priority: '13',
      Facility: '1',
      Severity: '5',
      host: 'h',
      timestamp: expect.stringMatching(/^\d+$/),
    });
  });

  it('serves TLS on every port', async () => {
    const ch = memory();
    const port = await freeTcpPort();
    const raw = { host: '127.0.0.1', ports: String(port), ssl: 'true', keystore: path.join(FIX, 'keystore.pem'), 'keystore-type': 'PEM' };
    await start<MultiportSyslogTcpSource>(multiportSyslogTcpSource, raw, ch);
    await new Promise<void>((resolve, reject) => {
      const s = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => s.end('<13>Jan 12 10:00:00 host over tls\n'));
      s.on('close', () => resolve());
      s.on('error', reject);
      s.resume();
    });
    expect((await until(() => drain(ch), 1)).map((e) => e.body.toString())).toEqual(['over tls']);
  });

  it('checks ports and charsets at configuration', () => {
    expect(() => configure(multiportSyslogTcpSource, { ports: '1 x' })).toThrow(/ports/);
    expect(() => configure(multiportSyslogTcpSource, { ports: '1', 'charset.default': 'EBCDIC' })).toThrow(/charset/);
    expect(() => configure(multiportSyslogTcpSource, { ports: '1', 'charset.port.1': 'nope' })).toThrow(/charset/);
    expect(configure(multiportSyslogTcpSource, { ports: '1', readBufferSize: '4096' }).readBufferBytes).toBe(4096);
  });
});

function freeTcpPort(): Promise<number> {
  return new Promise((r) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => r(p));
    });
  });
}
