/**
 * Flume's DefaultJMSMessageConverter over AMQP 1.0 messages as Apache ActiveMQ Artemis sends them (its AMQP ⇄ JMS
 * mapping): application properties → headers (String.valueOf of each value), a data section (BytesMessage, and
 * ObjectMessage whose data section already holds the Java-serialized object) → the body bytes, an amqp-value string
 * (TextMessage) → the text in converter.charset, an amqp-value binary → the bytes; map/list bodies (MapMessage,
 * StreamMessage) and empty messages → an empty body, as Flume's converter leaves them. JMSXDeliveryCount (AMQP
 * delivery-count + 1) is a header too: Artemis' JMS client lists it among the property names Flume copies.
 */
import type { Event } from '../../../core/event.js';
import { type Charset, encode } from '../text-codec.js';

/** The parts of an rhea message the converter reads. */
export interface AmqpMessageLike {
  application_properties?: Record<string, unknown>;
  body?: unknown;
  /** AMQP header: earlier unsuccessful delivery attempts */
  delivery_count?: number;
}

const DATA_SECTION = 0x75;

/** Java's String.valueOf for the AMQP property value types Artemis maps to JMS properties. */
function propertyString(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v)) return BigInt(v).toString();
  return String(v);
}

function bodyBytes(body: unknown, charset: Charset): Buffer {
  if (typeof body === 'string') return encode(body, charset);
  if (Buffer.isBuffer(body)) return body;
  if (body && typeof body === 'object' && (body as { typecode?: number }).typecode === DATA_SECTION) {
    const s = body as { content: unknown; multiple?: boolean };
    if (s.multiple && Array.isArray(s.content)) return Buffer.concat(s.content.filter((c): c is Buffer => Buffer.isBuffer(c)));
    if (Buffer.isBuffer(s.content)) return s.content;
  }
  return Buffer.alloc(0);
}

/** One Flume event per message, with DefaultJMSMessageConverter's rules. */
export function convertMessage(m: AmqpMessageLike, charset: Charset): Event {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.application_properties ?? {})) {
    const s = propertyString(v);
    if (s !== undefined) headers[k] = s;
  }
  headers.JMSXDeliveryCount = String((m.delivery_count ?? 0) + 1);
  return { headers, body: bodyBytes(m.body, charset) };
}
