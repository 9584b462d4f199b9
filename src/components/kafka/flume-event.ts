/**
 * Flume's "Flume event format" for Kafka records (KafkaSink/KafkaSource `useFlumeEventFormat`, KafkaChannel
 * `parseAsFlumeEvent`): the record value is one AvroFlumeEvent in Avro binary encoding — no container, no framing, no
 * schema fingerprint — exactly what Java's SpecificDatumWriter + directBinaryEncoder write:
 *
 *   record AvroFlumeEvent { map<string> headers; bytes body; }   (namespace org.apache.flume.source.avro)
 *
 * A map is written as one block (item count, key/value pairs) and a 0 terminator; an empty map is just 0.
 */
import type { Type } from 'avsc';
import { avsc } from '../shared/lazy.js';
import type { Event } from '../../core/event.js';
import { FlumeError } from '../../core/errors.js';
import { putVarint, varintSize } from '../shared/varint.js';

let avroFlumeEvent: Type | undefined;
const flumeEventType = (): Type =>
  (avroFlumeEvent ??= avsc().Type.forSchema({
    type: 'record',
    name: 'AvroFlumeEvent',
    namespace: 'org.apache.flume.source.avro',
    fields: [
      { name: 'headers', type: { type: 'map', values: 'string' } },
      { name: 'body', type: 'bytes' },
    ],
  }));

const zz = (n: number): number => n * 2; // zig-zag of a non-negative length or count

const varSize = varintSize;
const putVar = putVarint;

/**
 * One event as AvroFlumeEvent binary, written by hand (the bytes avsc writes: one map block of the headers in their
 * order, 0, then the body) into one exactly sized buffer. A header value that is not a string goes through avsc.
 */
export function encodeFlumeEvent(event: Event): Buffer {
  const h = event.headers;
  const keys = Object.keys(h);
  let size = 1 + varSize(zz(event.body.length)) + event.body.length;
  if (keys.length > 0) size += varSize(zz(keys.length));
  for (const k of keys) {
    const v = h[k];
    if (typeof v !== 'string') return flumeEventType().toBuffer({ headers: h, body: event.body });
    const kl = Buffer.byteLength(k);
    const vl = Buffer.byteLength(v);
    size += varSize(zz(kl)) + kl + varSize(zz(vl)) + vl;
  }
  const buf = Buffer.allocUnsafe(size);
  let pos = 0;
  if (keys.length > 0) pos = putVar(buf, pos, zz(keys.length));
  for (const k of keys) {
    const v = h[k]!;
    pos = putVar(buf, pos, zz(Buffer.byteLength(k)));
    pos += buf.write(k, pos, 'utf8');
    pos = putVar(buf, pos, zz(Buffer.byteLength(v)));
    pos += buf.write(v, pos, 'utf8');
  }
  buf[pos++] = 0;
  pos = putVar(buf, pos, zz(event.body.length));
  event.body.copy(buf, pos);
  return buf;
}

/** Thrown inside the decoder for a value that ends early or is not Avro; turned into FLUME_KAFKA_EVENT_FORMAT. */
const TRUNCATED = Symbol('truncated');

/** Reads an Avro long (zig-zag varint) within safe integers. */
function readLong(buf: Buffer, pos: number, end: number): [number, number] {
  let z = 0;
  let mul = 1;
  for (let i = 0; i < 8; i++) {
    if (pos >= end) throw TRUNCATED;
    const b = buf[pos++]!;
    z += (b & 0x7f) * mul;
    if (b < 0x80) return [z % 2 === 0 ? z / 2 : -(z + 1) / 2, pos];
    mul *= 128;
  }
  throw TRUNCATED;
}

function readSlice(buf: Buffer, pos: number, end: number): [number, number] {
  const [len, p] = readLong(buf, pos, end);
  if (len < 0 || p + len > end) throw TRUNCATED;
  return [p, p + len];
}

/** The map blocks and the body, read by hand (Avro binary: blocks of count, [block byte size,] entries; 0 ends). */
function decodeFast(value: Buffer, start: number, end: number): Event {
  const headers: Record<string, string> = {};
  let pos = start;
  for (;;) {
    let [n, p] = readLong(value, pos, end);
    pos = p;
    if (n === 0) break;
    if (n < 0) {
      n = -n;
      [, pos] = readLong(value, pos, end); // the block's byte size
    }
    for (let i = 0; i < n; i++) {
      const [ks, ke] = readSlice(value, pos, end);
      const [vs, ve] = readSlice(value, ke, end);
      headers[value.toString('utf8', ks, ke)] = value.toString('utf8', vs, ve);
      pos = ve;
    }
  }
  const [bs, be] = readSlice(value, pos, end);
  // a copy: the record's value is a view of the whole fetch response
  const body = Buffer.allocUnsafe(be - bs);
  value.copy(body, 0, bs, be);
  return { headers, body };
}

/**
 * Decodes one AvroFlumeEvent. Like Java's decoder it ignores bytes after the record; it throws a clear error when
 * the value is not an AvroFlumeEvent (truncated, or a plain payload read with the Flume format switched on).
 */
export function decodeFlumeEvent(value: Buffer): Event {
  return decodeFlumeEventAt(value, 0, value.length);
}

/** decodeFlumeEvent of value[start, end) (a record's value inside a fetched buffer), without a sub-buffer. */
export function decodeFlumeEventAt(value: Buffer, start: number, end: number): Event {
  try {
    return decodeFast(value, start, end);
  } catch (err) {
    if (err !== TRUNCATED) throw err;
  }
  const n = end - start;
  throw new FlumeError('FLUME_KAFKA_EVENT_FORMAT', `not an Avro-encoded Flume event (${n} bytes, truncated or a plain payload)`);
}
