import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { kafkaSource, type KafkaSource } from '../../../src/components/sources/kafka.js';
import type { Event } from '../../../src/core/event.js';
import { create, drain, memory } from '../../support/context.js';
import { useServices, type Services } from '../../support/services.js';
import { client, createTopic, produce, TestProcessor, uniqueName, until } from './helpers.js';

/** Collects everything the channel receives. */
function collector() {
  const ch = memory('c1', 100_000, 10_000);
  const got: Event[] = [];
  const pump = async () => got.push(...(await drain(ch)));
  return { ch, got, pump };
}

const values = (evs: Event[]) => evs.map((e) => e.body.toString());

describe('Kafka source against a real broker', () => {
  let svc: Services<'kafka'>;
  let kafka: Kafka;
  beforeAll(async () => {
    svc = await useServices(['kafka']);
    kafka = client(svc.kafka.brokers);
  });
  afterAll(async () => {
    await svc?.release();
  });

  const sourceProps = (topic: string, group: string, extra: Record<string, string> = {}) => ({
    'kafka.bootstrap.servers': svc.kafka.bootstrap,
    'kafka.topics': topic,
    'kafka.consumer.group.id': group,
    'kafka.consumer.auto.offset.reset': 'earliest',
    'kafka.consumer.session.timeout.ms': '10000',
    'kafka.consumer.heartbeat.interval.ms': '500',
    batchSize: '200',
    backoffSleepIncrement: '100',
    maxBackoffSleep: '500',
    ...extra,
  });

  it('delivers every message of a 3-partition topic once, with Flume headers, and commits the offsets', async () => {
    const topic = uniqueName('src');
    await createTopic(kafka, topic, 3);
    const N = 3000;
    await produce(
      kafka,
      topic,
      Array.from({ length: N }, (_, i) => ({ key: `k${i % 17}`, value: `m${i}`, headers: { trace: `t${i}` } })),
    );
    const { ch, got, pump } = collector();
    const proc = new TestProcessor(ch);
    const group = uniqueName('g');
    const src = create(kafkaSource, sourceProps(topic, group, { 'header.traceId': 'trace' }), {
      name: 'r1',
      processor: proc,
    }) as KafkaSource;
    await src.start();
    try {
      expect(await until(async () => (await pump(), got.length >= N), 60_000)).toBe(true);
    } finally {
      await src.stop();
    }
    await pump();
    const vs = values(got);
    expect(vs.length).toBe(N); // a clean run: each exactly once
    expect(new Set(vs).size).toBe(N);
    const e = got.find((x) => x.body.toString() === 'm5')!;
    expect(e.headers).toMatchObject({ topic, key: 'k5', traceId: 't5' });
    expect(Number(e.headers.partition)).toBeGreaterThanOrEqual(0);
    expect(e.headers.offset).toMatch(/^\d+$/);
    expect(Number(e.headers.timestamp)).toBeGreaterThan(1.6e12);
    expect(new Set(got.map((x) => x.headers.partition)).size).toBe(3);
    expect(src.counter.get('EventAcceptedCount')).toBe(N);

    // offsets were committed: the group has no lag
    const admin = kafka.admin();
    await admin.connect();
    const offs = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const end = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    for (const p of offs[0]!.partitions) expect(p.offset).toBe(end.find((x) => x.partition === p.partition)!.high);
  });

  it('a failed channel put delivers the same batch again; nothing is lost', async () => {
    const topic = uniqueName('src-fail');
    await createTopic(kafka, topic, 3);
    const N = 1000;
    await produce(
      kafka,
      topic,
      Array.from({ length: N }, (_, i) => ({ value: `m${i}` })),
    );
    const { ch, got, pump } = collector();
    const proc = new TestProcessor(ch);
    proc.failNext(5);
    const src = create(kafkaSource, sourceProps(topic, uniqueName('g')), { name: 'r1', processor: proc }) as KafkaSource;
    await src.start();
    try {
      expect(await until(async () => (await pump(), new Set(values(got)).size >= N), 60_000)).toBe(true);
    } finally {
      await src.stop();
    }
    expect(proc.failed).toBe(5);
    expect(src.counter.get('ChannelWriteFail')).toBe(5);
    expect(new Set(values(got)).size).toBe(N);
    expect(got.length).toBe(N); // retried batches were never put, so no duplicates either
  });

  it('gathers records across partitions until batchSize or batchDurationMillis, as Flume does', async () => {
    const topic = uniqueName('src-batch');
    await createTopic(kafka, topic, 3);
    const { ch, got, pump } = collector();
    const proc = new TestProcessor(ch);
    const src = create(kafkaSource, sourceProps(topic, uniqueName('g'), { batchSize: '1000', batchDurationMillis: '5000' }), {
      name: 'r1',
      processor: proc,
    }) as KafkaSource;
    await src.start();
    try {
      // a trickle: 30 records sent one by one to all partitions
      for (let i = 0; i < 30; i++) await produce(kafka, topic, [{ key: `k${i}`, value: `m${i}` }]);
      expect(await until(async () => (await pump(), got.length >= 30), 60_000)).toBe(true);
    } finally {
      await src.stop();
    }
    expect(new Set(got.map((e) => e.headers.partition)).size).toBeGreaterThan(1);
    expect(proc.batches).toBeLessThanOrEqual(2); // one batch per batchDurationMillis, not one per fetch
  });

  it('two sources in one group split the partitions; when one stops the other takes over; nothing lost', async () => {
    const topic = uniqueName('src-group');
    await createTopic(kafka, topic, 3);
    const group = uniqueName('g');
    const a = collector();
    const b = collector();
    const srcA = create(kafkaSource, sourceProps(topic, group), { name: 'ra', processor: new TestProcessor(a.ch) }) as KafkaSource;
    const srcB = create(kafkaSource, sourceProps(topic, group), { name: 'rb', processor: new TestProcessor(b.ch) }) as KafkaSource;
    await srcA.start();
    await srcB.start();
    let stoppedB = false;
    try {
      // first wave: both members must receive part of it
      const N1 = 1500;
      let i = 0;
      const wave = async (n: number) => {
        await produce(
          kafka,
          topic,
          Array.from({ length: n }, () => ({ key: `key${i}`, value: `m${i++}` })),
        );
      };
      // give the group time to settle on two members before producing
      await until(async () => (await wave(30), await Promise.all([a.pump(), b.pump()]), a.got.length > 0 && b.got.length > 0), 60_000);
      const [fromA, fromB] = [a.got.length, b.got.length];
      await wave(N1);
      expect(
        await until(async () => (await Promise.all([a.pump(), b.pump()]), new Set([...values(a.got), ...values(b.got)]).size >= i), 60_000),
      ).toBe(true);
      const partsA = new Set(a.got.slice(fromA).map((e) => e.headers.partition));
      const partsB = new Set(b.got.slice(fromB).map((e) => e.headers.partition));
      expect([...partsA].some((p) => partsB.has(p))).toBe(false); // a partition belongs to one member
      expect(partsA.size + partsB.size).toBe(3);

      // B leaves: A takes over all partitions
      await srcB.stop();
      stoppedB = true;
      const afterStop = a.got.length;
      await wave(1500);
      expect(await until(async () => (await a.pump(), new Set([...values(a.got), ...values(b.got)]).size >= i), 90_000)).toBe(true);
      expect(new Set(a.got.slice(afterStop).map((e) => e.headers.partition)).size).toBe(3);
      const all = new Set([...values(a.got), ...values(b.got)]);
      for (let k = 0; k < i; k++) expect(all.has(`m${k}`)).toBe(true);
    } finally {
      await srcA.stop();
      if (!stoppedB) await srcB.stop();
    }
  });
});
