/**
 * What Flume 1.9's Elasticsearch sink put into each document and which index it went to
 * (flume-ng-sinks/flume-ng-elasticsearch-sink @ release-1.9.0: ElasticSearchLogStashEventSerializer,
 * ElasticSearchDynamicSerializer, ContentBuilderUtil, TimeBasedIndexNameBuilder, SimpleIndexNameBuilder,
 * TimestampedEvent, ElasticSearchSink.parseTTL), as JSON text ready for a bulk request.
 */
import { BucketPath, resolveTimeZone, type TimeZoneInfo } from '../../shared/bucket-path.js';
import type { Event } from '../../../core/event.js';
import { FlumeError } from '../../../core/errors.js';
import { javaHashMapKeys } from '../../shared/java-hashmap.js';
import { JavaDateFormat } from './date-format.js';

const PKG = 'org.apache.flume.sink.elasticsearch.';
export const LOGSTASH_SERIALIZER = `${PKG}ElasticSearchLogStashEventSerializer`;
export const DYNAMIC_SERIALIZER = `${PKG}ElasticSearchDynamicSerializer`;
export const TIME_BASED_BUILDER = `${PKG}TimeBasedIndexNameBuilder`;
export const SIMPLE_BUILDER = `${PKG}SimpleIndexNameBuilder`;

/** An event that cannot become a document (a bad timestamp, an escape that needs a missing header): rejected for good. */
export class DocumentError extends FlumeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('FLUME_ES_DOCUMENT', message, options);
  }
}

/** commons-lang StringUtils.isBlank. */
const isBlank = (s: string | undefined): boolean => s === undefined || s.trim() === '';

/** Java's Long.parseLong (no trimming); NaN when it would throw. */
function javaLong(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) return NaN;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : NaN;
}

function parseTimestamp(s: string, header: string): number {
  const n = javaLong(s);
  if (Number.isNaN(n)) throw new DocumentError(`header ${header}="${s}" is not a number of milliseconds since the epoch`);
  return n;
}

/** Whether one of the first 20 bytes (UTF-8) of `s` is '{' (ES 0.90 XContentFactory.xContentType's JSON guess). */
function braceInHead(s: string): boolean {
  let bytes = 0;
  for (let i = 0; i < s.length && bytes < 20; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x7b) return true;
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xdc00 ? 4 : 3;
    if (c >= 0xd800 && c < 0xdc00) i++;
  }
  return false;
}

function bufferBraceInHead(b: Buffer): boolean {
  const n = Math.min(b.length, 20);
  for (let i = 0; i < n; i++) if (b[i] === 0x7b) return true;
  return false;
}

/**
 * ContentBuilderUtil.appendField as JSON text: a value that looks like JSON ('{' in its first 20 bytes) and parses
 * as one JSON value is embedded as that value (its own text, kept exactly, newlines outside strings made spaces);
 * anything else is a JSON string.
 */
export function fieldValue(data: Buffer | string): string {
  const looksJson = typeof data === 'string' ? braceInHead(data) : bufferBraceInHead(data);
  const text = typeof data === 'string' ? data : data.toString('utf8');
  if (looksJson) {
    try {
      JSON.parse(text);
      return text.replace(/[\r\n]/g, ' ');
    } catch {
      // not JSON after all: indexed as text, as Flume does after a JsonParseException
    }
  }
  return JSON.stringify(text);
}

/** `@timestamp` as XContentBuilder printed a java.util.Date (ISO 8601 in UTC, milliseconds). */
function isoDate(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) throw new DocumentError(`timestamp ${ms} is out of range`);
  return d.toISOString();
}

function fields(h: Record<string, string>): string {
  let s = '';
  for (const k of javaHashMapKeys(h)) s += `${s === '' ? '' : ','}${JSON.stringify(k)}:${fieldValue(h[k]!)}`;
  return s;
}

