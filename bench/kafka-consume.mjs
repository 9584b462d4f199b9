#!/usr/bin/env node
// The consume side alone, in-process on dist/, against the harness's real broker (started or reused): a topic is
// filled first (not measured), then the clock and the CPU count start when the first record is read, so neither the
// fill nor the group join is in the figures.
//   source:  3-partition topic of N records (100 B, keys k0…k999) → KafkaSource (batchSize 1000) → memory channel,
//            drained at once (as the kafka-source bench scenario, without the agent)
//   channel: 3-partition topic of N AvroFlumeEvent records (no headers, 100 B bodies, null keys, as StressSource →
//            Kafka channel writes them) → KafkaChannel takes of 1000 committed one after the other (the null sink's loop)
// Usage: npm run build && node bench/kafka-consume.mjs [--events N] [--only source|channel] [--compression C]
//        [--profile DIR] (a V8 CPU profile of the measured part only) [--rounds R] (repeat, same filled topics)
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startServices } from '../scripts/services/index.mjs';
import { MemoryChannel } from '../dist/components/channels/memory.js';
import { kafkaChannel } from '../dist/components/channels/kafka.js';
import { installCodecs } from '../dist/components/kafka/codecs.js';
import { encodeFlumeEvent } from '../dist/components/kafka/flume-event.js';
import { kafkajs } from '../dist/components/shared/lazy.js';
import { kafkaSource } from '../dist/components/sources/kafka.js';
import { parseComponent } from '../dist/config/component-props.js';
import { builtinRegistry } from '../dist/components/registry.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '600000' },
    only: { type: 'string' },
    compression: { type: 'string', default: 'none' },
    profile: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    requests: { type: 'boolean', default: false },
  },
});
const kafkajsLib = kafkajs();
const { CompressionTypes, Kafka, logLevel } = kafkajsLib;
installCodecs(kafkajsLib);
const N = Number(values.events);
const codec = values.compression;
const codecType =
  { none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy }[codec] ??
  { lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD }[codec];
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
const body = Buffer.alloc(100, 'x');

async function fill(what, message) {
  const topic = `bench-consume-${what}-${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const p = kafka.producer();
  await p.connect();
  for (let i = 0; i < N; i += 5000) {
    const messages = Array.from({ length: Math.min(5000, N - i) }, (_, j) => message(i + j));
    await p.send({ topic, acks: 1, compression: codecType, messages });
  }
  await p.disconnect();
  return topic;
}

let session;
async function profileStart() {
  if (!values.profile) return;
  session = new inspector.Session();
  session.connect();
  const post = (m, p) => new Promise((res, rej) => session.post(m, p, (e, r) => (e ? rej(e) : res(r))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
}
async function profileStop(name) {
  if (!session) return;
  const r = await new Promise((res, rej) => session.post('Profiler.stop', (e, x) => (e ? rej(e) : res(x))));
  fs.mkdirSync(values.profile, { recursive: true });
  const file = path.join(values.profile, `${name}-${Date.now()}.cpuprofile`);
  fs.writeFileSync(file, JSON.stringify(r.profile));
  session.disconnect();
  session = undefined;
  process.stderr.write(`[bench] profile ${file}\n`);
}

/** Counts the consumer's requests by API (--requests). */
const requestCounts = {};
function countRequests(consumer) {
  if (!values.requests || !consumer || consumer.__counted) return;
  consumer.__counted = true;
  consumer.on(consumer.events.REQUEST, (e) => {
    const k = e.payload.apiName;
    const c = (requestCounts[k] ??= { n: 0, ms: 0 });
    c.n++;
    c.ms += e.payload.duration;
  });
}

/** Measures from the first event to the last. */
function clock() {
  let t0;
  let c0;
  return {
    first() {
      if (t0 !== undefined) return;
      t0 = process.hrtime.bigint();
      c0 = process.cpuUsage();
    },
    done(what, n) {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = process.cpuUsage(c0);
      return {
        what,
        events: n,
        seconds: +s.toFixed(2),
        eventsPerSec: Math.round(n / s),
        cpuMicrosPerEvent: +((cpu.user + cpu.system) / n).toFixed(2),
      };
    },
  };
}

async function benchSource(topic) {
  const ch = new MemoryChannel('c1', {
    capacity: 100_000,
    transactionCapacity: 10_000,
    keepAliveSeconds: 3,
    byteCapacity: Infinity,
    byteCapacityBufferPercentage: 20,
  });
  await ch.start();
  let got = 0;
  const c = clock();
  const processor = {
    maxBatchSize: 1000,
    async processEvent(e) {
      return this.processEventBatch([e]);
    },
    async processEventBatch(events) {
      c.first();
      const tx = ch.begin();
      tx.putAll(events);
      await tx.commit();
      const t = ch.begin();
      got += (await t.take(events.length)).length;
      await t.commit();
    },
  };
  const group = `${topic}-${Date.now()}`;
  const raw = {
    'kafka.bootstrap.servers': bootstrap,
    'kafka.topics': topic,
    'kafka.consumer.group.id': group,
    'kafka.consumer.auto.offset.reset': 'earliest',
  };
  const src = make(kafkaSource, raw, { processor });
  await profileStart();
  await src.start();
  countRequests(src.consumer);
  while (got < N) await new Promise((r) => setTimeout(r, 5));
  const result = c.done(`source ${codec}`, got);
  await profileStop('source');
  await src.stop();
  return result;
}

async function benchChannel(topic) {
  const raw = {
    'kafka.bootstrap.servers': bootstrap,
    'kafka.topic': topic,
    'kafka.consumer.group.id': `${topic}-${Date.now()}`,
    parseAsFlumeEvent: 'true',
  };
  const ch = make(kafkaChannel, raw, {});
  await ch.start();
  let got = 0;
  const c = clock();
  await profileStart();
  while (got < N) {
    await ch.waitForEvents(500);
    const tx = ch.begin();
    const events = await tx.take(1000);
    if (events.length > 0) c.first();
    countRequests(ch.consumer);
    got += events.length;
    await tx.commit();
  }
  const result = c.done(`channel takes (parseAsFlumeEvent) ${codec}`, got);
  await profileStop('channel');
  await ch.stop();
  return result;
}

const only = values.only;
const srcTopic = only !== 'channel' ? await fill('source', (i) => ({ key: `k${i % 1000}`, value: body })) : undefined;
const flumeValue = encodeFlumeEvent({ headers: {}, body });
const chTopic = only !== 'source' ? await fill('channel', () => ({ key: null, value: flumeValue })) : undefined;
const results = [];
for (let r = 0; r < Number(values.rounds); r++) {
  if (srcTopic) results.push(await benchSource(srcTopic));
  if (chTopic) results.push(await benchChannel(chTopic));
}
console.table(results);
if (values.requests) console.table(requestCounts);
const os = await import('node:os');
console.log(
  `load average ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
process.exit(0);
