/**
 * Differential test: the same jms source configuration through real Apache Flume 1.11's JMSSource (Artemis JMS
 * client over CORE, JNDI via ActiveMQInitialContextFactory) and through flume-ts (AMQP 1.0), each from its own queue
 * holding the same messages (text and bytes bodies, properties, a selector that drops some). Both write with
 * file_roll + header_and_text; the events (headers as a map, body) must be the same, except the JMS_AMQP_* properties
 * Artemis adds when it converts an AMQP-sent message to CORE for Flume's JMS client (flume-ts reads the AMQP message
 * itself; a message sent with a JMS client carries none).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentProcess, startAgent, tmpDir } from '../../support/agent-process.js';
import { type FlumeAgent, type Services, startFlumeAgent, useServices } from '../../support/services.js';
import { type Outgoing, send } from './helpers.js';

let svc: Services<'artemis'>;
let flume: FlumeAgent | undefined;
let ts: AgentProcess | undefined;

beforeAll(async () => {
  svc = await useServices(['artemis']);
}, 240_000);
afterAll(async () => {
  await flume?.stop();
  await ts?.stop();
  await svc?.release();
});

const conf = (url: string, queue: string, dir: string) => `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = jms
a1.sources.r1.channels = c1
a1.sources.r1.initialContextFactory = org.apache.activemq.artemis.jndi.ActiveMQInitialContextFactory
a1.sources.r1.connectionFactory = ConnectionFactory
a1.sources.r1.providerURL = ${url}
a1.sources.r1.destinationName = ${queue}
a1.sources.r1.destinationType = QUEUE
a1.sources.r1.messageSelector = keep = true
a1.sources.r1.batchSize = 10
a1.sources.r1.pollTimeout = 200
a1.channels.c1.type = memory
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${dir}
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.serializer = header_and_text
`;

const MESSAGES: Outgoing[] = Array.from({ length: 40 }, (_, i) => ({
  body: i % 4 === 3 ? Buffer.from(`bytes ${i}`) : `text ${i} é`,
  properties: { keep: i % 5 !== 0, idx: i, name: `m${i}`, ...(i % 2 ? { odd: true } : {}) },
}));
const KEPT = MESSAGES.filter((_, i) => i % 5 !== 0).length;

/** header_and_text lines `{k=v, …} body` → sorted `k=v|…|body` strings (Java's HashMap order is not compared). */
function events(dir: string): string[] {
  const text = fs
    .readdirSync(dir)
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const m = /^\{(.*?)\} (.*)$/.exec(l);
      if (!m) return `unparsed:${l}`;
      const headers = (m[1]!.length ? m[1]!.split(', ') : []).filter((h) => !h.startsWith('JMS_AMQP_')).sort();
      return [...headers, m[2]].join('|');
    })
    .sort();
}

async function until(what: string, cond: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('jms source: flume-ts vs Apache Flume 1.11 against Artemis', () => {
  it('the same events from the same messages', async () => {
    const tag = `${process.pid}-${Date.now()}`;
    const [qF, qT] = [`diff-flume-${tag}`, `diff-ts-${tag}`];
    await send(svc.artemis.port, qF, 'queue', MESSAGES);
    await send(svc.artemis.port, qT, 'queue', MESSAGES);
    const base = tmpDir('flume-ts-jms-diff-');
    const [outF, outT] = [path.join(base, 'flume'), path.join(base, 'ts')];
    fs.mkdirSync(outF);
    fs.mkdirSync(outT);
    const flumeConf = path.join(base, 'flume.conf');
    fs.writeFileSync(flumeConf, conf(svc.artemis.url, qF, outF));
    // Flume 1.11 refuses a providerURL scheme not listed in -DJndiAllowedProtocols (default: java only)
    flume = startFlumeAgent({ confFile: flumeConf, name: 'a1', heap: '256m', props: { JndiAllowedProtocols: 'tcp' } });
    ts = startAgent(conf(svc.artemis.url, qT, outT));
    await until('flume-ts events', () => events(outT).length >= KEPT, 60_000);
    await until('Flume events', () => events(outF).length >= KEPT, 120_000);
    const f = events(outF);
    const t = events(outT);
    expect(t).toHaveLength(KEPT);
    expect(t).toEqual(f);
  }, 240_000);
});
