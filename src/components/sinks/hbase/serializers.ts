/**
 * Flume's HBase event serializers, producing the same row keys, columns, values and increments:
 * - SimpleHbaseEventSerializer / SimpleHBase2EventSerializer / SimpleAsyncHbaseEventSerializer: the body into
 *   `payloadColumn` (default pCol) of row `rowPrefix` + suffix (uuid: a random UUID, random: a Java long from
 *   java.util.Random, timestamp: System.currentTimeMillis(), nano: a nanosecond clock), and +1 on `incrementColumn`
 *   (default iCol) of row `incrementRow` (default incRow). An empty payloadColumn (or incrementColumn) turns that off.
 * - RegexHbaseEventSerializer / RegexHBase2EventSerializer: `regex` (default `(.*)`, DOTALL, + CASE_INSENSITIVE with
 *   regexIgnoreCase) must match the whole body (decoded with `charset`); group i goes to column colNames[i] (split on
 *   ","; default `payload`), except group rowKeyIndex, which is the row key; otherwise the key is
 *   `<millis>-<10 random alphanumerics, fixed per process>-<counter from 0, per process>`. depositHeaders puts every
 *   header as a column too. A body that does not match, or whose group count differs from colNames, writes nothing.
 */
import { isUtf8 } from 'node:buffer';
import { randomInt, randomUUID } from 'node:crypto';
import { FlumeError } from '../../../core/errors.js';
import type { Event } from '../../../core/event.js';
import { compileJavaRegex, type JavaRegex } from '../../interceptors/java-regex.js';
import type { Mutation } from './client.js';

export interface HBaseSerializer {
  /** The puts and increments for one event (Flume's getActions() then getIncrements()). */
  serialize(event: Event, family: Buffer): { puts: Mutation[]; increments: Mutation[] };
}

export class SerializerError extends FlumeError {
  constructor(message: string) {
    super('FLUME_HBASE_SERIALIZER', message);
  }
}

const SIMPLE = [
  'org.apache.flume.sink.hbase.SimpleHbaseEventSerializer',
  'org.apache.flume.sink.hbase2.SimpleHBase2EventSerializer',
  'org.apache.flume.sink.hbase.SimpleAsyncHbaseEventSerializer',
];
const REGEX = ['org.apache.flume.sink.hbase.RegexHbaseEventSerializer', 'org.apache.flume.sink.hbase2.RegexHBase2EventSerializer'];

/** Serializer class names flume-ts knows. */
export const SERIALIZERS = [...SIMPLE, ...REGEX];

/** Builds the serializer named `cls` from its `serializer.*` properties. */
export function createSerializer(cls: string, props: Readonly<Record<string, string>>): HBaseSerializer {
  if (SIMPLE.includes(cls)) return new SimpleSerializer(props);
  if (REGEX.includes(cls)) return new RegexSerializer(props);
  throw new SerializerError(`serializer ${cls} is not available in flume-ts; use one of ${SERIALIZERS.join(', ')}`);
}

/** Java's new Random().nextLong(), as text: a signed 64-bit value. */
function javaRandomLong(): string {
  const hi = BigInt(randomInt(0, 2 ** 32));
  const lo = BigInt(randomInt(0, 2 ** 32));
  return BigInt.asIntN(64, (hi << 32n) | lo).toString();
}

const NANO_ORIGIN = process.hrtime.bigint();

export class SimpleSerializer implements HBaseSerializer {
  private readonly rowPrefix: string;
  private readonly incrementRow: Buffer;
  private readonly suffix: string;
  private readonly payloadColumn?: Buffer;
  private readonly incrementColumn?: Buffer;

  constructor(p: Readonly<Record<string, string>>) {
    this.rowPrefix = p.rowPrefix ?? 'default';
    this.incrementRow = Buffer.from(p.incrementRow ?? 'incRow', 'utf8');
    this.suffix = p.suffix ?? 'uuid';
    const pCol = p.payloadColumn ?? 'pCol';
    const iCol = p.incrementColumn ?? 'iCol';
    if (pCol) this.payloadColumn = Buffer.from(pCol, 'utf8');
    if (iCol) this.incrementColumn = Buffer.from(iCol, 'utf8');
  }

  rowKey(): Buffer {
    switch (this.suffix) {
      case 'timestamp':
        return Buffer.from(this.rowPrefix + Date.now(), 'utf8');
      case 'random':
        return Buffer.from(this.rowPrefix + javaRandomLong(), 'utf8');
      case 'nano':
        return Buffer.from(this.rowPrefix + (process.hrtime.bigint() - NANO_ORIGIN).toString(), 'utf8');
      default:
        return Buffer.from(this.rowPrefix + randomUUID(), 'utf8');
    }
  }