/** ElasticSearchLogStashEventSerializer: @message, @timestamp, @source, @type, @source_host, @source_path, @fields. */
export function logstashDocument(e: Event): string {
  const h = e.headers;
  let s = `{"@message":${fieldValue(e.body)}`;
  const ts = h.timestamp;
  if (!isBlank(ts) && isBlank(h['@timestamp'])) s += `,"@timestamp":"${isoDate(parseTimestamp(ts!, 'timestamp'))}"`;
  if (!isBlank(h.source) && isBlank(h['@source'])) s += `,"@source":${fieldValue(h.source!)}`;
  if (!isBlank(h.type) && isBlank(h['@type'])) s += `,"@type":${fieldValue(h.type!)}`;
  if (!isBlank(h.host) && isBlank(h['@source_host'])) s += `,"@source_host":${fieldValue(h.host!)}`;
  if (!isBlank(h.src_path) && isBlank(h['@source_path'])) s += `,"@source_path":${fieldValue(h.src_path!)}`;
  return `${s},"@fields":{${fields(h)}}}`;
}

/** ElasticSearchDynamicSerializer: `body` and then every header as a top-level field. */
export function dynamicDocument(e: Event): string {
  const f = fields(e.headers);
  return `{"body":${fieldValue(e.body)}${f === '' ? '' : ','}${f}}`;
}

export type Serializer = (e: Event) => string;

/** The serializer for a `serializer` value (FQCN, or the simple class name), or undefined if unknown. */
export function serializerFor(name: string): Serializer | undefined {
  const n = name.trim();
  if (n === LOGSTASH_SERIALIZER || n === 'ElasticSearchLogStashEventSerializer') return logstashDocument;
  if (n === DYNAMIC_SERIALIZER || n === 'ElasticSearchDynamicSerializer') return dynamicDocument;
  return undefined;
}

/** TimestampedEvent: the `timestamp` header, else `@timestamp`, else now. */
export function eventTime(h: Record<string, string>, now: () => number = Date.now): number {
  if (!isBlank(h.timestamp)) return parseTimestamp(h.timestamp!, 'timestamp');
  if (!isBlank(h['@timestamp'])) return parseTimestamp(h['@timestamp']!, '@timestamp');
  return now();
}

export interface IndexNamer {
  name(e: Event): string;
}

function escaper(indexName: string): (e: Event) => string {
  const bp = new BucketPath(indexName);
  return (e) => {
    try {
      return bp.escape(e.headers);
    } catch (err) {
      throw new DocumentError(`cannot resolve indexName "${indexName}": ${(err as Error).message}`, { cause: err });
    }
  };
}

/** SimpleIndexNameBuilder: indexName with its escapes resolved. */
export function simpleIndexNamer(indexName: string): IndexNamer {
  const esc = escaper(indexName);
  return { name: esc };
}

/** TimeBasedIndexNameBuilder: `<indexName with escapes>-<event time in dateFormat, timeZone>`. */
export function timeBasedIndexNamer(indexName: string, dateFormat: string, zone: TimeZoneInfo, now?: () => number): IndexNamer {
  const esc = escaper(indexName);
  const fmt = new JavaDateFormat(dateFormat, zone);
  return { name: (e) => `${esc(e)}-${fmt.format(eventTime(e.headers, now))}` };
}

export function indexNamerFor(builder: string, indexName: string, dateFormat: string, timeZone: string): IndexNamer | undefined {
  const b = builder.trim();
  if (b === SIMPLE_BUILDER || b === 'SimpleIndexNameBuilder') return simpleIndexNamer(indexName);
  if (b === TIME_BASED_BUILDER || b === 'TimeBasedIndexNameBuilder') {
    const zone = resolveTimeZone(timeZone) ?? resolveTimeZone('GMT')!;
    return timeBasedIndexNamer(indexName, dateFormat, zone);
  }
  return undefined;
}

/**
 * ElasticSearchSink.parseTTL: leading digits and a unit (ms, s, m, h, d, w; none = days), case-sensitive unit;
 * anything else gives 0 (which the sink's configure() then rejects).
 */
export function parseTtl(ttl: string): number {
  const m = /^(\d+)(\D*)/.exec(ttl);
  if (!m) return 0;
  const n = Number(m[1]);
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, '': 86_400_000 };
  const f = unit[m[2]!];
  return f === undefined ? 0 : n * f;
}
