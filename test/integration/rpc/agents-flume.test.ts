/**
 * Whole agents, as operators deploy them: a real Flume 1.11 agent and a flume-ts agent (bin/flume-ts) joined by an
 * avro sink → avro source link, in both directions. seq source → memory → avro sink ⇒ avro source → memory → file_roll;
 * every sequence number must come out of the file_roll files once at least.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canConnect, startAgent, tmpDir, waitFor as waitForTs, type AgentProcess } from '../../support/agent-process.js';
import { freePort, portOpen, startFlumeAgent, waitFor, type FlumeAgent } from '../../support/services.js';

const N = 50_000;
let ts: AgentProcess | undefined;
let flume: FlumeAgent | undefined;
afterEach(async () => {
  await ts?.stop('SIGTERM');
  await flume?.stop(15_000);
  ts = undefined;
  flume = undefined;
});

const sender = (port: number, kind: string) => `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = seq
a1.sources.r1.totalEvents = ${N}
a1.sources.r1.batchSize = 500
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 100000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = ${kind}
a1.sinks.k1.channel = c1
a1.sinks.k1.hostname = 127.0.0.1
a1.sinks.k1.port = ${port}
a1.sinks.k1.batch-size = 500
`;

const receiver = (port: number, kind: string, dir: string) => `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = ${kind}
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 100000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${dir}
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.batchSize = 1000
`;

function seen(dir: string): Set<string> {
  const s = new Set<string>();
  for (const f of fs.readdirSync(dir)) for (const l of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) if (l) s.add(l);
  return s;
}

async function allArrived(dir: string): Promise<Set<string>> {
  let got = new Set<string>();
  await waitFor('all events in the file_roll output', async () => (got = seen(dir)).size >= N, { timeoutMs: 180_000, intervalMs: 500 });
  return got;
}

const expected = () => Array.from({ length: N }, (_, i) => String(i));

describe('agents: Flume 1.11 ⇄ flume-ts over avro and thrift', () => {
  for (const kind of ['avro', 'thrift']) {
    it(`Flume ${kind} sink → flume-ts ${kind} source (${N} seq events)`, async () => {
      const port = await freePort();
      const out = tmpDir('rpc-agents-out-');
      ts = startAgent(receiver(port, kind, out));
      await waitForTs(() => canConnect(port), 'flume-ts source port', 30_000);
      const d = tmpDir('rpc-agents-flume-');
      fs.writeFileSync(path.join(d, 'a.conf'), sender(port, kind));
      flume = startFlumeAgent({
        confFile: path.join(d, 'a.conf'),
        name: 'a1',
        heap: '256m',
        logDir: path.join(d, 'logs'),
        args: ['--no-reload-conf'],
      });
      const got = await allArrived(out);
      expect([...got].sort()).toEqual(expected().sort());
    });

    it(`flume-ts ${kind} sink → Flume ${kind} source (${N} seq events)`, async () => {
      const port = await freePort();
      const out = tmpDir('rpc-agents-out-');
      const d = tmpDir('rpc-agents-flume-');
      fs.writeFileSync(path.join(d, 'b.conf'), receiver(port, kind, out));
      flume = startFlumeAgent({
        confFile: path.join(d, 'b.conf'),
        name: 'a1',
        heap: '256m',
        logDir: path.join(d, 'logs'),
        args: ['--no-reload-conf'],
      });
      await waitFor('Flume source port', () => portOpen(port), { alive: flume.alive, timeoutMs: 90_000, logFile: flume.logFile });
      ts = startAgent(sender(port, kind));
      const got = await allArrived(out);
      expect([...got].sort()).toEqual(expected().sort());
    });
  }
});
