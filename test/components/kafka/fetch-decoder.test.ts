import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  installCodecs,
  lz4Compress,
  lz4Decompress,
  snappyCompress,
  snappyDecompress,
  zstdCompress,
  zstdDecompress,
} from '../../../src/components/kafka/codecs.js';
import { FetchedRecord, makeBatch, makeDecodeMessages } from '../../../src/components/kafka/fetch-decoder.js';
import { loadOriginal } from '../../../src/components/kafka/kafkajs-fast.js';
import { kafkajs } from '../../../src/components/shared/lazy.js';

// The one-pass decoder must give exactly what kafkajs 2.2.4's own decodeMessages gives on the same bytes: compared
// with a fresh copy of kafkajs' module (its record decoder unpatched), field by field.
type DecodeFn = (d: { buffer: Buffer; offset: number }) => Promise<unknown[]>;
const originalDecode = loadOriginal<DecodeFn>('protocol/requests/fetch/v4/decodeMessages.js');
const Decoder = loadOriginal<new (b: Buffer) => { buffer: Buffer; offset: number }>('protocol/decoder.js');
const recordOf = loadOriginal<(r: Record<string, unknown>) => { buffer: Buffer }>('protocol/recordBatch/record/v0/index.js');

const codecs: Record<number, { compress(b: Buffer): Buffer | Promise<Buffer>; decompress(b: Buffer): Buffer | Promise<Buffer> }> = {
  1: { compress: gzipSync, decompress: gunzipSync },
  2: { compress: snappyCompress, decompress: snappyDecompress },
  3: { compress: lz4Compress, decompress: lz4Decompress },
  4: { compress: zstdCompress, decompress: zstdDecompress },
};
const codecOf = (a: number) => {
  const c = codecs[a & 7];
  return c ? { decompress: async (b: Buffer) => Buffer.from(await c.decompress(b)) } : null;
};
const fastDecode = makeDecodeMessages(originalDecode, codecOf);
installCodecs(kafkajs()); // kafkajs' decoder reads snappy, lz4 and zstd through our codecs, as in the agent

interface BatchSpec {
  firstOffset: bigint;
  firstTimestamp: bigint;
  maxTimestamp?: bigint;
  attributes?: number;
  producerId?: bigint;
  records: Array<Record<string, unknown>>;
}

/** A RecordBatch v2 as a broker stores it (CRC not checked by either decoder, left 0). */
async function batch(s: BatchSpec): Promise<Buffer> {
  const attributes = s.attributes ?? 0;
  let records = Buffer.concat(s.records.map((r) => recordOf(r).buffer));
  const codec = codecs[attributes & 7];
  if (codec) records = Buffer.from(await codec.compress(records));
  const head = Buffer.alloc(61);
  head.writeBigInt64BE(s.firstOffset, 0);
  head.writeInt32BE(49 + records.length, 8);
  head.writeInt32BE(7, 12);
  head.writeInt8(2, 16);
  head.writeInt16BE(attributes, 21);
  head.writeInt32BE(s.records.length - 1, 23);
  head.writeBigInt64BE(s.firstTimestamp, 27);
  head.writeBigInt64BE(s.maxTimestamp ?? s.firstTimestamp + 10n, 35);
  head.writeBigInt64BE(s.producerId ?? -1n, 43);
  head.writeInt16BE(3, 51);
  head.writeInt32BE(11, 53);
  head.writeInt32BE(s.records.length, 57);
  return Buffer.concat([head, records]);
}

/** A partition's record set as it sits in a Fetch response (int32 size, then the batches), between other bytes. */
const recordSet = (batches: Buffer[], cut?: number): Buffer => {
  let set = Buffer.concat(batches);
  if (cut !== undefined) set = set.subarray(0, cut);
  const size = Buffer.alloc(4);
  size.writeInt32BE(set.length);
  return Buffer.concat([Buffer.from([9, 9, 9]), size, set, Buffer.from([7, 7])]);
};

/** A decoded message as plain data (getters read), to compare with kafkajs' objects. */
const plain = (m: unknown) => {
  const r = m as Record<string, unknown>;
  return {
    magicByte: r.magicByte,
    attributes: r.attributes,
    timestamp: r.timestamp,
    offset: r.offset,
    key: r.key,
    value: r.value,
    headers: r.headers,
    isControlRecord: r.isControlRecord,
    batchContext: r.batchContext,
  };
};

async function both(bytes: Buffer) {
  const a = new Decoder(bytes);
  const b = new Decoder(bytes);
  a.offset = 3;
  b.offset = 3;
  const outcome = async (f: DecodeFn, d: { buffer: Buffer; offset: number }) => {
    try {
      return { messages: (await f(d)).map(plain), at: d.offset };
    } catch (e) {
      return { threw: (e as Error).name };
    }
  };
  return { kafkajs: await outcome(originalDecode, a), fast: await outcome(fastDecode, b) };
}

