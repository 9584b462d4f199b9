/**
 * Whole agents (`bin/flume-ts agent`, needs `npm run build`) with the Kafka components against the real broker:
 * a clean run delivers each message once (to Kafka and to file_roll); two agents in one group split the partitions and the survivor takes over
 * when one is SIGKILLed; an agent on a Kafka channel SIGKILLed mid-stream and restarted loses nothing.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { ROOT, startAgent, type AgentProcess } from '../../support/agent-process.js';
import { useServices, type Services } from '../../support/services.js';
import { client, createTopic, produce, readTopic, sleep, uniqueName, until } from './helpers.js';

const agents: AgentProcess[] = [];
function agent(conf: string): AgentProcess {
  const a = startAgent(conf, ['-Dflume.root.logger=INFO,console']);
  agents.push(a);
  return a;
}

describe('agents with Kafka components (bin/flume-ts)', () => {
  let svc: Services<'kafka'>;
  let kafka: Kafka;
  beforeAll(async () => {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js')))
      execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
    svc = await useServices(['kafka']);
    kafka = client(svc.kafka.brokers);
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop('SIGKILL');
  });
  afterAll(async () => {
    await svc?.release();
  });

  const sourceConf = (topic: string, group: string) => `
a1.sources.r1.type = org.apache.flume.source.kafka.KafkaSource
a1.sources.r1.kafka.bootstrap.servers = ${svc.kafka.bootstrap}
a1.sources.r1.kafka.topics = ${topic}
a1.sources.r1.kafka.consumer.group.id = ${group}
a1.sources.r1.kafka.consumer.auto.offset.reset = earliest
a1.sources.r1.kafka.consumer.session.timeout.ms = 8000
a1.sources.r1.kafka.consumer.heartbeat.interval.ms = 1000
a1.sources.r1.batchSize = 500
a1.sources.r1.channels = c1
`;
  const sinkConf = (topic: string) => `
a1.sinks.k1.type = org.apache.flume.sink.kafka.KafkaSink
a1.sinks.k1.kafka.bootstrap.servers = ${svc.kafka.bootstrap}
a1.sinks.k1.kafka.topic = ${topic}
a1.sinks.k1.kafka.producer.acks = all
a1.sinks.k1.flumeBatchSize = 500
a1.sinks.k1.allowTopicOverride = false
a1.sinks.k1.channel = c1
`;
  const memoryAgent = (inT: string, outT: string, group: string) => `
a1.sources = r1
a1.channels = c1
a1.sinks = k1
${sourceConf(inT, group)}
a1.channels.c1.type = memory
a1.channels.c1.capacity = 100000
a1.channels.c1.transactionCapacity = 1000
${sinkConf(outT)}
`;

  it('Kafka source → memory → Kafka sink delivers every message of a 3-partition topic once', async () => {
    const inT = uniqueName('ag-in');
    const outT = uniqueName('ag-out');
    await createTopic(kafka, inT, 3);
    await createTopic(kafka, outT, 3);
    const N = 5000;
    await produce(
      kafka,
      inT,
      Array.from({ length: N }, (_, i) => ({ key: `k${i}`, value: `m${i}` })),
    );
    const a = agent(memoryAgent(inT, outT, uniqueName('g')));
    const out = await readTopic(kafka, outT, N, 90_000);
    expect(out.length).toBe(N);
    expect(new Set(out.map((r) => r.value.toString())).size).toBe(N);
    // the key header became the record key again
    expect(out.every((r) => r.key === `k${r.value.toString().slice(1)}`)).toBe(true);
    await a.stop('SIGTERM');
    expect(a.stderr()).not.toMatch(/"level":50/);
  });

  it('Kafka source → memory → file_roll writes every message of a 3-partition topic once', async () => {
    const inT = uniqueName('ag-fr');
    await createTopic(kafka, inT, 3);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-file-roll-'));
    const N = 5000;
    await produce(
      kafka,
      inT,
      Array.from({ length: N }, (_, i) => ({ key: `k${i % 13}`, value: `line-${i}` })),
    );
    const a = agent(`
a1.sources = r1
a1.channels = c1
a1.sinks = k1
${sourceConf(inT, uniqueName('g'))}
a1.channels.c1.type = memory
a1.channels.c1.capacity = 100000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${dir}
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.batchSize = 1000
`);
    const lines = () => fs.readdirSync(dir).flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean));
    expect(await until(() => lines().length >= N, 90_000)).toBe(true);
    await a.stop('SIGTERM');
    const got = lines();
    expect(got.length).toBe(N);
    expect(new Set(got).size).toBe(N);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('two agents in one group split the partitions; SIGKILL one, the other takes over; nothing lost', async () => {
    const inT = uniqueName('ag2-in');
    const outT = uniqueName('ag2-out');
    await createTopic(kafka, inT, 3);
    await createTopic(kafka, outT, 3);
    const group = uniqueName('g');
    const a = agent(memoryAgent(inT, outT, group));
    const b = agent(memoryAgent(inT, outT, group));
    // the group settles on both members: last assignments disjoint, non-empty, together all three partitions
    const lastAssignment = (x: AgentProcess): number[] => {
      const lines = x
        .stderr()
        .split('\n')
        .filter((l) => l.includes('partitions assigned'));
      return lines.length === 0 ? [] : ((JSON.parse(lines[lines.length - 1]!).assignment[inT] ?? []) as number[]);
    };
    const split = () => {
      const [pa, pb] = [lastAssignment(a), lastAssignment(b)];
      return pa.length > 0 && pb.length > 0 && [...pa, ...pb].sort().join() === '0,1,2';
    };
    expect(await until(split, 60_000)).toBe(true);
    let i = 0;
    const wave = (n: number) =>
      produce(
        kafka,
        inT,
        Array.from({ length: n }, () => ({ value: `m${i++}` })),
      );
    await wave(2000);
    expect(await until(async () => (await readTopic(kafka, outT, 2000, 5000)).length >= 2000, 60_000)).toBe(true);
    expect(split()).toBe(true); // no rebalance while both were running
    await b.stop('SIGKILL');
    await wave(3000);
    const out = await readTopic(kafka, outT, 5000, 90_000);
    const values = new Set(out.map((r) => r.value.toString()));
    for (let k = 0; k < i; k++) expect(values.has(`m${k}`)).toBe(true);
    // a took over every partition after the kill (assignment logged with all three)
    expect(a.stderr()).toMatch(new RegExp(`"${inT}":\\[0,1,2\\]`));
  });

  it('Kafka channel: SIGKILL the agent mid-stream and restart; nothing lost', async () => {
    const inT = uniqueName('agc-in');
    const chT = uniqueName('agc-ch');
    const outT = uniqueName('agc-out');
    for (const t of [inT, chT, outT]) await createTopic(kafka, t, 3);
    const conf = `
a1.sources = r1
a1.channels = c1
a1.sinks = k1
${sourceConf(inT, uniqueName('gs'))}
a1.channels.c1.type = org.apache.flume.channel.kafka.KafkaChannel
a1.channels.c1.kafka.bootstrap.servers = ${svc.kafka.bootstrap}
a1.channels.c1.kafka.topic = ${chT}
a1.channels.c1.kafka.consumer.group.id = ${uniqueName('gc')}
a1.channels.c1.kafka.consumer.session.timeout.ms = 8000
a1.channels.c1.kafka.consumer.heartbeat.interval.ms = 1000
${sinkConf(outT)}
a1.sinks.k1.flumeBatchSize = 100
`;
    const N = 6000;
    let a = agent(conf);
    // stream in while the agent runs, kill it in the middle
    await produce(
      kafka,
      inT,
      Array.from({ length: 2000 }, (_, i) => ({ value: `m${i}` })),
    );
    expect(await until(async () => (await readTopic(kafka, outT, 500, 3000)).length >= 500, 60_000)).toBe(true);
    const feed = produce(
      kafka,
      inT,
      Array.from({ length: N - 2000 }, (_, i) => ({ value: `m${2000 + i}` })),
      100,
    );
    await sleep(300);
    await a.stop('SIGKILL');
    await feed;
    a = agent(conf);
    const out = await readTopic(kafka, outT, N, 120_000);
    const values = new Set(out.map((r) => r.value.toString()));
    expect(values.size).toBe(N);
  });
});
