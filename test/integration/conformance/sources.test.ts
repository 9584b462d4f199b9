/**
 * The source conformance suite against the Kafka source on a real broker (one fresh single-partition topic per case):
 * the test produces records; the source commits them to the channel and only then commits the consumer offsets.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Kafka } from 'kafkajs';
import { kafkaSource, type KafkaSource } from '../../../src/components/sources/kafka.js';
import { create } from '../../support/context.js';
import { useServices, type Services } from '../../support/services.js';
import { sourceConformance } from '../../conformance/source-suite.js';
import { client, createTopic, produce, uniqueName } from '../kafka/helpers.js';

let svc: Services<'kafka'>;
let kafka: Kafka;
beforeAll(async () => {
  svc = await useServices(['kafka']);
  kafka = client(svc.kafka.brokers);
});
afterAll(async () => {
  await svc?.release();
});

sourceConformance({
  name: 'kafka',
  kind: 'producer',
  // the consumer joins its group before the first records arrive
  arrivalMs: 60_000,
  start: async (processor) => {
    const topic = uniqueName('src-conformance');
    await createTopic(kafka, topic, 1);
    const src = create(
      kafkaSource,
      {
        'kafka.bootstrap.servers': svc.kafka.bootstrap,
        'kafka.topics': topic,
        'kafka.consumer.group.id': uniqueName('g'),
        'kafka.consumer.auto.offset.reset': 'earliest',
        'kafka.consumer.session.timeout.ms': '10000',
        'kafka.consumer.heartbeat.interval.ms': '500',
        batchSize: '4',
        backoffSleepIncrement: '100',
        maxBackoffSleep: '500',
      },
      { name: 'r1', processor },
    ) as KafkaSource;
    await src.start();
    return {
      produce: (bodies) =>
        produce(
          kafka,
          topic,
          bodies.map((value) => ({ value })),
        ),
      stop: () => src.stop(),
    };
  },
});
