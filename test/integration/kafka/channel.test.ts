import './fast-paths-first.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { kafkaChannel, type KafkaChannel } from '../../../src/components/channels/kafka.js';
import { decodeFlumeEvent, encodeFlumeEvent } from '../../../src/components/kafka/flume-event.js';
import { withTransaction } from '../../../src/core/channel.js';
import { createEvent, type Event } from '../../../src/core/event.js';
import { create } from '../../support/context.js';
import { useServices, type Services } from '../../support/services.js';
import { client, createTopic, produce, readTopic, uniqueName, until } from './helpers.js';

describe('Kafka channel against a real broker', () => {
  let svc: Services<'kafka'>;
  let kafka: Kafka;
  const open: KafkaChannel[] = [];
  beforeAll(async () => {
    svc = await useServices(['kafka']);
    kafka = client(svc.kafka.brokers);
  });
  afterAll(async () => {
    for (const c of open) await c.stop();
    await svc?.release();
  });

  async function channel(topic: string, group: string, extra: Record<string, string> = {}): Promise<KafkaChannel> {
    const ch = create(
      kafkaChannel,
      {
        'kafka.bootstrap.servers': svc.kafka.bootstrap,
        'kafka.topic': topic,
        'kafka.consumer.group.id': group,
        'kafka.consumer.session.timeout.ms': '10000',
        'kafka.consumer.heartbeat.interval.ms': '500',
        ...extra,
      },
      { name: 'c1' },
    ) as KafkaChannel;
    await ch.start();
    open.push(ch);
    return ch;
  }

  /** Takes (and commits) until `n` events arrived or the time is up. */
  async function takeAll(ch: KafkaChannel, n: number, timeoutMs = 60_000): Promise<Event[]> {
    const out: Event[] = [];
    await until(async () => {
      const tx = ch.begin();
      out.push(...(await tx.take(500)));
      await tx.commit();
      if (out.length < n) await ch.waitForEvents(200);
      return out.length >= n;
    }, timeoutMs);
    return out;
  }

  it('puts commit on acknowledgement as Flume events; takes return them with headers and commit offsets', async () => {
    const topic = uniqueName('ch');
    await createTopic(kafka, topic, 3);
    const group = uniqueName('g');
    const ch = await channel(topic, group);
    const N = 2000;
    for (let i = 0; i < N; i += 500) {
      await withTransaction(ch, (tx) =>
        tx.putAll(Array.from({ length: 500 }, (_, j) => createEvent(`m${i + j}`, { n: String(i + j), key: `k${(i + j) % 7}` }))),
      );
    }
    expect(ch.counter.get('EventPutSuccessCount')).toBe(N);
    // what is in Kafka is Flume's AvroFlumeEvent, keyed by the key header
    const raw = await readTopic(kafka, topic, N);
    expect(raw.length).toBe(N);
    for (const r of raw.slice(0, 50)) {
      const e = decodeFlumeEvent(r.value);
      expect(e.body.toString()).toBe(`m${e.headers.n}`);
      expect(r.key).toBe(e.headers.key);
    }
    const got = await takeAll(ch, N);
    expect(got.length).toBe(N);
    expect(new Set(got.map((e) => e.body.toString())).size).toBe(N);
    const e7 = got.find((e) => e.body.toString() === 'm7')!;
    expect(e7.headers).toEqual({ n: '7', key: 'k0' });
    await ch.stop();
    open.pop();
    // offsets committed: a new channel in the same group finds nothing more
    const again = await channel(topic, group);
    const more = await takeAll(again, 1, 5000);
    expect(more.length).toBe(0);
  });

  it('rollback returns takes first; with interleaved transactions only fully committed prefixes are committed', async () => {
    const topic = uniqueName('ch-rb');
    await createTopic(kafka, topic, 1);
    const group = uniqueName('g');
    const ch = await channel(topic, group);
    await withTransaction(ch, (tx) => tx.putAll(Array.from({ length: 40 }, (_, i) => createEvent(`m${i}`))));
    // wait until prefetched
    const first = ch.begin();
    await until(async () => ((await first.take(1)).length === 0 ? (await ch.waitForEvents(200), false) : true), 30_000);
    await first.rollback();
    const t1 = ch.begin();
    const a = await t1.take(10);
    expect(a.map((e) => e.body.toString())).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']);
    const t2 = ch.begin();
    const b = await t2.take(10);
    expect(b[0]!.body.toString()).toBe('m10');
    await t2.commit(); // m10..m19 done, but m0..m9 are not: nothing may be committed yet
    await t1.rollback();
    const t3 = ch.begin();
    expect((await t3.take(3)).map((e) => e.body.toString())).toEqual(['m0', 'm1', 'm2']);
    await t3.rollback();
    await ch.stop();
    open.pop();
    // a restart in the same group reads from m0 again: nothing was lost
    const again = await channel(topic, group);
    const got = await takeAll(again, 30);
    expect(got[0]!.body.toString()).toBe('m0');
    expect(new Set(got.map((e) => e.body.toString())).size).toBeGreaterThanOrEqual(30);
  });

  it('uncommitted takes of a stopped channel are delivered by the next reader; foreign records with parseAsFlumeEvent=false', async () => {
    const topic = uniqueName('ch-plain');
    await createTopic(kafka, topic, 3);
    await produce(
      kafka,
      topic,
      Array.from({ length: 300 }, (_, i) => ({ key: i % 2 ? `k${i}` : null, value: `plain${i}` })),
    );
    const group = uniqueName('g');
    const a = await channel(topic, group, { parseAsFlumeEvent: 'false' });
    const taken: Event[] = [];
    const tx = a.begin();
    await until(async () => (taken.push(...(await tx.take(50))), taken.length > 0 || (await a.waitForEvents(200), false)), 30_000);
    // the agent goes away without committing that transaction
    await a.stop();
    open.pop();
    const b = await channel(topic, group, { parseAsFlumeEvent: 'false' });
    const got = await takeAll(b, 300);
    const bodies = new Set(got.map((e) => e.body.toString()));
    expect(bodies.size).toBe(300);
    for (const e of taken) expect(bodies.has(e.body.toString())).toBe(true);
    const k1 = got.find((e) => e.body.toString() === 'plain1')!;
    expect(k1.headers).toEqual({ key: 'k1' });
    expect(got.find((e) => e.body.toString() === 'plain2')!.headers).toEqual({});
  });

  it('a record that is not a Flume event is logged and skipped, not stalling the channel', async () => {
    const topic = uniqueName('ch-bad');
    await createTopic(kafka, topic, 1);
    await produce(kafka, topic, [{ value: 'not avro at all, just text' }, { value: encodeFlumeEvent(createEvent('ok', { h: '1' })) }]);
    const ch = await channel(topic, uniqueName('g'));
    const got = await takeAll(ch, 1);
    expect(got.map((e) => e.body.toString())).toEqual(['ok']);
  });
});
