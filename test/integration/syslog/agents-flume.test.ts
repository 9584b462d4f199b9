/**
 * Whole agents fed the same bytes: a real Flume 1.11 agent and a flume-ts agent, each `<syslog source> → memory →
 * file_roll (header_and_text)`, for syslogtcp, syslogudp and multiport_syslogtcp. The corpus (corpus.ts: both RFCs,
 * broken lines, no or bad priority, non-UTF-8, over-long, fractions and offsets, many months) goes to both; the output
 * files must be equal line for line: the headers in Java's HashMap order and the bodies. Both run with TZ=UTC.
 * The documented differences (docs/syslog.md) are left out of the shared corpus and checked on flume-ts alone:
 * bodies keep non-UTF-8 bytes (compared after Flume's U+FFFD replacement), lines that crash Flume's multiport parser,
 * datagrams over 2048 bytes and datagrams with several lines.
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { canConnect, startAgent, tmpDir, waitFor as waitForTs, type AgentProcess } from '../../support/agent-process.js';
import { freePort, portOpen, startFlumeAgent, waitFor, type FlumeAgent } from '../../support/services.js';
import { corpusLines, longLine } from './corpus.js';
import { parseMessage, SyslogParseError } from '../../../src/components/sources/syslog/syslog-parser.js';

let ts: AgentProcess | undefined;
let flume: FlumeAgent | undefined;
const savedTz = process.env.TZ;
process.env.TZ = 'UTC'; // inherited by the flume-ts agent
afterEach(async () => {
  await ts?.stop('SIGTERM');
  await flume?.stop(15_000);
  ts = undefined;
  flume = undefined;
});
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

type Kind = 'syslogtcp' | 'syslogudp' | 'multiport_syslogtcp';

const conf = (kind: Kind, port: number, dir: string) => `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = ${kind}
a1.sources.r1.host = 127.0.0.1
a1.sources.r1.${kind === 'multiport_syslogtcp' ? 'ports' : 'port'} = ${port}
a1.sources.r1.clientIPHeader = clientip
a1.sources.r1.clientHostnameHeader = clienthost
${kind === 'multiport_syslogtcp' ? 'a1.sources.r1.portHeader = port\na1.sources.r1.batchSize = 50\n' : ''}a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${dir}
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.serializer = header_and_text
`;

const END = '<13>Jan 12 10:00:00 host END-OF-CORPUS';

function outputLines(dir: string): Buffer[] {
  const out: Buffer[] = [];
  for (const f of fs.readdirSync(dir).sort()) {
    const data = fs.readFileSync(path.join(dir, f));
    let start = 0;
    for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, start)) {
      out.push(data.subarray(start, nl));
      start = nl + 1;
    }
  }
  return out;
}

/** Flume's U+FFFD for bytes that are not UTF-8; the port numbers of the two agents; SyslogParser's wall-clock "-" stamps. */
function normalize(lines: Buffer[], port: number, t0: number, t1: number): string[] {
  return lines
    .map((l) => l.toString('utf8'))
    .filter((l) => !l.includes('PROBE'))
    .map((l) =>
      l
        .replace(new RegExp(`port=${port}\\b`, 'g'), 'port=P')
        .replace(/timestamp=(\d+)/, (m, v: string) => (Number(v) >= t0 - 1000 && Number(v) <= t1 + 1000 ? 'timestamp=NOW' : m)),
    );
}

function sendTcp(port: number, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(data));
    s.on('close', () => resolve());
    s.on('error', reject);
    s.resume();
  });
}

async function sendUdp(port: number, datagrams: Buffer[]): Promise<void> {
  const s = dgram.createSocket('udp4');
  for (const d of datagrams) {
    await new Promise<void>((r, j) => s.send(d, port, '127.0.0.1', (e) => (e ? j(e) : r())));
    await new Promise((r) => setImmediate(r));
  }
  s.close();
}

const has = (dir: string, text: string) => outputLines(dir).some((l) => l.includes(text));

async function startBoth(kind: Kind): Promise<{ fPort: number; tPort: number; fDir: string; tDir: string }> {
  const [fPort, tPort] = [await freePort(), await freePort()];
  const fDir = tmpDir('syslog-flume-out-');
  const tDir = tmpDir('syslog-ts-out-');
  const d = tmpDir('syslog-flume-conf-');
  fs.writeFileSync(path.join(d, 'a.conf'), conf(kind, fPort, fDir));
  flume = startFlumeAgent({
    confFile: path.join(d, 'a.conf'),
    name: 'a1',
    heap: '256m',
    logDir: path.join(d, 'logs'),
    args: ['--no-reload-conf'],
    jvmArgs: ['-Duser.timezone=UTC', '-Dfile.encoding=UTF-8'],
  });
  ts = startAgent(conf(kind, tPort, tDir));
  if (kind === 'syslogudp') {
    // UDP has no handshake: probe until each agent wrote a probe event
    for (const [port, dir] of [
      [fPort, fDir],
      [tPort, tDir],
    ] as const) {
      await waitFor(
        'udp source ready',
        async () => {
          await sendUdp(port, [Buffer.from('<13>Jan 12 10:00:00 host PROBE')]);
          await new Promise((r) => setTimeout(r, 300));
          return has(dir, 'PROBE');
        },
        { timeoutMs: 120_000, intervalMs: 200, alive: flume.alive },
      );
    }
  } else {
    await waitFor('flume syslog port', () => portOpen(fPort), { timeoutMs: 120_000, alive: flume.alive });
    await waitForTs(() => canConnect(tPort), 'flume-ts syslog port', 30_000);
  }
  return { fPort, tPort, fDir, tDir };
}