const T0 = 1_796_100_647_727n;
const records = [
  { key: Buffer.from('k1'), value: Buffer.alloc(100, 'x'), offsetDelta: 0, timestampDelta: 0 },
  { key: null, value: Buffer.from('no key'), offsetDelta: 1, timestampDelta: 5 },
  { key: Buffer.from('k3'), value: null, offsetDelta: 2, timestampDelta: -3 },
  { key: Buffer.alloc(0), value: Buffer.alloc(0), offsetDelta: 3, timestampDelta: 1 },
  { key: 'é', value: 'v', offsetDelta: 4, timestampDelta: 2, headers: { a: 'b', h2: Buffer.from([0, 1]) } },
  { value: 'm', offsetDelta: 6, timestampDelta: 70_000, headers: { multi: ['x', Buffer.from('y'), 'z'], empty: '' } },
];

describe('one-pass fetch decoder (fetch-decoder.ts) against kafkajs decodeMessages', () => {
  it.each([0, 1, 2, 3, 4])('a record set of two batches, codec %i, decodes as kafkajs decodes it', async (codec) => {
    const bytes = recordSet([
      await batch({ firstOffset: 1000n, firstTimestamp: T0, attributes: codec, records }),
      await batch({ firstOffset: 1007n, firstTimestamp: T0 + 99n, attributes: codec, records: records.slice(0, 2) }),
    ]);
    const { kafkajs, fast } = await both(bytes);
    expect(fast).toEqual(kafkajs);
    expect(kafkajs.messages).toHaveLength(8);
  });

  it('returns FetchedRecords on the fast path, kafkajs objects otherwise', async () => {
    const ok = recordSet([await batch({ firstOffset: 0n, firstTimestamp: T0, records })]);
    const d = new Decoder(ok);
    d.offset = 3;
    expect((await fastDecode(d)).every((m) => m instanceof FetchedRecord)).toBe(true);
    // an offset beyond safe integers: kafkajs' decoder (and its strings) for the whole set
    const big = recordSet([await batch({ firstOffset: 2n ** 60n, firstTimestamp: T0, records })]);
    const { kafkajs, fast } = await both(big);
    expect(fast).toEqual(kafkajs);
    const d2 = new Decoder(big);
    d2.offset = 3;
    expect((await fastDecode(d2)).some((m) => m instanceof FetchedRecord)).toBe(false);
  });

  it('control batches, transactional batches, LogAppendTime and timestamp -1 read as in kafkajs', async () => {
    const control = [{ key: Buffer.from([0, 0, 0, 0]), value: Buffer.from([0, 0, 0, 0, 0, 1]), offsetDelta: 0, timestampDelta: 0 }];
    const bytes = recordSet([
      await batch({ firstOffset: 10n, firstTimestamp: T0, attributes: 0x10, producerId: 4242n, records: records.slice(0, 3) }),
      await batch({ firstOffset: 13n, firstTimestamp: T0, attributes: 0x30, producerId: 4242n, records: control }),
      await batch({ firstOffset: 14n, firstTimestamp: T0, maxTimestamp: T0 + 500n, attributes: 0x08 | 1, records }),
      await batch({ firstOffset: 21n, firstTimestamp: -1n, maxTimestamp: -1n, records: records.slice(0, 2) }),
    ]);
    const { kafkajs, fast } = await both(bytes);
    expect(fast).toEqual(kafkajs);
    expect((kafkajs as { messages: Array<{ isControlRecord: boolean }> }).messages.filter((m) => m.isControlRecord)).toHaveLength(1);
  });

  it('every truncation of a record set (the broker cuts fetches at maxBytes) reads as in kafkajs', async () => {
    const batches = [
      await batch({ firstOffset: 0n, firstTimestamp: T0, records }),
      await batch({ firstOffset: 6n, firstTimestamp: T0, attributes: 1, records }),
    ];
    const whole = Buffer.concat(batches).length;
    for (let cut = 0; cut <= whole; cut++) {
      const { kafkajs, fast } = await both(recordSet(batches, cut));
      expect(fast, `cut at ${cut}`).toEqual(kafkajs);
    }
  });

  it('a record that does not parse inside a complete batch gives kafkajs outcome (fallback)', async () => {
    const good = await batch({ firstOffset: 0n, firstTimestamp: T0, records });
    for (const at of [61, 62, 64, 70, 90, good.length - 3]) {
      const bad = Buffer.from(good);
      bad[at] = 0xff;
      const { kafkajs, fast } = await both(recordSet([bad]));
      expect(fast, `byte ${at}`).toEqual(kafkajs);
    }
  });

  it('an empty or negative-size record set reads as in kafkajs', async () => {
    for (const size of [0, -1, 5]) {
      const b = Buffer.alloc(3 + 4 + 10);
      b.writeInt32BE(size, 3);
      const { kafkajs, fast } = await both(b);
      expect(fast).toEqual(kafkajs);
    }
  });
});

