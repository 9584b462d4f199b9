// Kafka side-by-side scenarios (Apache Flume 1.11 vs flume-ts) against the harness's running broker
// (`npm run services -- start kafka` first; `npm run bench -- all` starts it). Topics are made per replicate (3
// partitions) with kafkajs' admin client; the source scenario's topic is filled once per bench run and read by every
// replicate under its own consumer group.
import path from 'node:path';
import { liveService } from '../scripts/services/lib.mjs';

/** @typedef {{ port: number, outDir: string, dataDir: string, lineSize: number }} Ctx */

/**
 * Records in the source scenario's topic (100-byte values, keys k0…k999). 6 M: the 10–90 % window lasts about 6 s for
 * flume-ts and 10–12 s for Flume on a quiet machine (with 1.5 M it was 1.5–3 s, mostly JIT warm-up for both agents,
 * and the ratio moved between 1.36× and 1.99× from one run to the next).
 */
export const SOURCE_RECORDS = Number(process.env.FLUME_TS_BENCH_KAFKA_RECORDS ?? 6_000_000);

export function bootstrap() {
  const k = liveService('kafka');
  if (!k) throw new Error('kafka scenarios need a running broker: npm run services -- start kafka');
  return k.urls.bootstrap;
}

/** A name unique to the replicate (its run directory). @param {Ctx} c @param {string} what */
const runName = (c, what) => `bench-${what}-${path.basename(path.dirname(c.outDir)).replace(/[^A-Za-z0-9_-]/g, '_')}-${process.pid}`;

let kafkaLib;
async function admin() {
  kafkaLib ??= await import('kafkajs');
  const { Kafka, logLevel } = kafkaLib.default ?? kafkaLib;
  return new Kafka({ clientId: 'bench', brokers: [bootstrap()], logLevel: logLevel.NOTHING });
}

/** Runs `fn` with a connected admin client. @param {(a: import('kafkajs').Admin) => Promise<unknown>} fn */
async function withAdmin(fn) {
  const a = (await admin()).admin();
  await a.connect();
  try {
    await fn(a);
  } finally {
    await a.disconnect();
  }
}

/** @param {string} topic */
const createTopic = (topic) =>
  withAdmin((a) => a.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true }));

/**
 * Deletes a replicate's topic. Each sink/channel replicate writes several GiB (33 GiB over the six Kafka rows of one
 * `all` run): kept, they made the broker's log flushes and the page cache grow through the run, so later rows measured
 * a busier broker than earlier ones (the same raw-channel agent: 406 k events/s late in a run, 546–699 k on a fresh broker).
 * @param {string} topic
 */
const deleteTopic = (topic) => withAdmin((a) => a.deleteTopics({ topics: [topic], timeout: 30_000 }));

/**
 * A fresh 3-partition topic per replicate, made before the agent starts and deleted after it stopped.
 * @param {string} what
 */
const topicPerReplicate = (what) => ({
  prepare: async (/** @type {Ctx} */ c) => createTopic(runName(c, what)),
  cleanup: async (/** @type {Ctx} */ c) => deleteTopic(runName(c, what)),
});

let filled;
/** The source scenario's topic, filled once per bench run (acks 1, batches of FILL_BATCH, no compression). */
const FILL_BATCH = 10_000;
async function sourceTopic() {
  if (filled) return filled;
  const topic = `bench-source-${Date.now()}-${process.pid}`;
  await createTopic(topic);
  const p = (await admin()).producer();
  await p.connect();
  const body = Buffer.alloc(100, 'x');
  const t0 = Date.now();
  // four sends in flight (one at a time took 19 s for 1.5 M records)
  let next = 0;
  const sender = async () => {
    while (next < SOURCE_RECORDS) {
      const i = next;
      const n = Math.min(FILL_BATCH, SOURCE_RECORDS - i);
      next += n;
      await p.send({ topic, acks: 1, messages: Array.from({ length: n }, (_, j) => ({ key: `k${(i + j) % 1000}`, value: body })) });
    }
  };
  await Promise.all([sender(), sender(), sender(), sender()]);
  await p.disconnect();
  process.stderr.write(`[bench] filled ${topic} with ${SOURCE_RECORDS} records in ${Date.now() - t0} ms\n`);
  filled = topic;
  return topic;
}

const header = ['a1.sources = r1', 'a1.channels = c1', 'a1.sinks = k1', ''];
const stress = [
  'a1.sources.r1.type = org.apache.flume.source.StressSource',
  'a1.sources.r1.size = 100',
  'a1.sources.r1.batchSize = 1000',
  'a1.sources.r1.channels = c1',
  '',
];
const memory = ['a1.channels.c1.type = memory', 'a1.channels.c1.capacity = 100000', 'a1.channels.c1.transactionCapacity = 10000', ''];
const nullSink = ['a1.sinks.k1.type = null', 'a1.sinks.k1.batchSize = 1000', 'a1.sinks.k1.channel = c1', ''];

