import { createRequire } from 'node:module';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { installCodecs } from '../../../src/components/kafka/codecs.js';
import { kafkajsSrc, loadOriginal } from '../../../src/components/kafka/kafkajs-fast.js';
import { HEADROOM, kafkajsParts, makeCreateRequest, makeProduceV3, type ProduceArgs } from '../../../src/components/kafka/produce-fast.js';

// The one-pass Produce request must frame exactly the bytes kafkajs 2.2.4's own modules frame: fresh copies of its
// produce v3 request and protocol/request.js (with its own Record, RecordBatch and CRC-32C) are the reference.
const require = createRequire(import.meta.url);
type V3 = Parameters<typeof makeProduceV3>[0];
type CreateRequest = Parameters<typeof makeCreateRequest>[0];
const originalV3 = loadOriginal<V3>('protocol/requests/produce/v3/request.js');
const originalCreate = loadOriginal<CreateRequest>('protocol/request.js');
const parts = kafkajsParts();
const fastV3 = makeProduceV3(originalV3, parts);
const fastCreate = makeCreateRequest(originalCreate, parts);
const Long = require(path.join(kafkajsSrc(), 'utils/long.js')) as { fromValue(v: unknown): unknown; fromInt(v: number): unknown };
const compression = require(path.join(kafkajsSrc(), 'protocol/message/compression/index.js')) as {
  Codecs: Record<number, () => unknown>;
};

async function frame(make: V3, create: CreateRequest, args: ProduceArgs, clientId: string | null = 'flume-ts') {
  const request = make(args);
  const out = await create({ correlationId: 77, clientId, request });
  return Buffer.from(out.buffer);
}

async function same(args: ProduceArgs, clientId: string | null = 'flume-ts'): Promise<Buffer> {
  const a = await frame(originalV3, originalCreate, structuredCloneArgs(args), clientId);
  const b = await frame(fastV3, fastCreate, structuredCloneArgs(args), clientId);
  expect(b.toString('hex')).toBe(a.toString('hex'));
  return b;
}

/** Each encoder gets its own copy of the messages (kafkajs' spreads must not see the other's objects). */
function structuredCloneArgs(a: ProduceArgs): ProduceArgs {
  return {
    ...a,
    topicData: a.topicData.map((t) => ({
      ...t,
      partitions: t.partitions.map((p) => ({ ...p, messages: p.messages.map((m) => ({ ...m })) })),
    })),
  };
}

const body = Buffer.alloc(100, 0x7f);
const plain = (n: number, extra: (i: number) => Record<string, unknown> = () => ({})) =>
  Array.from({ length: n }, (_, i) => ({ key: null, value: body, ...extra(i) }));

describe('one-pass Produce request (kafkajs 2.2.4 v3 framing)', () => {
  beforeAll(() => installCodecs({ CompressionCodecs: compression.Codecs }));
  afterEach(() => vi.restoreAllMocks());
  const now = () => vi.spyOn(Date, 'now').mockReturnValue(1_796_100_647_727);

  it('keyless 100-byte records over three partitions, acks 1 and -1', async () => {
    now();
    for (const acks of [1, -1, 0]) {
      await same({
        acks,
        timeout: 30_000,
        topicData: [{ topic: 'bench', partitions: [0, 1, 2].map((partition) => ({ partition, messages: plain(333 + partition) })) }],
      });
    }
  });

  it('keys, values and headers of every shape, several topics, multi-byte lengths', async () => {
    now();
    const msgs = [
      { key: Buffer.from('k1'), value: Buffer.alloc(200, 1), headers: { a: Buffer.from('b'), é: 'ü' } },
      { key: 'string key ✓', value: 'string value', headers: { multi: ['x', Buffer.from('y'), ''] } },
      { key: Buffer.alloc(0), value: null },
      { value: Buffer.alloc(70_000, 2), headers: {} },
      { key: 'k', value: Buffer.alloc(127, 3), headers: { n: '1' } },
    ];
    await same({
      acks: -1,
      timeout: 1000,
      topicData: [
        { topic: 'tópico', partitions: [{ partition: 7, messages: msgs }] },
        {
          topic: 't2',
          partitions: [
            { partition: 0, messages: plain(200) },
            { partition: 2, messages: plain(1) },
          ],
        },
      ],
    });
  });

  it('message timestamps (numbers and strings, kafkajs string sort) and the idempotent/transactional fields', async () => {
    now();
    const ts = (i: number) => ({ timestamp: i % 3 === 0 ? String(1_700_000_000_000 + i * 7) : 1_700_000_000_000 - i * 1000 });
    await same({
      acks: -1,
      timeout: 30_000,
      transactionalId: 'tx-é',
      producerId: Long.fromValue('123456789012'),
      producerEpoch: 3,
      topicData: [{ topic: 't', partitions: [{ partition: 1, firstSequence: 42, messages: plain(50, ts) }] }],
    });
    // some messages stamped, some not (those get Date.now())
    await same({
      acks: 1,
      timeout: 30_000,
      topicData: [{ topic: 't', partitions: [{ partition: 0, messages: plain(10, (i) => (i % 2 ? { timestamp: '5' } : {})) }] }],
    });
  });

  it('timestamp deltas beyond 2^52 go to the original encoder', async () => {
    now();
    await same({
      acks: 1,
      timeout: 30_000,
      topicData: [
        { topic: 't', partitions: [{ partition: 0, messages: plain(3, (i) => ({ timestamp: i === 0 ? '0' : String(2 ** 60) })) }] },
      ],
    });
  });

  it.each([1, 2, 3, 4])('compressed batches (codec %i) are the same bytes', async (codec) => {
    now();
    await same({
      acks: 1,
      timeout: 30_000,
      compression: codec,
      topicData: [{ topic: 't', partitions: [0, 1].map((partition) => ({ partition, messages: plain(300, (i) => ({ key: `k${i}` })) })) }],
    });
  });

  it('client ids: none, long (header copied, not written in place), unicode', async () => {
    now();
    const args: ProduceArgs = { acks: 1, timeout: 30_000, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: plain(5) }] }] };
    await same(args, null);
    await same(args, 'x'.repeat(HEADROOM));
    await same(args, 'agent-ü');
  });

  it('the request header is written in front of the payload, no copy', async () => {
    now();
    const request = fastV3({ acks: 1, timeout: 30_000, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: plain(2) }] }] });
    const payload = await request.encode();
    const out = await fastCreate({ correlationId: 1, clientId: 'c', request: { ...request, encode: async () => payload } });
    expect(out.buffer.buffer).toBe(payload.buffer.buffer);
    expect(out.buffer.readInt32BE(0)).toBe(out.buffer.length - 4);
  });
});
