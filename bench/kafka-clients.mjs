#!/usr/bin/env node
// Kafka client comparison at the client level (no agent, no channel, no Flume headers/Avro), against the harness broker:
//   produce-1 / produce-all: N records of 100 B (keys k0..k999, murmur2 partitioning) into a new 3-partition topic,
//     sent in batches of 1000 and each batch awaited (all acknowledged) before the next, as the Kafka sinks do;
//   consume: a fresh consumer group reads N records of 100 B from one pre-filled 3-partition topic, from the earliest
//     offsets, with auto-commit off and the explicit offsets committed (awaited) after each batch of at most 1000,
//     as the Kafka sources do after their channel commit.
// Clients: kafkajs (configured as src/components/sinks/kafka.ts and sources/kafka.ts configure it), node-rdkafka
// (librdkafka binding), @platformatic/kafka, and Kafka's Java client 2.7.2 (the jar Flume 1.11 ships, from the harness's
// Maven artefacts; bench/java/KafkaClientBench.java). Each run is a fresh child process; replicates are interleaved
// (client order rotates every round). Reported per run: events/s (wall clock of the measured phase), CPU ms of the
// client process per 1000 events (user+sys, measured phase), peak RSS of the client process; the load average with it.
//
// Usage: npm run build && node bench/kafka-clients.mjs [--events 200000] [--replicates 3]
//          [--clients kafkajs,rdkafka,platformatic,java] [--ops produce-1,produce-all,consume]
//          [--rdkafka-dir DIR] [--platformatic-dir DIR] [--out bench/results/FILE.md]
// --rdkafka-dir / --platformatic-dir: a directory whose node_modules holds node-rdkafka / @platformatic/kafka (they are
// not dependencies of flume-ts; see docs/kafka-clients.md for how they were installed and built).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const { values: opt } = parseArgs({
  options: {
    worker: { type: 'string' },
    bootstrap: { type: 'string' },
    topic: { type: 'string' },
    group: { type: 'string' },
    events: { type: 'string', default: '200000' },
    replicates: { type: 'string', default: '3' },
    clients: { type: 'string', default: 'kafkajs,rdkafka,platformatic,java' },
    ops: { type: 'string', default: 'produce-1,produce-all,consume' },
    'rdkafka-dir': { type: 'string', default: root },
    'platformatic-dir': { type: 'string', default: root },
    out: { type: 'string' },
  },
});
const N = Number(opt.events);
const body = Buffer.alloc(100, 'x');
const keyOf = (j) => `k${j % 1000}`;

// ---------------------------------------------------------------- workers (one client, one op, in a child process)

function finish(t0, c0, extra = {}) {
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(c0);
  const out = { events: N, ms, cpuMs: (cpu.user + cpu.system) / 1000, rssKb: process.resourceUsage().maxRSS, ...extra };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

async function kafkajsWorker(op) {
  const req = createRequire(path.join(root, 'package.json'));
  const { Kafka, logLevel, Partitioners } = req('kafkajs');
  const { RangeAssigner } = await import(path.join(root, 'dist/components/kafka/range-assignor.js'));
  const kafka = new Kafka({ clientId: 'flume-ts', brokers: [opt.bootstrap], logLevel: logLevel.NOTHING });
  if (op.startsWith('produce')) {
    const acks = op === 'produce-all' ? -1 : 1;
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i += 1000) {
      const messages = [];
      for (let j = i; j < Math.min(N, i + 1000); j++) messages.push({ key: keyOf(j), value: body });
      await producer.sendBatch({ topicMessages: [{ topic: opt.topic, messages }], acks, timeout: 30_000 });
    }
    finish(t0, c0);
    await producer.disconnect();
    return;
  }
  // the source's consumer settings (src/components/kafka/client-config.ts)
  const consumer = kafka.consumer({
    groupId: opt.group,
    sessionTimeout: 45_000,
    heartbeatInterval: 3_000,
    rebalanceTimeout: 300_000,
    maxBytes: 52_428_800,
    maxBytesPerPartition: 1_048_576,
    maxWaitTimeInMs: 500,
    readUncommitted: true,
    partitionAssigners: [RangeAssigner],
  });
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  await consumer.connect();
  await consumer.subscribe({ topics: [opt.topic], fromBeginning: true });
  let got = 0;
  let firstMs = -1;
  let resolve;
  const done = new Promise((r) => (resolve = r));
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 1,
    eachBatch: async ({ batch, resolveOffset }) => {
      if (firstMs < 0) firstMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const msgs = batch.messages;
      for (let i = 0; i < msgs.length; i += 1000) {
        const chunk = msgs.slice(i, i + 1000);
        const last = chunk[chunk.length - 1].offset;
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(BigInt(last) + 1n) }]);
        resolveOffset(last);
        got += chunk.length;
      }
      if (got >= N) resolve();
    },
  });
  await done;
  finish(t0, c0, { firstMs });
  await consumer.disconnect();
}

