import './fast-paths-first.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { kafkaSink, type KafkaSink } from '../../../src/components/sinks/kafka.js';
import { decodeFlumeEvent } from '../../../src/components/kafka/flume-event.js';
import { withTransaction } from '../../../src/core/channel.js';
import { createEvent, type Event } from '../../../src/core/event.js';
import { EventDeliveryError } from '../../../src/core/errors.js';
import { create, memory } from '../../support/context.js';
import { useServices, type Services } from '../../support/services.js';
import { client, createTopic, readTopic, uniqueName } from './helpers.js';
import { createRequire } from 'node:module';
import path from 'node:path';
import { kafkajsSrc } from '../../../src/components/kafka/kafkajs-fast.js';
import { kafkajs } from '../../../src/components/shared/lazy.js';

describe('Kafka sink against a real broker', () => {
  let svc: Services<'kafka'>;
  let kafka: Kafka;
  beforeAll(async () => {
    svc = await useServices(['kafka']);
    kafka = client(svc.kafka.brokers);
  });
  afterAll(async () => {
    await svc?.release();
  });

  async function runSink(props: Record<string, string>, events: Event[]) {
    const ch = memory('c1', 100_000, 10_000);
    await ch.start();
    for (let i = 0; i < events.length; i += 1000) await withTransaction(ch, (tx) => tx.putAll(events.slice(i, i + 1000)));
    const sink = create(kafkaSink, { 'kafka.bootstrap.servers': svc.kafka.bootstrap, ...props }, { name: 'k1', channel: ch }) as KafkaSink;
    await sink.start();
    try {
      while (ch.size() > 0) await sink.process();
    } finally {
      await sink.stop();
    }
    return { ch, sink };
  }

  it('acks=-1 delivers every event; the same key always lands in the same partition', async () => {
    const topic = uniqueName('sink');
    await createTopic(kafka, topic, 3);
    const N = 3000;
    const events = Array.from({ length: N }, (_, i) => createEvent(`m${i}`, { key: `user${i % 10}` }));
    const { sink } = await runSink({ 'kafka.topic': topic, 'kafka.producer.acks': '-1', flumeBatchSize: '500' }, events);
    expect(sink.counter.get('EventDrainSuccessCount')).toBe(N);
    const recs = await readTopic(kafka, topic, N);
    expect(recs.length).toBe(N);
    expect(new Set(recs.map((r) => r.value.toString())).size).toBe(N);
    const partOfKey = new Map<string, Set<number>>();
    for (const r of recs) {
      const s = partOfKey.get(r.key!) ?? new Set<number>();
      s.add(r.partition);
      partOfKey.set(r.key!, s);
    }
    expect(partOfKey.size).toBe(10);
    for (const s of partOfKey.values()) expect(s.size).toBe(1);
    expect(new Set(recs.map((r) => r.partition)).size).toBeGreaterThan(1);
  });

  it('honours topic and partition headers, timestamps, header.* and the Flume event format', async () => {
    const topic = uniqueName('sink-h');
    const other = uniqueName('sink-o');
    await createTopic(kafka, topic, 3);
    await createTopic(kafka, other, 3);
    const events = [
      createEvent('to-p2', { part: '2', ts: '1600000000000', traceId: 'abc' }),
      createEvent('to-other', { topic: other }),
      createEvent('default-p1', {}),
    ];
    await runSink(
      {
        'kafka.topic': topic,
        defaultPartitionId: '1',
        partitionIdHeader: 'part',
        timestampHeader: 'ts',
        'header.traceId': 'trace',
        useFlumeEventFormat: 'true',
        'kafka.producer.acks': '1',
      },
      events,
    );
    const recs = await readTopic(kafka, topic, 2);
    const p2 = recs.find((r) => r.partition === 2)!;
    expect(decodeFlumeEvent(p2.value)).toEqual({ headers: { part: '2', ts: '1600000000000', traceId: 'abc' }, body: Buffer.from('to-p2') });
    expect(p2.timestamp).toBe('1600000000000');
    expect(p2.headers.trace?.toString()).toBe('abc');
    expect(recs.find((r) => r.partition === 1)).toBeDefined();
    const o = await readTopic(kafka, other, 1);
    expect(decodeFlumeEvent(o[0]!.value).body.toString()).toBe('to-other');
    expect(o[0]!.partition).toBe(1);
  });

  it.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'])(
    'the one-pass Produce encoder (in use) writes %s batches the broker accepts: keys, partitions, stamps, headers as sent',
    async (codec) => {
      const require = createRequire(import.meta.url);
      const v3 = require.cache[path.join(kafkajsSrc(), 'protocol/requests/produce/v3/request.js')];
      expect(v3?.exports.toString()).toContain('plan(args, parts)'); // produce-fast.ts' module, not kafkajs' own
      const topic = uniqueName(`sink-fast-${codec}`);
      await createTopic(kafka, topic, 3);
      const N = 1500;
      const events = Array.from({ length: N }, (_, i) =>
        createEvent(`v${i}-${'x'.repeat(i % 200)}`, {
          ...(i % 3 === 0 ? {} : { key: `user-${i % 17}` }),
          ts: String(1_700_000_000_000 + i * 1000),
          traceId: `t${i}`,
          ...(i % 5 === 0 ? { part: '2' } : {}),
        }),
      );
      await runSink(
        {
          'kafka.topic': topic,
          flumeBatchSize: '400',
          partitionIdHeader: 'part',
          timestampHeader: 'ts',
          'header.traceId': 'trace',
          'kafka.producer.acks': 'all',
          'kafka.producer.compression.type': codec,
        },
        events,
      );
      const recs = await readTopic(kafka, topic, N);
      const byValue = new Map(recs.map((r) => [r.value.toString(), r]));
      expect(byValue.size).toBe(N);
      const partitioner = kafkajs().Partitioners.DefaultPartitioner();
      const partitionMetadata = [0, 1, 2].map((partitionId) => ({
        partitionId,
        leader: 1,
        replicas: [1],
        isr: [1],
        partitionErrorCode: 0,
      }));
      events.forEach((e, i) => {
        const r = byValue.get(e.body.toString())!;
        expect(r.key).toBe(e.headers.key ?? null);
        expect(r.timestamp).toBe(e.headers.ts);
        expect(r.headers.trace?.toString()).toBe(`t${i}`);
        if (e.headers.part) expect(r.partition).toBe(2);
        else if (e.headers.key) {
          const message = { key: Buffer.from(e.headers.key), value: e.body };
          expect(r.partition).toBe(partitioner({ topic, partitionMetadata, message }));
        }
      });
    },
  );

  it('acks=0 sends without waiting for the broker', async () => {
    const topic = uniqueName('sink-a0');
    await createTopic(kafka, topic, 1);
    await runSink(
      { 'kafka.topic': topic, 'kafka.producer.acks': '0' },
      Array.from({ length: 100 }, (_, i) => createEvent(`m${i}`)),
    );
    expect((await readTopic(kafka, topic, 100)).length).toBe(100);
  });

  it('a failed send rolls the transaction back: the events stay in the channel', async () => {
    const ch = memory('c1');
    await ch.start();
    await withTransaction(ch, (tx) => tx.putAll([createEvent('a'), createEvent('b', { p: 'x' })]));
    const sink = create(
      kafkaSink,
      { 'kafka.bootstrap.servers': svc.kafka.bootstrap, 'kafka.topic': uniqueName('t'), partitionIdHeader: 'p' },
      { name: 'k1', channel: ch },
    ) as KafkaSink;
    await sink.start();
    await expect(sink.process()).rejects.toThrow(EventDeliveryError);
    await expect(sink.process()).rejects.toThrow(/Non integer partition id/);
    await sink.stop();
    expect(ch.size()).toBe(2);
    expect(sink.counter.get('RollbackCount')).toBe(2);
  });

  it('an unreachable broker fails delivery (rolled back), and the sink starts anyway', async () => {
    const ch = memory('c1');
    await ch.start();
    await withTransaction(ch, (tx) => tx.put(createEvent('a')));
    const sink = create(
      kafkaSink,
      {
        'kafka.bootstrap.servers': '127.0.0.1:1',
        'kafka.producer.retries': '0',
        'kafka.producer.request.timeout.ms': '1000',
        'kafka.producer.socket.connection.setup.timeout.ms': '500',
      },
      { name: 'k1', channel: ch },
    ) as KafkaSink;
    await sink.start();
    await expect(sink.process()).rejects.toThrow(/failed to publish 1 event\(s\) to Kafka, rolled back for retry/);
    await sink.stop();
    expect(ch.size()).toBe(1);
  });
});
