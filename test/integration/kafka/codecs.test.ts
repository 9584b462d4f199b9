import './fast-paths-first.js';
/**
 * Record-batch codecs against a real broker and Apache Flume 1.11's Kafka client (kafka-clients 2.7.2 with snappy-java,
 * lz4-java and zstd-jni), both ways, one Flume JVM for all codecs:
 *
 *   real Flume: netcat → replicating → 4 × KafkaSink (compression.type gzip|snappy|lz4|zstd) → topics J-<codec>
 *               ⇒ the flume-ts Kafka source and Kafka channel read them
 *   flume-ts: 4 × Kafka sink (compression.type …) → topics T-<codec>
 *               ⇒ real Flume: KafkaSource(T-*) → memory → file_roll
 *
 * The broker keeps the producer's codec (topic compression.type=producer), so the codec of every stored batch is read
 * back from the partition's log segment: each side really wrote the codec it was told to.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { kafkaChannel, type KafkaChannel } from '../../../src/components/channels/kafka.js';
import { kafkaSink, type KafkaSink } from '../../../src/components/sinks/kafka.js';
import { kafkaSource, type KafkaSource } from '../../../src/components/sources/kafka.js';
import { withTransaction } from '../../../src/core/channel.js';
import { createEvent, type Event } from '../../../src/core/event.js';
import { create, drain, memory } from '../../support/context.js';
import { freePort } from '../../support/agent-process.js';
import { startFlumeAgent, useServices, type FlumeAgent, type Services } from '../../support/services.js';
import { client, createTopic, TestProcessor, uniqueName, until } from './helpers.js';

const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
const CODEC_ID: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };
const N = 300;

/** The codec ids (attributes & 7) of every record batch in a one-partition topic's log segments. */
function storedCodecs(dataDir: string, topic: string): Set<number> {
  const dir = path.join(dataDir, `${topic}-0`);
  const out = new Set<number>();
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.log'))) {
    const b = fs.readFileSync(path.join(dir, f));
    for (let pos = 0; pos + 23 <= b.length; ) {
      const len = b.readInt32BE(pos + 8);
      if (len <= 0 || b[pos + 16] !== 2) break;
      out.add(b.readInt16BE(pos + 21) & 7);
      pos += 12 + len;
    }
  }
  return out;
}

function sendLines(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let got = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      got += d;
      if (got.length >= 3 * lines.length) {
        sock.end();
        resolve(got);
      }
    });
    sock.on('error', reject);
    sock.write(lines.map((l) => `${l}\n`).join(''));
  });
}

function flumeConf(o: { port: number; bootstrap: string; run: string; out: string }): string {
  const L: string[] = [
    `f3.sources = r1 kr`,
    `f3.channels = ${CODECS.map((c) => `c${c}`).join(' ')} cin`,
    `f3.sinks = ${CODECS.map((c) => `k${c}`).join(' ')} kf`,
    'f3.sources.r1.type = netcat',
    'f3.sources.r1.bind = 127.0.0.1',
    `f3.sources.r1.port = ${o.port}`,
    `f3.sources.r1.channels = ${CODECS.map((c) => `c${c}`).join(' ')}`,
    'f3.sources.r1.selector.type = replicating',
    'f3.sources.kr.type = org.apache.flume.source.kafka.KafkaSource',
    `f3.sources.kr.kafka.bootstrap.servers = ${o.bootstrap}`,
    `f3.sources.kr.kafka.topics = ${CODECS.map((c) => `T-${c}-${o.run}`).join(',')}`,
    `f3.sources.kr.kafka.consumer.group.id = g-${o.run}`,
    'f3.sources.kr.kafka.consumer.auto.offset.reset = earliest',
    'f3.sources.kr.batchDurationMillis = 200',
    'f3.sources.kr.channels = cin',
    'f3.channels.cin.type = memory',
    'f3.channels.cin.capacity = 10000',
    'f3.channels.cin.transactionCapacity = 1000',
    'f3.sinks.kf.type = file_roll',
    'f3.sinks.kf.channel = cin',
    `f3.sinks.kf.sink.directory = ${o.out}`,
    'f3.sinks.kf.sink.rollInterval = 0',
  ];
  for (const c of CODECS) {
    L.push(
      `f3.channels.c${c}.type = memory`,
      `f3.channels.c${c}.capacity = 10000`,
      `f3.sinks.k${c}.type = org.apache.flume.sink.kafka.KafkaSink`,
      `f3.sinks.k${c}.channel = c${c}`,
      `f3.sinks.k${c}.kafka.bootstrap.servers = ${o.bootstrap}`,
      `f3.sinks.k${c}.kafka.topic = J-${c}-${o.run}`,
      `f3.sinks.k${c}.flumeBatchSize = 100`,
      `f3.sinks.k${c}.kafka.producer.compression.type = ${c}`,
      `f3.sinks.k${c}.kafka.producer.linger.ms = 20`,
    );
  }
  return `${L.join('\n')}\n`;
}