/** StressSource → memory → Kafka sink. @param {Ctx} c @param {string} acks */
function sinkConfig(c, acks) {
  return [
    ...header,
    ...stress,
    ...memory,
    'a1.sinks.k1.type = org.apache.flume.sink.kafka.KafkaSink',
    `a1.sinks.k1.kafka.bootstrap.servers = ${bootstrap()}`,
    `a1.sinks.k1.kafka.topic = ${runName(c, 'sink')}`,
    'a1.sinks.k1.flumeBatchSize = 1000',
    `a1.sinks.k1.kafka.producer.acks = ${acks}`,
    'a1.sinks.k1.channel = c1',
    '',
  ].join('\n');
}

/** Kafka source → memory → null, reading the filled topic from its start under a fresh group. @param {Ctx} c @param {string} topic */
function sourceConfig(c, topic) {
  return [
    ...header,
    'a1.sources.r1.type = org.apache.flume.source.kafka.KafkaSource',
    `a1.sources.r1.kafka.bootstrap.servers = ${bootstrap()}`,
    `a1.sources.r1.kafka.topics = ${topic}`,
    `a1.sources.r1.kafka.consumer.group.id = ${runName(c, 'group')}`,
    'a1.sources.r1.kafka.consumer.auto.offset.reset = earliest',
    'a1.sources.r1.batchSize = 1000',
    'a1.sources.r1.channels = c1',
    '',
    ...memory,
    ...nullSink,
  ].join('\n');
}

/** StressSource → Kafka channel → null. @param {Ctx} c @param {{ parse: boolean, acks?: string }} o */
function channelConfig(c, o) {
  return [
    ...header,
    ...stress,
    'a1.channels.c1.type = org.apache.flume.channel.kafka.KafkaChannel',
    `a1.channels.c1.kafka.bootstrap.servers = ${bootstrap()}`,
    `a1.channels.c1.kafka.topic = ${runName(c, 'channel')}`,
    `a1.channels.c1.kafka.consumer.group.id = ${runName(c, 'group')}`,
    `a1.channels.c1.parseAsFlumeEvent = ${o.parse}`,
    ...(o.acks ? [`a1.channels.c1.kafka.producer.acks = ${o.acks}`] : []),
    '',
    ...nullSink,
  ].join('\n');
}

/** The source scenario's topic name, set by its `prepare`. */
let currentSourceTopic = '';

export const KAFKA_GROUPS = {
  kafka: ['kafka-sink-1', 'kafka-sink-all', 'kafka-source', 'kafka-channel', 'kafka-channel-raw', 'kafka-channel-1'],
};

export const KAFKA_SCENARIOS = {
  'kafka-sink-1': {
    description:
      'StressSource (100-byte bodies, batchSize 1000) → memory (100000/10000) → Kafka sink (flumeBatchSize 1000, acks=1, a fresh 3-partition topic), the harness broker',
    load: { kind: 'self', lineSize: 100 },
    batch: 1000,
    noFsync: true,
    ...topicPerReplicate('sink'),
    config: (/** @type {Ctx} */ c) => sinkConfig(c, '1'),
    verify: 'counters',
  },
  'kafka-sink-all': {
    description: 'kafka-sink-1 with kafka.producer.acks = all',
    load: { kind: 'self', lineSize: 100 },
    batch: 1000,
    noFsync: true,
    ...topicPerReplicate('sink'),
    config: (/** @type {Ctx} */ c) => sinkConfig(c, 'all'),
    verify: 'counters',
  },
  'kafka-source': {
    description: `Kafka source (batchSize 1000, a fresh group, earliest) → memory (100000/10000) → null (batchSize 1000), draining one 3-partition topic of ${SOURCE_RECORDS.toLocaleString('en-US')} records of 100 B (keys k0…k999, filled once per run); rate between 10 % and 90 % of the records (group join excluded)`,
    load: { kind: 'drain', lineSize: 100 },
    batch: 1000,
    corpusLines: SOURCE_RECORDS,
    prepare: async () => {
      currentSourceTopic = await sourceTopic();
    },
    config: (/** @type {Ctx} */ c) => sourceConfig(c, currentSourceTopic),
    verify: 'counters',
  },
  'kafka-channel': {
    description:
      'StressSource (100-byte bodies, batchSize 1000) → Kafka channel (defaults: parseAsFlumeEvent=true, acks=all; a fresh 3-partition topic) → null (batchSize 1000)',
    load: { kind: 'self', lineSize: 100 },
    batch: 1000,
    noFsync: true,
    ...topicPerReplicate('channel'),
    config: (/** @type {Ctx} */ c) => channelConfig(c, { parse: true }),
    verify: 'counters',
  },
  'kafka-channel-raw': {
    description: 'kafka-channel with parseAsFlumeEvent = false (bare bodies in the topic)',
    load: { kind: 'self', lineSize: 100 },
    batch: 1000,
    noFsync: true,
    ...topicPerReplicate('channel'),
    config: (/** @type {Ctx} */ c) => channelConfig(c, { parse: false }),
    verify: 'counters',
  },
  'kafka-channel-1': {
    description: 'kafka-channel with kafka.producer.acks = 1',
    load: { kind: 'self', lineSize: 100 },
    batch: 1000,
    noFsync: true,
    ...topicPerReplicate('channel'),
    config: (/** @type {Ctx} */ c) => channelConfig(c, { parse: true, acks: '1' }),
    verify: 'counters',
  },
};