async function rdkafkaWorker(op) {
  const Kafka = createRequire(path.join(opt['rdkafka-dir'], 'package.json'))('node-rdkafka');
  if (op.startsWith('produce')) {
    // topic-level settings go in the second argument: node-rdkafka's default topic configuration overrides them there
    const producer = new Kafka.Producer(
      { 'metadata.broker.list': opt.bootstrap, 'client.id': 'flume-ts', dr_cb: true },
      { partitioner: 'murmur2_random', 'request.required.acks': op === 'produce-all' ? -1 : 1 }, // murmur2: Java's
    );
    await new Promise((res, rej) => producer.connect({}, (err) => (err ? rej(err) : res())));
    producer.setPollInterval(5);
    let waiting = 0;
    let wake;
    let failed;
    producer.on('delivery-report', (err) => {
      if (err) failed = err;
      if (--waiting === 0) wake();
    });
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i += 1000) {
      const end = Math.min(N, i + 1000);
      waiting = end - i;
      const acked = new Promise((r) => (wake = r));
      for (let j = i; j < end; j++) producer.produce(opt.topic, null, body, keyOf(j));
      await acked;
      if (failed) throw failed;
    }
    finish(t0, c0);
    await new Promise((r) => producer.disconnect(r));
    return;
  }
  const consumer = new Kafka.KafkaConsumer(
    {
      'metadata.broker.list': opt.bootstrap,
      'group.id': opt.group,
      'client.id': 'flume-ts',
      'enable.auto.commit': false,
      'partition.assignment.strategy': 'range',
    },
    { 'auto.offset.reset': 'earliest' },
  );
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  await new Promise((res, rej) => consumer.connect({}, (err) => (err ? rej(err) : res())));
  consumer.subscribe([opt.topic]);
  consumer.setDefaultConsumeTimeout(500);
  let got = 0;
  let firstMs = -1;
  while (got < N) {
    const msgs = await new Promise((res, rej) => consumer.consume(1000, (err, m) => (err ? rej(err) : res(m))));
    if (msgs.length === 0) continue;
    if (firstMs < 0) firstMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const offsets = new Map();
    for (const m of msgs) {
      offsets.set(`${m.topic}/${m.partition}`, { topic: m.topic, partition: m.partition, offset: m.offset + 1 });
    }
    consumer.commitSync([...offsets.values()]);
    got += msgs.length;
  }
  finish(t0, c0, { firstMs });
  await new Promise((r) => consumer.disconnect(r));
}

async function platformaticWorker(op) {
  const P = createRequire(path.join(opt['platformatic-dir'], 'package.json'))('@platformatic/kafka');
  const base = { clientId: 'flume-ts', bootstrapBrokers: [opt.bootstrap] };
  if (op.startsWith('produce')) {
    const producer = new P.Producer({ ...base, acks: op === 'produce-all' ? -1 : 1, serializers: P.stringSerializers });
    await producer.metadata({ topics: [opt.topic] });
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i += 1000) {
      const messages = [];
      for (let j = i; j < Math.min(N, i + 1000); j++) messages.push({ topic: opt.topic, key: keyOf(j), value: body });
      await producer.send({ messages });
    }
    finish(t0, c0);
    await producer.close();
    return;
  }
  const consumer = new P.Consumer({ ...base, groupId: opt.group, autocommit: false, maxWaitTime: 500 });
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const stream = await consumer.consume({ topics: [opt.topic], mode: 'earliest', autocommit: false });
  let got = 0;
  let firstMs = -1;
  let batch = [];
  const commit = async () => {
    const offsets = new Map();
    for (const m of batch) {
      offsets.set(`${m.topic}/${m.partition}`, { topic: m.topic, partition: m.partition, offset: m.offset + 1n, leaderEpoch: 0 });
    }
    await consumer.commit({ offsets: [...offsets.values()] });
    got += batch.length;
    batch = [];
  };
  for await (const m of stream) {
    if (firstMs < 0) firstMs = Number(process.hrtime.bigint() - t0) / 1e6;
    batch.push(m);
    if (batch.length === 1000 || got + batch.length >= N) await commit();
    if (got >= N) break;
  }
  finish(t0, c0, { firstMs });
  await stream.close();
  await consumer.close();
}