async function bothHave(dirs: string[], text: string): Promise<void> {
  await waitFor(`"${text}" in both outputs`, async () => dirs.every((d) => has(d, text)), { timeoutMs: 60_000, intervalMs: 200 });
}

const buf = (x: string | Buffer) => (typeof x === 'string' ? Buffer.from(x, 'utf8') : x);
const lines = corpusLines.map(buf);
/** Lines Flume's multiport source loses its batch on (or cuts at NUL): checked on flume-ts alone. */
function crashesMultiport(l: Buffer): boolean {
  if (l.length === 0 || l.includes(0)) return true;
  try {
    parseMessage(l.toString('utf8'), undefined);
    return false;
  } catch (err) {
    return err instanceof SyslogParseError && err.flumeCrash;
  }
}

describe('syslog sources: Flume 1.11 and flume-ts give the same events for the same bytes', () => {
  it('syslogtcp', async () => {
    const { fPort, tPort, fDir, tDir } = await startBoth('syslogtcp');
    const t0 = Date.now();
    const data = Buffer.concat([...lines, buf(longLine), buf(END)].flatMap((l) => [l, Buffer.from('\n')]));
    await Promise.all([sendTcp(fPort, data), sendTcp(tPort, data)]);
    await bothHave([fDir, tDir], 'END-OF-CORPUS');
    const want = normalize(outputLines(fDir), fPort, t0, Date.now());
    const got = normalize(outputLines(tDir), tPort, t0, Date.now());
    expect(want.length).toBeGreaterThan(lines.length);
    expect(got).toEqual(want);
    // the body keeps the received bytes where Flume has U+FFFD
    expect(outputLines(tDir).some((l) => l.includes(Buffer.from(' caf\u00e9 in latin-1', 'latin1')))).toBe(true);
  });

  it('syslogudp', async () => {
    const { fPort, tPort, fDir, tDir } = await startBoth('syslogudp');
    const t0 = Date.now();
    const grams = [...lines.filter((l) => l.length > 0 && l.length <= 2048), buf(END)];
    await Promise.all([sendUdp(fPort, grams), sendUdp(tPort, grams)]);
    await bothHave([fDir, tDir], 'END-OF-CORPUS');
    const want = normalize(outputLines(fDir), fPort, t0, Date.now());
    const got = normalize(outputLines(tDir), tPort, t0, Date.now());
    expect(want.length).toBeGreaterThan(grams.length - 5);
    expect(got).toEqual(want);
    // beyond Flume: a 3000-byte datagram is kept whole (Flume cuts it at 2048), every line of a datagram is an event
    await sendUdp(tPort, [
      buf(longLine.slice(0, 3000)),
      buf('<13>Jan 12 10:00:00 host line-one\n<13>Jan 12 10:00:00 host line-two\n'),
      buf(END.replace('END', 'END2')),
    ]);
    await bothHave([tDir], 'END2-OF-CORPUS');
    const text = outputLines(tDir).map((l) => l.toString('utf8'));
    expect(text.some((l) => l.endsWith(' ' + longLine.slice(25, 3000)))).toBe(true);
    expect(text.filter((l) => /line-(one|two)$/.test(l))).toHaveLength(2);
  });

  it('multiport_syslogtcp', async () => {
    const { fPort, tPort, fDir, tDir } = await startBoth('multiport_syslogtcp');
    const t0 = Date.now();
    const shared = [...lines.filter((l) => !crashesMultiport(l)), buf(longLine), buf(END)];
    const data = Buffer.concat(shared.flatMap((l) => [l, Buffer.from('\n')]));
    await Promise.all([sendTcp(fPort, data), sendTcp(tPort, data)]);
    await bothHave([fDir, tDir], 'END-OF-CORPUS');
    const want = normalize(outputLines(fDir), fPort, t0, Date.now());
    const got = normalize(outputLines(tDir), tPort, t0, Date.now());
    expect(want.length).toBeGreaterThan(shared.length - 5);
    expect(got).toEqual(want);
    // beyond Flume: lines its parser crashes on become Invalid events (empty lines skipped); NUL bytes are kept
    const bad = [
      buf('<13>1 2026-11-30T10:00:00.123 host app - - - fraction without zone'),
      buf(''),
      buf('<13>Jan 12 10:00:00 host a\u0000b'),
      buf(END.replace('END', 'END3')),
    ];
    await sendTcp(tPort, Buffer.concat(bad.flatMap((l) => [l, Buffer.from('\n')])));
    await bothHave([tDir], 'END3-OF-CORPUS');
    const text = outputLines(tDir).map((l) => l.toString('utf8'));
    const invalid = text.find((l) => l.endsWith('} <13>1 2026-11-30T10:00:00.123 host app - - - fraction without zone'));
    expect(invalid).toMatch(/^\{(?=.*flume\.syslog\.status=Invalid)(?=.*clientip=127\.0\.0\.1)(?=.*port=\d+)[^}]*\}/);
    expect(text.some((l) => l.endsWith(' a\u0000b'))).toBe(true);
  });
});
