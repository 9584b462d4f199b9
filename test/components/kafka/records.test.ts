import { describe, expect, it } from 'vitest';
import { Partitioners } from 'kafkajs';
import { toRecord } from '../../../src/components/sinks/kafka.js';
import { toEvent } from '../../../src/components/sources/kafka.js';
import { encodeFlumeEvent } from '../../../src/components/kafka/flume-event.js';
import { escapeTopic, splitTopics } from '../../../src/components/kafka/common.js';
import { createEvent } from '../../../src/core/event.js';
import { EventDeliveryError } from '../../../src/core/errors.js';

const sinkOpts = {
  topic: 'default-flume-topic',
  useFlumeEventFormat: false,
  allowTopicOverride: true,
  topicHeader: 'topic',
  headerMap: {} as Record<string, string>,
  defaultPartitionId: undefined as number | undefined,
  partitionIdHeader: undefined as string | undefined,
  timestampHeader: undefined as string | undefined,
};

describe('Kafka sink record (KafkaSink.process rules)', () => {
  it('takes key, topic override, partition and timestamp from headers', () => {
    const e = createEvent('body', { key: 'k1', topic: 'other', p: '2', ts: '1700000000000', h1: 'v1' });
    const r = toRecord(e, {
      ...sinkOpts,
      partitionIdHeader: 'p',
      defaultPartitionId: 0,
      timestampHeader: 'ts',
      headerMap: { h1: 'kh1', missing: 'x' },
    });
    expect(r.topic).toBe('other');
    expect(r.message).toEqual({
      key: Buffer.from('k1'),
      value: Buffer.from('body'),
      partition: 2,
      timestamp: '1700000000000',
      headers: { kh1: Buffer.from('v1') },
    });
  });

  it('falls back to defaultPartitionId, the escaped kafka.topic, and no key', () => {
    const r = toRecord(createEvent('b', { app: 'web' }), {
      ...sinkOpts,
      topic: 'logs-%{app}',
      defaultPartitionId: 1,
      partitionIdHeader: 'p',
    });
    expect(r).toEqual({ topic: 'logs-web', message: { key: null, value: Buffer.from('b'), partition: 1 } });
    // allowTopicOverride=false: the topic header is ignored and kafka.topic is used as is (Flume does not escape it then)
    expect(toRecord(createEvent('b', { topic: 'x' }), { ...sinkOpts, allowTopicOverride: false, topic: 't-%{a}' }).topic).toBe('t-%{a}');
  });

  it('fails the batch on a non-integer partition header; ignores a bad timestamp', () => {
    expect(() => toRecord(createEvent('b', { p: 'two' }), { ...sinkOpts, partitionIdHeader: 'p' })).toThrow(EventDeliveryError);
    expect(toRecord(createEvent('b', { ts: 'yesterday' }), { ...sinkOpts, timestampHeader: 'ts' }).message.timestamp).toBeUndefined();
  });

  it('writes the Flume event format when asked', () => {
    const e = createEvent('hi', { a: 'b' });
    expect(toRecord(e, { ...sinkOpts, useFlumeEventFormat: true }).message.value).toEqual(encodeFlumeEvent(e));
  });

  it("partitions keyed records like the Java client's murmur2 default partitioner", () => {
    // Kafka's own UtilsTest.testMurmur2 vectors: toPositive(murmur2(key)) % n is Java's partition for a key
    const java: Record<string, number> = { '21': -973932308, foobar: -790332482, 'a-little-bit-long-string': -985981536, abc: 479470107 };
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2, 3, 4].map((p) => ({ partitionId: p, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));
    for (const [key, hash] of Object.entries(java)) {
      const expected = (hash & 0x7fffffff) % 5;
      expect(partitioner({ topic: 't', partitionMetadata, message: { key, value: 'v' } })).toBe(expected);
      // the sink sends keys as UTF-8 Buffers: same partition
      expect(partitioner({ topic: 't', partitionMetadata, message: { key: Buffer.from(key, 'utf8'), value: 'v' } })).toBe(expected);
    }
  });
});

describe('Kafka source event (KafkaSource.doProcess header rules)', () => {
  const o = { useFlumeEventFormat: false, setTopicHeader: true, topicHeader: 'topic', headerMap: {} as Record<string, string> };
  const msg = {
    key: Buffer.from('k'),
    value: Buffer.from('v'),
    timestamp: '1700000000123',
    offset: '42',
    headers: { trace: Buffer.from('abc') },
  };

  it('sets timestamp, topic, partition, offset and key headers', () => {
    const e = toEvent('t1', 3, msg, { ...o, headerMap: { traceId: 'trace', none: 'nope' } });
    expect(e.body.toString()).toBe('v');
    expect(e.headers).toEqual({ timestamp: '1700000000123', topic: 't1', partition: '3', offset: '42', key: 'k', traceId: 'abc' });
    expect(toEvent('t1', 3, { ...msg, key: null }, { ...o, setTopicHeader: false, topicHeader: 'x' }).headers).toEqual({
      timestamp: '1700000000123',
      partition: '3',
      offset: '42',
    });
  });

  it('keeps headers carried in the Flume event format, except key which the record key overwrites', () => {
    const value = encodeFlumeEvent(
      createEvent('inner', { timestamp: '1', topic: 'orig', partition: '9', offset: '8', key: 'old', x: 'y' }),
    );
    const e = toEvent('t1', 0, { ...msg, value }, { ...o, useFlumeEventFormat: true });
    expect(e.body.toString()).toBe('inner');
    expect(e.headers).toEqual({ timestamp: '1', topic: 'orig', partition: '9', offset: '8', key: 'k', x: 'y' });
  });

  it('throws on a plain payload read with useFlumeEventFormat', () => {
    expect(() => toEvent('t', 0, { ...msg, value: Buffer.from('plain text payload') }, { ...o, useFlumeEventFormat: true })).toThrow(
      /not an Avro-encoded Flume event/,
    );
  });
});

describe('helpers', () => {
  it('split kafka.topics like Flume', () => {
    expect(splitTopics(' a , b,c ')).toEqual(['a', 'b', 'c']);
  });
  it('escape %{header} in the topic', () => {
    expect(escapeTopic('x-%{a}-%{b}', { a: '1' })).toBe('x-1-');
  });
});