if (opt.worker) {
  const [client, op] = opt.worker.split(':');
  const fn = { kafkajs: kafkajsWorker, rdkafka: rdkafkaWorker, platformatic: platformaticWorker }[client];
  await fn(op);
  process.exit(0);
}

// ---------------------------------------------------------------- driver

const javaClasses = path.join(process.env.FLUME_TS_SERVICES_HOME ?? path.join(root, '.services'), 'classes', 'kafka-client-bench');
const flumeLib = path.join(process.env.FLUME_TS_SERVICES_HOME ?? path.join(root, '.services'), 'lib', 'flume');
const javaCp = () => {
  const jars = readdirSync(flumeLib).filter((f) => /^(kafka-clients|slf4j-api|lz4-java|snappy-java|zstd-jni)-/.test(f));
  return [javaClasses, ...jars.map((f) => path.join(flumeLib, f))].join(':');
};
function compileJava() {
  mkdirSync(javaClasses, { recursive: true });
  const jar = readdirSync(flumeLib).find((f) => f.startsWith('kafka-clients-'));
  if (!jar) throw new Error(`no kafka-clients jar in ${flumeLib}: run npm run services -- download`);
  execFileSync('javac', ['-d', javaClasses, '-cp', javaCp(), path.join(here, 'java', 'KafkaClientBench.java')]);
  return jar.replace(/\.jar$/, '');
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = out
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .pop();
      if (code === 0 && line) resolve(JSON.parse(line));
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(-800)}`));
    });
  });
}

function runClient(client, op, topic, group) {
  if (client === 'java') {
    const javaOp = op.startsWith('produce') ? 'produce' : 'consume';
    const arg = op === 'produce-all' ? 'all' : op === 'produce-1' ? '1' : group;
    return run('java', ['-Xmx256m', '-cp', javaCp(), 'KafkaClientBench', javaOp, bootstrap, topic, String(N), arg]);
  }
  const args = [fileURLToPath(import.meta.url), '--worker', `${client}:${op}`, '--bootstrap', bootstrap, '--topic', topic];
  args.push('--events', String(N), '--rdkafka-dir', opt['rdkafka-dir'], '--platformatic-dir', opt['platformatic-dir']);
  if (group) args.push('--group', group);
  return run(process.execPath, args);
}

const available = (client) => {
  try {
    if (client === 'rdkafka') createRequire(path.join(opt['rdkafka-dir'], 'package.json')).resolve('node-rdkafka');
    if (client === 'platformatic') createRequire(path.join(opt['platformatic-dir'], 'package.json')).resolve('@platformatic/kafka');
    return true;
  } catch {
    return false;
  }
};

const { startServices } = await import('../scripts/services/index.mjs');
const { services } = await startServices(['kafka']);
const bootstrap = services.kafka.urls.bootstrap;
const { Kafka, logLevel } = createRequire(path.join(root, 'package.json'))('kafkajs');
const admin = new Kafka({ clientId: 'bench-admin', brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
await admin.connect();
const stamp = Date.now();
let seq = 0;
async function newTopic(prefix) {
  const topic = `kc-${prefix}-${stamp}-${seq++}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  return topic;
}