describe('Batch with FetchedRecords', () => {
  type Ctor = Parameters<typeof makeBatch>[0];
  const Original = loadOriginal<Ctor>('consumer/batch.js');
  const filterAborted = loadOriginal<Parameters<typeof makeBatch>[1]>('consumer/filterAbortedMessages.js');
  const Fast = makeBatch(Original, filterAborted);
  const methods = [
    'isEmpty',
    'isEmptyIncludingFiltered',
    'isEmptyDueToFiltering',
    'isEmptyControlRecord',
    'firstOffset',
    'lastOffset',
    'offsetLag',
    'offsetLagLow',
  ];
  const view = (b: Record<string, unknown>) => ({
    ...Object.fromEntries(methods.map((m) => [m, (b[m] as () => unknown).call(b)])),
    fields: [b.topic, b.partition, b.highWatermark, b.fetchedOffset],
    raw: (b.rawMessages as unknown[]).map(plain),
    within: (b.messagesWithinOffset as unknown[]).map(plain),
    messages: (b.messages as unknown[]).map(plain),
  });

  it('filters by fetched offset, aborted transactions and control records as kafkajs does', async () => {
    const control = [{ key: Buffer.from([0, 0, 0, 0]), value: Buffer.from([0, 0, 0, 0, 0, 1]), offsetDelta: 0, timestampDelta: 0 }];
    const bytes = recordSet([
      await batch({ firstOffset: 10n, firstTimestamp: T0, records: records.slice(0, 3) }),
      await batch({ firstOffset: 13n, firstTimestamp: T0, attributes: 0x10, producerId: 77n, records: records.slice(0, 2) }),
      await batch({ firstOffset: 15n, firstTimestamp: T0, attributes: 0x30, producerId: 77n, records: control }),
      await batch({ firstOffset: 16n, firstTimestamp: T0, records: records.slice(0, 2) }),
    ]);
    const d = new Decoder(bytes);
    d.offset = 3;
    const messages = await fastDecode(d);
    const cases = [
      { fetched: '10', aborted: [] },
      { fetched: '12', aborted: [] },
      { fetched: '11', aborted: [{ producerId: '77', firstOffset: '13' }] },
      { fetched: '18', aborted: [] },
      { fetched: '16', aborted: [] },
    ];
    for (const c of cases) {
      const p = { partition: 2, highWatermark: '18', abortedTransactions: c.aborted, messages };
      const a = new Original('t', c.fetched, p) as unknown as Record<string, unknown>;
      const b = new Fast('t', c.fetched, p) as unknown as Record<string, unknown>;
      expect(b instanceof Original).toBe(true);
      expect(view(b)).toEqual(view(a));
    }
    const empty = { partition: 0, highWatermark: '5', messages: [] };
    expect(view(new Fast('t', '5', empty) as never)).toEqual(view(new Original('t', '5', empty) as never));
  });
});

describe('Kafka source events from FetchedRecords', () => {
  it('recordEvent builds the event toEvent builds from kafkajs fields, for every option', async () => {
    const { recordEvent, toEvent } = await import('../../../src/components/sources/kafka.js');
    const { encodeFlumeEvent } = await import('../../../src/components/kafka/flume-event.js');
    const flume = encodeFlumeEvent({ headers: { h: '1', timestamp: '5', offset: 'x' }, body: Buffer.from('body') });
    const withFlume = [{ key: Buffer.from('k'), value: flume, offsetDelta: 0, timestampDelta: 0, headers: { kh: ['a', 'b'] } }];
    const bytes = recordSet([
      await batch({ firstOffset: 40n, firstTimestamp: T0, records }),
      await batch({ firstOffset: 50n, firstTimestamp: T0, maxTimestamp: T0 + 9n, attributes: 0x08, records: withFlume }),
    ]);
    const d = new Decoder(bytes);
    d.offset = 3;
    const messages = (await fastDecode(d)) as FetchedRecord[];
    const options: Array<{
      useFlumeEventFormat: boolean;
      setTopicHeader: boolean;
      topicHeader: string;
      headerMap: Record<string, string>;
    }> = [
      { useFlumeEventFormat: false, setTopicHeader: true, topicHeader: 'topic', headerMap: {} },
      { useFlumeEventFormat: false, setTopicHeader: false, topicHeader: 'topic', headerMap: { a: 'a', m: 'multi', k: 'kh' } },
    ];
    for (const o of options) {
      for (const m of messages) {
        expect(recordEvent('t', '2', m, o, Object.keys(o.headerMap).length > 0)).toEqual(toEvent('t', 2, m as never, o));
      }
    }
    const last = messages[messages.length - 1]!;
    const o = { useFlumeEventFormat: true, setTopicHeader: true, topicHeader: 'tp', headerMap: { k: 'kh' } };
    expect(recordEvent('t', '2', last, o, true)).toEqual(toEvent('t', 2, last as never, o));
  });
});
