/** The channel conformance suite against the Kafka channel on a real broker (one fresh single-partition topic each). */
import { afterAll, beforeAll } from 'vitest';
import { kafkaChannel, type KafkaChannel } from '../../../src/components/channels/kafka.js';
import { create } from '../../support/context.js';
import { useServices, type Services } from '../../support/services.js';
import { channelConformance } from '../../conformance/channel-suite.js';
import { client, createTopic, uniqueName } from '../kafka/helpers.js';

let svc: Services<'kafka'>;
beforeAll(async () => {
  svc = await useServices(['kafka']);
});
afterAll(async () => {
  await svc?.release();
});

channelConformance({
  name: 'kafka',
  bounded: false,
  visibleWithinMs: 20_000,
  open: async () => {
    const topic = uniqueName('conformance');
    await createTopic(client(svc.kafka.brokers), topic, 1);
    const ch = create(
      kafkaChannel,
      {
        'kafka.bootstrap.servers': svc.kafka.bootstrap,
        'kafka.topic': topic,
        'kafka.consumer.group.id': uniqueName('g'),
        'kafka.consumer.session.timeout.ms': '10000',
        'kafka.consumer.heartbeat.interval.ms': '500',
      },
      { name: 'c1' },
    ) as KafkaChannel;
    await ch.start();
    return ch;
  },
  close: (ch) => ch.stop(),
});
