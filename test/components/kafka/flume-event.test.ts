import { describe, expect, it } from 'vitest';
import { decodeFlumeEvent, encodeFlumeEvent } from '../../../src/components/kafka/flume-event.js';
import { createEvent } from '../../../src/core/event.js';

describe('Flume event format (AvroFlumeEvent binary, as KafkaSink/KafkaChannel write it)', () => {
  it('encodes to the golden bytes of Avro binary encoding', () => {
    // map block: count 1 (zigzag 02), "a" (len 02, 61), "b" (02, 62), end of map 00; body: len 2 (04) "hi"
    expect(encodeFlumeEvent(createEvent('hi', { a: 'b' })).toString('hex')).toBe('020261026200046869');
    // empty map is a single 0; empty body is length 0
    expect(encodeFlumeEvent(createEvent('', {})).toString('hex')).toBe('0000');
    // UTF-8 strings, multi-byte lengths (body of 200 bytes: zigzag(200)=400 = 0x90 0x03)
    const e = encodeFlumeEvent(createEvent(Buffer.alloc(200, 1), { ключ: 'é' }));
    expect(e.subarray(0, 14).toString('hex')).toBe('02' + '10' + Buffer.from('ключ').toString('hex') + '04c3a9' + '00');
    expect(e.subarray(14, 16).toString('hex')).toBe('9003');
  });

  it('decodes what Java writes, including multi-block maps and trailing bytes', () => {
    // two headers written as two blocks of one (a legal Avro encoding), then a trailing byte Java would ignore
    const bytes = Buffer.from('0202610262' + '0202630264' + '00' + '0678797a' + 'ff', 'hex');
    const e = decodeFlumeEvent(bytes);
    expect(e.headers).toEqual({ a: 'b', c: 'd' });
    expect(e.body.toString()).toBe('xyz');
  });

  it('round-trips binary bodies and many headers', () => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < 50; i++) headers[`h${i}`] = `v${i}`.repeat(i);
    const body = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
    const back = decodeFlumeEvent(encodeFlumeEvent(createEvent(body, headers)));
    expect(back.headers).toEqual(headers);
    expect(back.body.equals(body)).toBe(true);
  });

  it('writes what avsc writes, and reads negative-count blocks (with their byte size) as avsc does', async () => {
    const avsc = await import('avsc');
    const type = avsc.Type.forSchema({
      type: 'record',
      name: 'AvroFlumeEvent',
      namespace: 'org.apache.flume.source.avro',
      fields: [
        { name: 'headers', type: { type: 'map', values: 'string' } },
        { name: 'body', type: 'bytes' },
      ],
    });
    for (let n = 0; n < 40; n++) {
      const headers: Record<string, string> = {};
      for (let i = 0; i < n % 7; i++) headers[`k${i}-${'é'.repeat(n)}`] = 'v'.repeat(n * 13);
      const body = Buffer.alloc(n * 37, n);
      const bytes = encodeFlumeEvent(createEvent(body, headers));
      expect(bytes.equals(type.toBuffer({ headers, body }))).toBe(true);
      expect(decodeFlumeEvent(bytes)).toEqual({ headers, body });
    }
    // a block written with a negative count and its byte size (legal Avro, what buffering writers emit)
    const neg = Buffer.from('01' + '0a' + '0261' + '0262' + '00' + '047879', 'hex');
    expect(decodeFlumeEvent(neg)).toEqual({ headers: { a: 'b' }, body: Buffer.from('xy') });
    expect(type.fromBuffer(neg)).toEqual({ headers: { a: 'b' }, body: Buffer.from('xy') });
  });

  it('rejects a plain payload with a clear error', () => {
    expect(() => decodeFlumeEvent(Buffer.from('hello world, not avro'))).toThrow(/not an Avro-encoded Flume event/);
    expect(() => decodeFlumeEvent(Buffer.from('0202', 'hex'))).toThrow(/not an Avro-encoded Flume event/);
  });
});