describe('Kafka codecs: gzip, snappy, lz4, zstd both ways with Apache Flume 1.11', () => {
  let svc: Services<'kafka'>;
  let kafka: Kafka;
  let flume: FlumeAgent | undefined;
  let port: number;
  const run = uniqueName('c');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flume-kafka-codecs-'));
  const out = path.join(tmp, 'out');
  const dataDir = () => path.join(svc.info.kafka.dir, 'data');
  const javaLines = () => fs.readdirSync(out).flatMap((f) => fs.readFileSync(path.join(out, f), 'utf8').split('\n').filter(Boolean));

  beforeAll(async () => {
    svc = await useServices(['kafka']);
    kafka = client(svc.kafka.brokers);
    for (const c of CODECS) {
      await createTopic(kafka, `J-${c}-${run}`, 1);
      await createTopic(kafka, `T-${c}-${run}`, 1);
    }
    fs.mkdirSync(out);
    port = await freePort();
    const conf = path.join(tmp, 'flume.conf');
    fs.writeFileSync(conf, flumeConf({ port, bootstrap: svc.kafka.bootstrap, run, out }));
    flume = startFlumeAgent({ confFile: conf, name: 'f3', heap: '256m', logDir: path.join(tmp, 'logs') });
  }, 180_000);
  afterAll(async () => {
    await flume?.stop();
    await svc?.release();
    if (!process.env.KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('Flume-written batches of each codec are read by the flume-ts Kafka source and Kafka channel', async () => {
    const up = () =>
      new Promise<boolean>((r) =>
        net
          .connect(port, '127.0.0.1')
          .on('connect', function (this: net.Socket) {
            this.destroy();
            r(true);
          })
          .on('error', () => r(false)),
      );
    expect(await until(up, 120_000)).toBe(true);
    const lines = Array.from({ length: N }, (_, i) => `java-line-${i}`);
    expect(await sendLines(port, lines)).toBe('OK\n'.repeat(N));
    // every codec topic filled by Flume, with batches of that codec
    for (const c of CODECS) {
      expect(await until(async () => (await topicSize(kafka, `J-${c}-${run}`)) >= N, 60_000)).toBe(true);
      expect(storedCodecs(dataDir(), `J-${c}-${run}`)).toEqual(new Set([CODEC_ID[c]]));
    }
    const ch = memory('c1', 100_000, 10_000);
    const src = create(
      kafkaSource,
      {
        'kafka.bootstrap.servers': svc.kafka.bootstrap,
        'kafka.topics': CODECS.map((c) => `J-${c}-${run}`).join(','),
        'kafka.consumer.group.id': uniqueName('gsrc'),
        'kafka.consumer.auto.offset.reset': 'earliest',
        batchDurationMillis: '200',
      },
      { name: 'r1', processor: new TestProcessor(ch) },
    ) as KafkaSource;
    await src.start();
    const got: Event[] = [];
    try {
      expect(await until(async () => (got.push(...(await drain(ch))), got.length >= 4 * N), 60_000)).toBe(true);
    } finally {
      await src.stop();
    }
    for (const c of CODECS) {
      const bodies = got.filter((e) => e.headers.topic === `J-${c}-${run}`).map((e) => e.body.toString());
      expect(new Set(bodies)).toEqual(new Set(lines));
    }
    // the channel's consumer reads them too (zstd here; the source covered every codec)
    const kc = create(
      kafkaChannel,
      {
        'kafka.bootstrap.servers': svc.kafka.bootstrap,
        'kafka.topic': `J-zstd-${run}`,
        'kafka.consumer.group.id': uniqueName('gch'),
        parseAsFlumeEvent: 'false',
      },
      { name: 'c2' },
    ) as KafkaChannel;
    await kc.start();
    const taken: Event[] = [];
    try {
      await until(async () => {
        const tx = kc.begin();
        taken.push(...(await tx.take(500)));
        await tx.commit();
        if (taken.length < N) await kc.waitForEvents(200);
        return taken.length >= N;
      }, 60_000);
    } finally {
      await kc.stop();
    }
    expect(new Set(taken.map((e) => e.body.toString()))).toEqual(new Set(lines));
  }, 240_000);

  it('batches the flume-ts Kafka sink writes with each codec are read by Flume; the channel writes them too', async () => {
    for (const c of CODECS) {
      const ch = memory('c1', 10_000, 1000);
      await ch.start();
      await withTransaction(ch, (tx) => tx.putAll(Array.from({ length: N }, (_, i) => createEvent(`ts-${c}-${i}`))));
      const sink = create(
        kafkaSink,
        {
          'kafka.bootstrap.servers': svc.kafka.bootstrap,
          'kafka.topic': `T-${c}-${run}`,
          'kafka.producer.compression.type': c,
          flumeBatchSize: '100',
        },
        { name: `k-${c}`, channel: ch },
      ) as KafkaSink;
      await sink.start();
      try {
        while (ch.size() > 0) await sink.process();
      } finally {
        await sink.stop();
      }
      expect(storedCodecs(dataDir(), `T-${c}-${run}`)).toEqual(new Set([CODEC_ID[c]]));
    }
    expect(await until(() => javaLines().length >= 4 * N, 90_000)).toBe(true);
    const want = CODECS.flatMap((c) => Array.from({ length: N }, (_, i) => `ts-${c}-${i}`));
    expect(new Set(javaLines())).toEqual(new Set(want));

    // the channel's producer: lz4 records written, stored as lz4, read back by its consumer
    const topic = uniqueName('ch-lz4');
    await createTopic(kafka, topic, 1);
    const kc = create(
      kafkaChannel,
      {
        'kafka.bootstrap.servers': svc.kafka.bootstrap,
        'kafka.topic': topic,
        'kafka.consumer.group.id': uniqueName('gch'),
        'kafka.producer.compression.type': 'lz4',
      },
      { name: 'c3' },
    ) as KafkaChannel;
    await kc.start();
    try {
      await withTransaction(kc, (tx) => tx.putAll(Array.from({ length: 50 }, (_, i) => createEvent(`chan-${i}`, { n: String(i) }))));
      expect(storedCodecs(dataDir(), topic)).toEqual(new Set([CODEC_ID.lz4]));
      const taken: Event[] = [];
      await until(async () => {
        const tx = kc.begin();
        taken.push(...(await tx.take(100)));
        await tx.commit();
        if (taken.length < 50) await kc.waitForEvents(200);
        return taken.length >= 50;
      }, 60_000);
      expect(taken.map((e) => e.headers.n).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    } finally {
      await kc.stop();
    }
  }, 240_000);
});

async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offs = await admin.fetchTopicOffsets(topic);
    return offs.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}
