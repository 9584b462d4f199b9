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

export function encodeFlumeEvent(event: Event): Buffer {
  return flumeEventType().toBuffer({ headers: event.headers, body: event.body });
}

/**
 * Decodes one AvroFlumeEvent. Like Java's decoder it ignores bytes after the record; it throws a clear error when
 * the value is not an AvroFlumeEvent (truncated, or a plain payload read with the Flume format switched on).
 */
export function decodeFlumeEvent(value: Buffer): Event {
  let res: { value: unknown; offset: number };
  try {
    res = flumeEventType().decode(value, 0);
  } catch (err) {
    throw new FlumeError('FLUME_KAFKA_EVENT_FORMAT', `not an Avro-encoded Flume event (${(err as Error).message})`);
  }
  if (res.offset < 0 || res.value === undefined) {
    throw new FlumeError(
      'FLUME_KAFKA_EVENT_FORMAT',
      `not an Avro-encoded Flume event (${value.length} bytes, truncated or a plain payload)`,
    );
  }
  const rec = res.value as { headers: Record<string, string>; body: Buffer };
  // avsc returns a plain object for the map; copy into a fresh record so interceptors may mutate it safely.
  return { headers: { ...rec.headers }, body: Buffer.from(rec.body) };
}
