import { describe, expect, it, vi } from 'vitest';
import {
  crc32c,
  groupMessagesPerPartition,
  loadOriginal,
  makeRecord,
  makeRecordDecoder,
} from '../../../src/components/kafka/kafkajs-fast.js';

// The replacements must write exactly what kafkajs 2.2.4's own modules write: compared with fresh copies of them.
type RecordFn = Parameters<typeof makeRecord>[0];
const originalRecord = loadOriginal<RecordFn>('protocol/recordBatch/record/v0/index.js');
const fastRecord = makeRecord(originalRecord);
const originalCrc = loadOriginal<(b: Buffer) => number>('protocol/recordBatch/crc32C/index.js');
type DecoderFn = Parameters<typeof makeRecordDecoder>[0];
const originalDecoder = loadOriginal<DecoderFn>('protocol/recordBatch/record/v0/decoder.js');
const fastDecoder = makeRecordDecoder(originalDecoder);
const Decoder = loadOriginal<new (b: Buffer) => { buffer: Buffer; offset: number; readVarIntBytes(): Buffer }>('protocol/decoder.js');
const originalGroup = loadOriginal<typeof groupMessagesPerPartition>('producer/groupMessagesPerPartition.js');

describe('kafkajs fast paths', () => {
  const cases: Array<Record<string, unknown>> = [
    {},
    { key: null, value: Buffer.alloc(100, 'x'), offsetDelta: 0, timestampDelta: 0 },
    { key: Buffer.from('k1'), value: Buffer.alloc(100, 'x'), offsetDelta: 999, timestampDelta: 0 },
    { key: 'é-key', value: 'a string value ✓', offsetDelta: 70000, timestampDelta: -5 },
    { key: Buffer.alloc(0), value: null, offsetDelta: 1, timestampDelta: 1_700_000_000_000 },
    {
      key: Buffer.from('k'),
      value: Buffer.alloc(300, 1),
      offsetDelta: 63,
      timestampDelta: 64,
      headers: { a: 'b', h2: Buffer.from([0, 1]) },
    },
    {
      value: Buffer.from('v'),
      headers: { multi: ['x', Buffer.from('y')], empty: '' },
      offsetDelta: 8191,
      timestampDelta: -1_700_000_000_000,
    },
    { value: Buffer.from('v'), timestampDelta: 2 ** 60, offsetDelta: 2 },
  ];
  it.each(cases.map((c, i) => [i, c]))('record %i is byte-identical to kafkajs Record v0', (_i, c) => {
    const a = originalRecord({ ...c });
    const b = fastRecord({ ...c });
    expect(b.buffer.equals(a.buffer)).toBe(true);
    expect(b.size()).toBe(a.size());
    expect(Buffer.isBuffer(b.buf)).toBe(true);
  });

  const contexts: Array<Record<string, unknown>> = [
    { firstOffset: '0', firstTimestamp: '1796100647727', magicByte: 2, timestampType: 0, maxTimestamp: '1796100647999' },
    { firstOffset: '123456789012', firstTimestamp: '-1', magicByte: 2, isControlBatch: true },
    { firstOffset: '5', firstTimestamp: '1796100647727', magicByte: 2, timestampType: 1, maxTimestamp: '1796100647999' },
    { firstOffset: '9223372036854775000', firstTimestamp: '1796100647727', magicByte: 2 },
  ];
  it.each(cases.flatMap((c, i) => contexts.map((x, j) => [i, j, c, x])))(
    'record %i in batch context %i decodes as kafkajs decodes it',
    (_i, _j, c, ctx) => {
      // decodeRecord hands the record decoder a Decoder over the bytes after the length varint
      const body = new Decoder(originalRecord({ ...(c as object) }).buffer).readVarIntBytes();
      const a = new Decoder(body);
      const b = new Decoder(body);
      expect(fastDecoder(b, ctx as object)).toEqual(originalDecoder(a, ctx as object));
      expect(b.offset).toBe(a.offset);
    },
  );

  it('a truncated record reads as in kafkajs', () => {
    const outcome = (f: DecoderFn, b: Buffer) => {
      try {
        return f(new Decoder(b), contexts[0]);
      } catch (e) {
        return `threw ${(e as Error).name}`;
      }
    };
    const whole = originalRecord({ key: Buffer.from('k'), value: Buffer.alloc(50), headers: { h: 'v' } }).buffer;
    for (let n = 1; n < whole.length; n++)
      expect(outcome(fastDecoder, whole.subarray(1, n))).toEqual(outcome(originalDecoder, whole.subarray(1, n)));
  });

  it('crc32c matches kafkajs on every length 0…300 and a large buffer', () => {
    const big = Buffer.alloc(100_003);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    for (let n = 0; n <= 300; n++) expect(crc32c(big.subarray(7, 7 + n))).toBe(originalCrc(big.subarray(7, 7 + n)));
    expect(crc32c(big)).toBe(originalCrc(big));
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283); // the CRC-32C check value
  });

  it('groups messages per partition in order, as kafkajs does', () => {
    const messages = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i % 17}`, value: String(i) }));
    const partitioner = ({ message }: { message: unknown }) => Number((message as { value: string }).value) % 3;
    const o = { topic: 't', partitionMetadata: [{}, {}, {}], messages, partitioner };
    expect(groupMessagesPerPartition(o)).toEqual(originalGroup(o));
    expect(groupMessagesPerPartition({ ...o, partitionMetadata: [] })).toEqual({});
  });
});

describe('kafkajs broker sockets', () => {
  it("have Nagle's algorithm off (TCP_NODELAY, as Java's client) and keep kafkajs' keep-alive", async () => {
    const net = await import('node:net');
    const { noDelaySocketFactory } = await import('../../../src/components/kafka/kafkajs-fast.js');
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as import('node:net').AddressInfo).port;
    const noDelay = vi.spyOn(net.Socket.prototype, 'setNoDelay');
    const keepAlive = vi.spyOn(net.Socket.prototype, 'setKeepAlive');
    try {
      await new Promise<void>((resolve) => {
        const socket = noDelaySocketFactory()({ host: '127.0.0.1', port, onConnect: () => resolve() });
        socket.on('close', () => undefined);
      });
      expect(noDelay).toHaveBeenCalledWith(true);
      expect(keepAlive).toHaveBeenCalledWith(true, 60_000);
    } finally {
      vi.restoreAllMocks();
      server.close();
    }
  });
});