const clients = opt.clients.split(',').filter((c) => {
  const ok = available(c);
  if (!ok) console.error(`[kafka-clients] ${c}: not installed (see --rdkafka-dir / --platformatic-dir), skipped`);
  return ok;
});
const ops = opt.ops.split(',');
const javaVersion = clients.includes('java') ? compileJava() : undefined;
const consumeTopic = ops.includes('consume') ? await newTopic('consume') : undefined;
if (consumeTopic) {
  // filled once by Kafka's Java client (acks=all); every consumer reads the same N records
  await runClient('java', 'produce-all', consumeTopic);
}
const results = [];
const reps = Number(opt.replicates);
for (let r = 0; r < reps; r++) {
  for (const op of ops) {
    const order = clients.map((_, i) => clients[(i + r) % clients.length]);
    for (const client of order) {
      const topic = op === 'consume' ? consumeTopic : await newTopic(op);
      const group = op === 'consume' ? `kc-${client}-${stamp}-${seq++}` : undefined;
      const load = os.loadavg()[0];
      try {
        const res = await runClient(client, op, topic, group);
        const measured = op === 'consume' ? res.ms - res.firstMs : res.ms;
        const row = { rep: r, op, client, load, ...res, eps: (N / measured) * 1000, cpuPer1k: (res.cpuMs / N) * 1000 };
        results.push(row);
        console.error(
          `[kafka-clients] rep ${r} ${op} ${client}: ${Math.round(row.eps)} ev/s, ${row.cpuPer1k.toFixed(1)} ms CPU/1000 ev, ` +
            `RSS ${Math.round(res.rssKb / 1024)} MiB${op === 'consume' ? `, first record after ${Math.round(res.firstMs)} ms` : ''}, ` +
            `load ${load.toFixed(2)}`,
        );
      } catch (err) {
        console.error(`[kafka-clients] rep ${r} ${op} ${client}: FAILED ${err.message}`);
        results.push({ rep: r, op, client, load, failed: err.message.split('\n')[0] });
      }
    }
  }
}
await admin.disconnect();

const pkgVersion = (dir, name) => JSON.parse(readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
const versions = {
  kafkajs: pkgVersion(root, 'kafkajs'),
  rdkafka: available('rdkafka') ? `node-rdkafka ${pkgVersion(opt['rdkafka-dir'], 'node-rdkafka')}` : '-',
  platformatic: available('platformatic') ? `@platformatic/kafka ${pkgVersion(opt['platformatic-dir'], '@platformatic/kafka')}` : '-',
  java: javaVersion ?? '-',
};
const lines = [
  `# Kafka clients side by side (${new Date().toISOString()})`,
  '',
  `Command: \`node bench/kafka-clients.mjs --events ${N} --replicates ${reps} --clients ${opt.clients} --ops ${opt.ops}\``,
  `Broker: the harness's Kafka 3.9.1 (KRaft, one broker, 127.0.0.1). Node ${process.version}, ${os.cpus().length} cores.`,
  `Clients: kafkajs ${versions.kafkajs}, ${versions.rdkafka}, ${versions.platformatic}, Java ${versions.java}.`,
  `Load average (1 min) during the runs: ${Math.min(...results.map((x) => x.load)).toFixed(2)}–${Math.max(...results.map((x) => x.load)).toFixed(2)}.`,
  '',
  'Medians over the replicates (each replicate a fresh process; order rotated per round). events/s: wall clock of the',
  'measured phase (consume: from the first record to the last commit, group join excluded; join time in its own column).',
  'CPU: user+sys of the client process per 1000 events. RSS: peak of the client process.',
  '',
  '| op | client | events/s (median) | replicates | × kafkajs | CPU ms / 1000 ev | peak RSS MiB | first record ms |',
  '|---|---|---|---|---|---|---|---|',
];
for (const op of ops) {
  const base = median(results.filter((x) => x.op === op && x.client === 'kafkajs' && !x.failed).map((x) => x.eps));
  for (const client of clients) {
    const rs = results.filter((x) => x.op === op && x.client === client && !x.failed);
    const failed = results.filter((x) => x.op === op && x.client === client && x.failed);
    if (rs.length === 0) {
      lines.push(`| ${op} | ${client} | failed: ${failed[0]?.failed ?? '-'} | 0 | | | | |`);
      continue;
    }
    const eps = median(rs.map((x) => x.eps));
    const first = op === 'consume' ? Math.round(median(rs.map((x) => x.firstMs))) : '';
    lines.push(
      `| ${op} | ${client} | ${Math.round(eps)} | ${rs.map((x) => Math.round(x.eps)).join(', ')} | ` +
        `${base ? (eps / base).toFixed(2) : ''} | ${median(rs.map((x) => x.cpuPer1k)).toFixed(1)} | ` +
        `${Math.round(median(rs.map((x) => x.rssKb)) / 1024)} | ${first} |` +
        (failed.length ? ` (${failed.length} failed)` : ''),
    );
  }
}
const md = `${lines.join('\n')}\n`;
process.stdout.write(md);
if (opt.out) writeFileSync(opt.out, md);
process.exit(0);
