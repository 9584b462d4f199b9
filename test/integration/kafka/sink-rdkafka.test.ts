// The Kafka sink on librdkafka (-Dflume-ts.kafka.client=rdkafka, the optional node-rdkafka binding that .ci/run builds
// against Debian's librdkafka-dev): same records, same partitions for the same keys as the kafkajs sink, rollback on
// failure, and kafkajs kept (with a warning) where the librdkafka path does not map the settings (TLS/SASL).
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { kafkaSink, type KafkaSink } from '../../../src/components/sinks/kafka.js';
import { decodeFlumeEvent } from '../../../src/components/kafka/flume-event.js';
import { withTransaction } from '../../../src/core/channel.js';
import { createEvent, type Event } from '../../../src/core/event.js';
import { setSystemProperties } from '../../../src/core/system-properties.js';
import { create, memory } from '../../support/context.js';
import { useServices, type Services } from '../../support/services.js';
import { client, createTopic, readTopic, uniqueName } from './helpers.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

describe('Kafka sink on librdkafka (flume-ts.kafka.client=rdkafka)', () => {
  let svc: Services<'kafka'>;
  let kafka: Kafka;
  beforeAll(async () => {
    svc = await useServices(['kafka']);
    kafka = client(svc.kafka.brokers);
  });
  afterAll(async () => {
    setSystemProperties({});
    await svc?.release();
  });

  async function runSink(clientName: string, props: Record<string, string>, events: Event[]) {
    setSystemProperties({ 'flume-ts.kafka.client': clientName });
    const { lines, logger } = capture();
    const ch = memory('c1', 100_000, 10_000);
    await ch.start();
    for (let i = 0; i < events.length; i += 1000) await withTransaction(ch, (tx) => tx.putAll(events.slice(i, i + 1000)));
    const raw = { 'kafka.bootstrap.servers': svc.kafka.bootstrap, ...props };
    const sink = create(kafkaSink, raw, { name: 'k1', channel: ch, logger }) as KafkaSink;
    await sink.start();
    try {
      while (ch.size() > 0) await sink.process();
    } finally {
      await sink.stop();
    }
    return { sink, lines };
  }

  it('delivers every event with acks=all; a key lands in the partition the kafkajs sink chooses', async () => {
    const [rdTopic, jsTopic] = [uniqueName('sink-rd'), uniqueName('sink-js')];
    await createTopic(kafka, rdTopic, 3);
    await createTopic(kafka, jsTopic, 3);
    const N = 3000;
    const events = Array.from({ length: N }, (_, i) => createEvent(`m${i}`, { key: `user${i % 20}` }));
    const props = { 'kafka.producer.acks': 'all', flumeBatchSize: '500' };
    const rd = await runSink('rdkafka', { ...props, 'kafka.topic': rdTopic }, events);
    expect(rd.lines.find((l) => l.msg === 'Kafka sink starting')?.client).toBe('librdkafka');
    expect(rd.sink.counter.get('EventDrainSuccessCount')).toBe(N);
    const js = await runSink('kafkajs', { ...props, 'kafka.topic': jsTopic }, events);
    expect(js.lines.find((l) => l.msg === 'Kafka sink starting')?.client).toBe('kafkajs');
    const [rdRecs, jsRecs] = [await readTopic(kafka, rdTopic, N), await readTopic(kafka, jsTopic, N)];
    expect(new Set(rdRecs.map((r) => r.value.toString())).size).toBe(N);
    const partitionOf = (recs: typeof rdRecs) => new Map(recs.map((r) => [r.key, r.partition]));
    expect(partitionOf(rdRecs)).toEqual(partitionOf(jsRecs));
    expect(new Set(rdRecs.map((r) => r.partition)).size).toBeGreaterThan(1);
  });

  it('honours the partition header, timestamps, header.* and the Flume event format', async () => {
    const topic = uniqueName('sink-rd-h');
    await createTopic(kafka, topic, 3);
    const events = [createEvent('a', { p: '2', ts: '1700000000123', tenant: 'acme' }), createEvent('b', { p: '1', ts: '1700000000456' })];
    const props = {
      'kafka.topic': topic,
      partitionIdHeader: 'p',
      timestampHeader: 'ts',
      'header.tenant': 'x-tenant',
      useFlumeEventFormat: 'true',
    };
    await runSink('rdkafka', props, events);
    const recs = (await readTopic(kafka, topic, 2)).sort((x, y) => x.partition - y.partition);
    expect(recs.map((r) => r.partition)).toEqual([1, 2]);
    expect(recs.map((r) => r.timestamp)).toEqual(['1700000000456', '1700000000123']);
    expect(recs[1]!.headers['x-tenant']?.toString()).toBe('acme');
    expect(decodeFlumeEvent(recs[1]!.value).body.toString()).toBe('a');
  });

  it('an unreachable broker fails delivery (rolled back); TLS/SASL settings keep kafkajs with a warning', async () => {
    setSystemProperties({ 'flume-ts.kafka.client': 'rdkafka' });
    const ch = memory('c1');
    await ch.start();
    await withTransaction(ch, (tx) => tx.put(createEvent('a')));
    const { lines, logger } = capture();
    const raw = { 'kafka.bootstrap.servers': '127.0.0.1:1', 'kafka.producer.request.timeout.ms': '1000' };
    const sink = create(kafkaSink, raw, { name: 'k1', channel: ch, logger }) as KafkaSink;
    await sink.start();
    expect(lines.find((l) => l.msg === 'Kafka sink starting')?.client).toBe('librdkafka');
    await expect(sink.process()).rejects.toThrow(/failed to publish 1 event\(s\) to Kafka, rolled back for retry/);
    await sink.stop();
    expect(ch.size()).toBe(1);

    const sasl = capture();
    const saslRaw = {
      'kafka.bootstrap.servers': '127.0.0.1:1',
      'kafka.producer.security.protocol': 'SASL_PLAINTEXT',
      'kafka.producer.sasl.mechanism': 'PLAIN',
      'kafka.producer.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";',
    };
    const saslSink = create(kafkaSink, saslRaw, { name: 'k2', channel: ch, logger: sasl.logger }) as KafkaSink;
    await saslSink.start();
    await saslSink.stop();
    expect(sasl.lines.find((l) => l.msg === 'Kafka sink starting')?.client).toBe('kafkajs');
    expect(sasl.lines.some((l) => String(l.msg).includes('TLS/SASL settings are mapped for kafkajs only'))).toBe(true);
    expect(JSON.stringify(sasl.lines)).not.toContain('password="p"');
  });
});