  serialize(event: Event, family: Buffer): { puts: Mutation[]; increments: Mutation[] } {
    const puts: Mutation[] = this.payloadColumn
      ? [{ type: 'put', row: this.rowKey(), cells: [{ family, qualifier: this.payloadColumn, value: event.body }] }]
      : [];
    const increments: Mutation[] = this.incrementColumn
      ? [{ type: 'increment', row: this.incrementRow, cells: [{ family, qualifier: this.incrementColumn, amount: 1n }] }]
      : [];
    return { puts, increments };
  }
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Flume's RegexHbaseEventSerializer.randomKey (RandomStringUtils.randomAlphanumeric(10)), one per process. */
const RANDOM_KEY = Array.from({ length: 10 }, () => ALNUM[randomInt(0, ALNUM.length)]).join('');
/** Flume's static nonce: shared by every regex serializer of the process. */
let nonce = 0;

/** Node's Buffer encodings for Java charset names (the ones Node can encode). */
function encodingOf(charset: string): BufferEncoding {
  const c = charset.toLowerCase().replace(/_/g, '-');
  if (c === 'utf-8' || c === 'utf8') return 'utf8';
  if (c === 'iso-8859-1' || c === 'latin1' || c === 'us-ascii' || c === 'ascii') return 'latin1';
  if (c === 'utf-16le') return 'utf16le';
  throw new SerializerError(
    `charset ${charset} is not supported by flume-ts's regex serializer (use UTF-8, ISO-8859-1, US-ASCII or UTF-16LE)`,
  );
}

export class RegexSerializer implements HBaseSerializer {
  private readonly rx: JavaRegex;
  private readonly full: RegExp;
  private readonly colNames: Buffer[];
  private readonly rowKeyIndex: number;
  private readonly depositHeaders: boolean;
  private readonly enc: BufferEncoding;
  /**
   * The default regex `(.*)` with one column and charset UTF-8: group 1 is the whole body, so a body that is valid
   * UTF-8 is its own value (decoding and re-encoding gives the same bytes); other bodies take the general path, whose
   * decoding replaces malformed sequences with U+FFFD as Java's String does.
   */
  private readonly wholeBody: boolean;

  constructor(p: Readonly<Record<string, string>>) {
    this.enc = encodingOf(p.charset ?? 'UTF-8');
    const regex = p.regex ?? '(.*)';
    const ignoreCase = (p.regexIgnoreCase ?? 'false').toLowerCase() === 'true';
    this.depositHeaders = (p.depositHeaders ?? 'false').toLowerCase() === 'true';
    try {
      this.rx = compileJavaRegex(regex, ignoreCase ? 'si' : 's');
    } catch (err) {
      throw new SerializerError(`serializer.regex "${regex}" is not a valid pattern: ${(err as Error).message}`);
    }
    this.full = new RegExp(`^(?:${this.rx.source})$`, this.rx.flags.replace('m', ''));
    const names = (p.colNames ?? 'payload').split(',');
    this.colNames = names.map((s) => Buffer.from(s, this.enc));
    this.rowKeyIndex = p.rowKeyIndex === undefined ? -1 : Number.parseInt(p.rowKeyIndex.trim(), 10);
    if (Number.isNaN(this.rowKeyIndex)) throw new SerializerError(`serializer.rowKeyIndex "${p.rowKeyIndex}" is not an integer`);
    if (this.rowKeyIndex >= 0) {
      if (this.rowKeyIndex >= names.length) {
        throw new SerializerError(`rowKeyIndex must be less than num columns ${names.length}`);
      }
      if (names[this.rowKeyIndex].toUpperCase() !== 'ROW_KEY') {
        throw new SerializerError(`Column at ${this.rowKeyIndex} must be ROW_KEY and is ${names[this.rowKeyIndex]}`);
      }
    }
    this.wholeBody = regex === '(.*)' && names.length === 1 && this.rowKeyIndex < 0 && this.enc === 'utf8' && !this.depositHeaders;
  }

  /** `<millis>-<randomKey>-<nonce>`, Flume's default row key. */
  static rowKey(enc: BufferEncoding = 'utf8'): Buffer {
    return Buffer.from(`${Date.now()}-${RANDOM_KEY}-${nonce++}`, enc);
  }

  serialize(event: Event, family: Buffer): { puts: Mutation[]; increments: Mutation[] } {
    if (this.wholeBody && isUtf8(event.body)) {
      const put: Mutation = {
        type: 'put',
        row: RegexSerializer.rowKey(),
        cells: [{ family, qualifier: this.colNames[0], value: event.body }],
      };
      return { puts: [put], increments: [] };
    }
    const m = this.full.exec(event.body.toString(this.enc));
    if (!m || this.rx.groupCount !== this.colNames.length) return { puts: [], increments: [] };
    const group = (i: number): string => m[this.rx.groupIndex[i] ?? i] ?? '';
    const row = this.rowKeyIndex < 0 ? RegexSerializer.rowKey(this.enc) : Buffer.from(group(this.rowKeyIndex + 1), 'utf8');
    const cells = [];
    for (let i = 0; i < this.colNames.length; i++) {
      if (i !== this.rowKeyIndex) cells.push({ family, qualifier: this.colNames[i], value: Buffer.from(group(i + 1), 'utf8') });
    }
    if (this.depositHeaders) {
      for (const [k, v] of Object.entries(event.headers)) {
        cells.push({ family, qualifier: Buffer.from(k, this.enc), value: Buffer.from(v, this.enc) });
      }
    }
    return { puts: [{ type: 'put', row, cells }], increments: [] };
  }
}
