#!/usr/bin/env node
// Kafka source and sink throughput against the harness's real broker (started or reused), in-process on dist/:
//   sink:   memory channel (N events, 100-byte bodies, a key header on each) → KafkaSink (flumeBatchSize 1000), acks 1 and all
//   source: topic with N records on 3 partitions → KafkaSource (batchSize 1000) → memory channel, drained concurrently
// Reports wall-clock events/s and this process's CPU µs per event (the broker's CPU not included).
// Usage: npm run build && node bench/kafka.mjs [--events N] [--compression none|gzip|snappy|lz4|zstd]
import { parseArgs } from 'node:util';
import { kafkajs } from '../dist/components/shared/lazy.js';
import { installCodecs } from '../dist/components/kafka/codecs.js';
import { startServices } from '../scripts/services/index.mjs';
import { MemoryChannel } from '../dist/components/channels/memory.js';
import { kafkaSink } from '../dist/components/sinks/kafka.js';
import { kafkaSource } from '../dist/components/sources/kafka.js';
import { parseComponent } from '../dist/config/component-props.js';
import { builtinRegistry } from '../dist/components/registry.js';
import { pino } from 'pino';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '300000' }, compression: { type: 'string', default: 'none' } },
});
// through the components' loader, so that kafkajs runs with the fast paths the agent uses (kafkajs-fast.ts)
const kafkajsLib = kafkajs();
const { CompressionTypes, Kafka, logLevel } = kafkajsLib;
const N = Number(values.events);
const codec = values.compression;
const codecType = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
}[codec];
installCodecs(kafkajsLib);
const { services } = await startServices(['kafka']);
const bootstrap = services.kafka.urls.bootstrap;
const kafka = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });
const logger = pino({ level: 'silent' });
const at = { file: 'bench', line: 1, col: 1 };
const make = (spec, raw, ctx) => {
  const m = new Map(Object.entries(raw).map(([k, v]) => [k, { key: k, fullKey: k, value: v, keyAt: at, valueAt: at }]));
  const r = parseComponent(spec, m, { label: spec.type });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return spec.create(r.config, { name: 'x', agent: 'a1', logger, raw, registry: builtinRegistry(), ...ctx });
};
const memory = () =>
  new MemoryChannel('c1', {
    capacity: N + 1,
    transactionCapacity: 1000,
    keepAliveSeconds: 3,
    byteCapacity: Infinity,
    byteCapacityBufferPercentage: 20,
  });
const body = Buffer.alloc(100, 'x');
const topicName = (p) => `bench-${p}-${Date.now()}`;
async function createTopic(topic) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
}

async function benchSink(acks) {
  const topic = topicName('sink');
  await createTopic(topic);
  const ch = memory();
  await ch.start();
  for (let i = 0; i < N; i += 1000) {
    const tx = ch.begin();
    for (let j = i; j < Math.min(N, i + 1000); j++) tx.put({ headers: { key: `k${j % 1000}` }, body });
    await tx.commit();
  }
  const sink = make(
    kafkaSink,
    {
      'kafka.bootstrap.servers': bootstrap,
      'kafka.topic': topic,
      flumeBatchSize: '1000',
      'kafka.producer.acks': acks,
      'kafka.producer.compression.type': codec,
    },
    { channel: ch },
  );
  await sink.start();
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  while (ch.size() > 0) await sink.process();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  await sink.stop();
  return {
    what: `sink acks=${acks} ${codec}`,
    events: N,
    seconds: +s.toFixed(2),
    eventsPerSec: Math.round(N / s),
    cpuMicrosPerEvent: +((cpu.user + cpu.system) / N).toFixed(1),
  };
}

async function benchSource() {
  const topic = topicName('source');
  await createTopic(topic);
  const p = kafka.producer();
  await p.connect();
  for (let i = 0; i < N; i += 5000) {
    await p.send({
      topic,
      acks: 1,
      compression: codecType,
      messages: Array.from({ length: Math.min(5000, N - i) }, (_, j) => ({ key: `k${(i + j) % 1000}`, value: body })),
    });
  }
  await p.disconnect();
  const ch = memory();
  await ch.start();
  let got = 0;
  const processor = {
    maxBatchSize: 1000,
    async processEvent(e) {
      return this.processEventBatch([e]);
    },
    async processEventBatch(events) {
      const tx = ch.begin();
      tx.putAll(events);
      await tx.commit();
      const t = ch.begin();
      got += (await t.take(events.length)).length;
      await t.commit();
    },
  };
  const src = make(
    kafkaSource,
    {
      'kafka.bootstrap.servers': bootstrap,
      'kafka.topics': topic,
      'kafka.consumer.group.id': topic,
      'kafka.consumer.auto.offset.reset': 'earliest',
    },
    { processor },
  );
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  await src.start();
  while (got < N) await new Promise((r) => setTimeout(r, 20));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  await src.stop();
  return {
    what: `source (incl. group join) ${codec}`,
    events: N,
    seconds: +s.toFixed(2),
    eventsPerSec: Math.round(N / s),
    cpuMicrosPerEvent: +((cpu.user + cpu.system) / N).toFixed(1),
  };
}

// FLUME_TS_BENCH_ONLY=source|sink: one part only (for a CPU profile of it)
const only = process.env.FLUME_TS_BENCH_ONLY;
const results = [];
if (only !== 'source') results.push(await benchSink('1'), await benchSink('all'));
if (only !== 'sink') results.push(await benchSource());
console.table(results);
console.log(
  `load average ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
process.exit(0);
