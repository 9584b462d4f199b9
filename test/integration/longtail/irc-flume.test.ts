/**
 * irc sink, differential: real Flume 1.11's IRCSink and flume-ts's, same config (netcat → memory → irc, splitlines
 * with a regex), the same lines sent to each; a watcher on a real ngircd (127.0.0.1) records what each nick says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, sendLines } from '../../support/agent-process.js';
import { startIrcd, watch, type Ircd, type Watcher } from '../../support/ircd.js';
import { runFlume, runTs, waitFor, type Running } from './helpers.js';

let ircd: Ircd;
let watcher: Watcher;
const running: Running[] = [];
beforeAll(async () => {
  ircd = await startIrcd({ password: 's3cret' });
  watcher = await watch(ircd.port, 'watcher', 'logs', 's3cret');
});
afterAll(async () => {
  for (const r of running) await r.stop();
  watcher?.close();
  await ircd?.stop();
});

const conf = (port: number, nick: string) => `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = irc
a1.sinks.k1.channel = c1
a1.sinks.k1.hostname = 127.0.0.1
a1.sinks.k1.port = ${ircd.port}
a1.sinks.k1.password = s3cret
a1.sinks.k1.nick = ${nick}
a1.sinks.k1.user = ${nick}u
a1.sinks.k1.name = Flume ${nick}
a1.sinks.k1.chan = logs
a1.sinks.k1.splitlines = true
a1.sinks.k1.splitchars = \\\\|
`;

const LINES = ['plain line', 'a|b||', '|lead', 'k=v x=y'];

async function say(impl: 'flume' | 'ts', nick: string): Promise<string[]> {
  const port = await freePort();
  const r = impl === 'flume' ? await runFlume(conf(port, nick), port) : await runTs(conf(port, nick), port);
  running.push(r);
  for (const l of LINES) expect(await sendLines(port, [l])).toEqual(['OK']);
  const mine = () => watcher.messages.filter((m) => m.from === nick).map((m) => m.text);
  await waitFor(`${impl}: 6 messages from ${nick}`, async () => mine().length >= 6, { timeoutMs: 60_000 });
  await new Promise((res) => setTimeout(res, 500)); // no extra messages
  return mine();
}

describe('irc sink: flume-ts vs Flume 1.11 on ngircd', () => {
  it('same messages in #chan (PASS, splitlines with a regex, leading empty part kept, trailing dropped)', async () => {
    const flume = await say('flume', 'flumejava');
    const ts = await say('ts', 'flumets');
    expect(flume).toEqual(['plain line', 'a', 'b', '', 'lead', 'k=v x=y']);
    expect(ts).toEqual(flume);
  });
});
