import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServices, type Services } from '../../support/services.js';

describe('real Kafka 3.9 (KRaft) on loopback', () => {
  let svc: Services<'kafka'>;
  beforeAll(async () => {
    svc = await useServices(['kafka']);
  });
  afterAll(async () => {
    await svc?.release();
  });

  it('delivers every message of a 3-partition topic to two consumers of one group', async () => {
    const kafka = new Kafka({ clientId: 'smoke', brokers: svc.kafka.brokers, logLevel: logLevel.NOTHING });
    const topic = `smoke-${Date.now()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0].partitions).toHaveLength(3);
    await admin.disconnect();

    // Two members of one group; wait until the group has split the three partitions between them.
    const group = `g-${topic}`;
    const N = 300;
    const received = new Map<string, string>(); // value -> member
    const assigned = new Map<string, number[]>();
    const consumers: Consumer[] = [];
    let resolveAll!: () => void;
    const allConsumed = new Promise<void>((r) => (resolveAll = r));
    for (const name of ['c1', 'c2']) {
      const c = kafka.consumer({ groupId: group, sessionTimeout: 10_000, rebalanceTimeout: 10_000, heartbeatInterval: 300 });
      consumers.push(c);
      c.on(c.events.GROUP_JOIN, (e) => assigned.set(name, e.payload.memberAssignment[topic] ?? []));
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      void c.run({
        eachMessage: async ({ message }) => {
          received.set(String(message.value), name);
          if (received.size === N) resolveAll();
        },
      });
    }
    const deadline = Date.now() + 60_000;
    const balanced = () =>
      assigned.size === 2 && [...assigned.values()].every((p) => p.length > 0) && new Set([...assigned.values()].flat()).size === 3;
    while (!balanced() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(balanced()).toBe(true);

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: N }, (_, i) => ({ key: `k${i}`, value: `message-${i}` })),
    });
    await producer.disconnect();

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`only ${received.size}/${N} consumed`)), 60_000);
    });
    try {
      await Promise.race([allConsumed, timeout]);
    } finally {
      clearTimeout(timer);
      for (const c of consumers) await c.disconnect();
    }

    expect(received.size).toBe(N);
    for (let i = 0; i < N; i++) expect(received.has(`message-${i}`)).toBe(true);
    const byMember = [...received.values()].reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<string, number>());
    expect(byMember.get('c1')).toBeGreaterThan(0);
    expect(byMember.get('c2')).toBeGreaterThan(0);
  });
});
