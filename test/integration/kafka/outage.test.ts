/**
 * The broker goes away for 30 s in the middle of a stream through all three Kafka components and comes back (same
 * ports and data): nothing is lost and the flow resumes without help.
 *
 *   feeder → memory m1 → Kafka sink → topic T → Kafka source → Kafka channel (topic C) → take loop → collected
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { kafkaChannel, type KafkaChannel } from '../../../src/components/channels/kafka.js';
import { kafkaSink, type KafkaSink } from '../../../src/components/sinks/kafka.js';
import { kafkaSource, type KafkaSource } from '../../../src/components/sources/kafka.js';
import { withTransaction } from '../../../src/core/channel.js';
import { createEvent } from '../../../src/core/event.js';
import { create, memory } from '../../support/context.js';
import { useServices, type Services } from '../../support/services.js';
import { bounceBroker, client, createTopic, sleep, TestProcessor, uniqueName, until } from './helpers.js';

describe('Kafka broker outage', () => {
  let svc: Services<'kafka'>;
  let kafka: Kafka;
  beforeAll(async () => {
    svc = await useServices(['kafka']);
    kafka = client(svc.kafka.brokers);
  });
  afterAll(async () => {
    await svc?.release();
  });

  it('broker stopped for 30 s mid-stream, then started: nothing lost, flow resumes by itself', async () => {
    const T = uniqueName('out-t');
    const C = uniqueName('out-c');
    await createTopic(kafka, T, 3);
    await createTopic(kafka, C, 3);
    const bootstrap = svc.kafka.bootstrap;
    const quick = { 'kafka.consumer.session.timeout.ms': '10000', 'kafka.consumer.heartbeat.interval.ms': '1000' };

    const m1 = memory('m1', 100_000, 1000);
    await m1.start();
    const sink = create(
      kafkaSink,
      { 'kafka.bootstrap.servers': bootstrap, 'kafka.topic': T, 'kafka.producer.acks': 'all', flumeBatchSize: '200' },
      { name: 'k1', channel: m1 },
    ) as KafkaSink;
    const kc = create(
      kafkaChannel,
      { 'kafka.bootstrap.servers': bootstrap, 'kafka.topic': C, 'kafka.consumer.group.id': uniqueName('gc'), ...quick },
      { name: 'kc' },
    ) as KafkaChannel;
    await kc.start();
    const src = create(
      kafkaSource,
      {
        'kafka.bootstrap.servers': bootstrap,
        'kafka.topics': T,
        'kafka.consumer.group.id': uniqueName('gs'),
        'kafka.consumer.auto.offset.reset': 'earliest',
        batchSize: '200',
        backoffSleepIncrement: '250',
        maxBackoffSleep: '1000',
        ...quick,
      },
      { name: 'r1', processor: new TestProcessor(kc) },
    ) as KafkaSource;
    await sink.start();
    await src.start();

    const collected = new Set<string>();
    let running = true;
    let sinkErrors = 0;
    const sinkLoop = (async () => {
      while (running) {
        try {
          if ((await sink.process()) === 'BACKOFF') await m1.waitForEvents(200);
        } catch {
          sinkErrors++;
          await sleep(500);
        }
      }
    })();
    const takeLoop = (async () => {
      while (running) {
        const tx = kc.begin();
        try {
          const got = await tx.take(500);
          await tx.commit();
          for (const e of got) collected.add(e.body.toString());
          if (got.length === 0) await kc.waitForEvents(200);
        } catch {
          if (tx.state === 'OPEN') await tx.rollback();
          await sleep(200);
        }
      }
    })();

    const N = 3000;
    let fed = 0;
    const feed = async (n: number) => {
      await withTransaction(m1, (tx) => tx.putAll(Array.from({ length: n }, () => createEvent(`e${fed++}`))));
    };
    try {
      for (let i = 0; i < 5; i++) await feed(200);
      expect(await until(() => collected.size >= 500, 60_000)).toBe(true);
      const bounce = bounceBroker(svc, 30_000);
      // keep feeding while the broker is down
      while (fed < N) {
        await feed(100);
        await sleep(200);
      }
      await bounce;
      const ok = await until(() => collected.size >= N, 120_000);
      expect({ ok, collected: collected.size, fed }).toEqual({ ok: true, collected: N, fed: N });
      expect(sinkErrors).toBeGreaterThan(0); // the outage was felt
      for (let i = 0; i < N; i++) expect(collected.has(`e${i}`)).toBe(true);
    } finally {
      running = false;
      await Promise.all([sinkLoop, takeLoop]);
      await src.stop();
      await sink.stop();
      await kc.stop();
    }
  });
});
