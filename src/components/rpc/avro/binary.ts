/**
 * The few pieces of the Avro binary encoding that Flume's AvroSourceProtocol needs (spec "Binary Encoding"):
 * zig-zag varint int/long, length-prefixed string/bytes, blocked maps and arrays, fixed, unions, booleans.
 * Hand-written for speed: a batch is decoded with body `subarray`s into the request buffer (no copies) and encoded
 * into one exactly-sized buffer.
 */
import { bodyLength, copyBody, headersIfAny, SliceEvent, type Event } from '../../../core/event.js';
import { RpcProtocolError } from '../errors.js';
import { FlumeError } from '../../../core/errors.js';

/** A cursor over one Avro-encoded message. Every read checks bounds and throws RpcProtocolError on bad input. */
export class AvroReader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    pos = 0,
  ) {
    this.pos = pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** A zig-zag varint long (exact up to 2^53, which bounds every length and count we accept). */
  long(): number {
    const buf = this.buf;
    let b = 0;
    let n = 0;
    let mul = 1;
    let i = 0;
    do {
      if (this.pos >= buf.length) throw new RpcProtocolError('truncated Avro varint');
      if (i >= 10) throw new RpcProtocolError('malformed Avro varint (more than 10 bytes)');
      b = buf[this.pos++]!;
      n += (b & 0x7f) * mul;
      mul *= 128;
      i++;
    } while (b & 0x80);
    // zig-zag: (n >>> 1) ^ -(n & 1), on doubles
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  int(): number {
    return this.long();
  }

  boolean(): boolean {
    if (this.pos >= this.buf.length) throw new RpcProtocolError('truncated Avro boolean');
    return this.buf[this.pos++] !== 0;
  }

  private length(what: string): number {
    const n = this.long();
    if (n < 0 || n > this.buf.length - this.pos) {
      throw new RpcProtocolError(`Avro ${what} length ${n} exceeds the ${this.buf.length - this.pos} bytes left in the message`);
    }
    return n;
  }

  /** Bytes as a view into the message buffer (no copy). */
  bytes(): Buffer {
    const n = this.length('bytes');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    const n = this.length('string');
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  fixed(size: number): Buffer {
    if (this.buf.length - this.pos < size) throw new RpcProtocolError(`truncated Avro fixed(${size})`);
    const out = this.buf.subarray(this.pos, this.pos + size);
    this.pos += size;
    return out;
  }

  /**
   * The item count of the next block of a map or array (0 ends it). A negative count is followed by the block's byte
   * size, which we skip. `minItemBytes` bounds the count by what is left, so garbage cannot make us loop or allocate.
   */
  blockCount(minItemBytes: number): number {
    let n = this.long();
    if (n < 0) {
      n = -n;
      this.long();
    }
    if (n * minItemBytes > this.buf.length - this.pos) {
      throw new RpcProtocolError(`Avro block of ${n} items cannot fit in the ${this.buf.length - this.pos} bytes left`);
    }
    return n;
  }

  /**
   * map<string> → a record with own data properties only (a header named `__proto__` stays a header), or undefined
   * when the map is empty (no record made).
   */
  private stringMap(): Record<string, string> | undefined {
    let out: Record<string, string> | undefined;
    for (let n = this.blockCount(2); n !== 0; n = this.blockCount(2)) {
      out ??= {};
      for (let i = 0; i < n; i++) {
        const k = this.string();
        const v = this.string();
        if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
        else out[k] = v;
      }
    }
    return out;
  }

  /** map<bytes> (call and handshake meta). */
  bytesMap(): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    for (let n = this.blockCount(2); n !== 0; n = this.blockCount(2)) {
      for (let i = 0; i < n; i++) out.set(this.string(), this.bytes());
    }
    return out;
  }

  /**
   * AvroFlumeEvent { map<string> headers; bytes body; }, as a SliceEvent of the message buffer: the body view, and an
   * empty header map, are made only if something asks for them (the avro sink and the line serializers do not).
   */
  event(): Event {
    const headers = this.stringMap();
    const n = this.length('bytes');
    const e = new SliceEvent(this.buf, this.pos, this.pos + n);
    this.pos += n;
    if (headers) e.headers = headers;
    return e;
  }

  /** array<AvroFlumeEvent> */
  events(): Event[] {
    const out: Event[] = [];
    for (let n = this.blockCount(2); n !== 0; n = this.blockCount(2)) {
      for (let i = 0; i < n; i++) out.push(this.event());
    }
    return out;
  }
}

/** Byte length of a zig-zag varint long. */
export function longSize(v: number): number {
  let n = v >= 0 ? v * 2 : -v * 2 - 1;
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Writes a zig-zag varint long at `pos`; returns the new position. */
export function writeLong(buf: Buffer, pos: number, v: number): number {
  let n = v >= 0 ? v * 2 : -v * 2 - 1;
  while (n >= 128) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/** A growable writer for the small, rare messages (handshakes, errors). */
export class AvroWriter {
  private buf = Buffer.allocUnsafe(256);
  pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  long(v: number): this {
    this.ensure(10);
    this.pos = writeLong(this.buf, this.pos, v);
    return this;
  }

  int(v: number): this {
    return this.long(v);
  }

  boolean(v: boolean): this {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
    return this;
  }

  bytes(b: Buffer): this {
    this.long(b.length);
    return this.raw(b);
  }

  string(s: string): this {
    return this.bytes(Buffer.from(s, 'utf8'));
  }

  raw(b: Buffer): this {
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
    return this;
  }

  /** A union branch index. */
  branch(i: number): this {
    return this.long(i);
  }

  bytesMap(m: ReadonlyMap<string, Buffer>): this {
    if (m.size > 0) {
      this.long(m.size);
      for (const [k, v] of m) this.string(k).bytes(v);
    }
    return this.long(0);
  }

  toBuffer(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/**
 * Encodes array<AvroFlumeEvent> (appendBatch's parameter record) after `prefix`, into one exactly-sized buffer that
 * also leaves `headroom` bytes free at the front (for the Netty frame header): the front of `scratch` when it is large
 * enough (the caller owns it and nothing else reads it any more), else a new buffer.
 */
export function encodeEventBatch(events: readonly Event[], prefix: Buffer, headroom: number, scratch?: Buffer): Buffer {
  const n = events.length;
  // first pass: sizes (and each event's header count); a SliceEvent's bodies are copied from the buffer it was
  // received in, and its header map is not made when it has none
  const strLens: number[] = [];
  const counts: number[] = new Array<number>(n);
  let size = headroom + prefix.length + (n > 0 ? longSize(n) : 0) + 1;
  for (let i = 0; i < n; i++) {
    const e = events[i]!;
    const h = headersIfAny(e);
    let count = 0;
    for (const k in h) {
      const kl = Buffer.byteLength(k, 'utf8');
      const vl = Buffer.byteLength(h[k]!, 'utf8');
      strLens.push(kl, vl);
      size += longSize(kl) + kl + longSize(vl) + vl;
      count++;
    }
    counts[i] = count;
    const bl = bodyLength(e);
    size += (count > 0 ? longSize(count) : 0) + 1 + longSize(bl) + bl;
  }
  const buf = scratch !== undefined && scratch.length >= size ? scratch.subarray(0, size) : Buffer.allocUnsafe(size);
  let pos = headroom;
  pos += prefix.copy(buf, pos);
  if (n > 0) pos = writeLong(buf, pos, n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const e = events[i]!;
    if (counts[i]! > 0) {
      const h = headersIfAny(e)!;
      pos = writeLong(buf, pos, counts[i]!);
      for (const k in h) {
        const kl = strLens[s++]!;
        pos = writeLong(buf, pos, kl);
        pos += buf.write(k, pos, kl, 'utf8');
        const vl = strLens[s++]!;
        pos = writeLong(buf, pos, vl);
        pos += buf.write(h[k]!, pos, vl, 'utf8');
      }
    }
    buf[pos++] = 0;
    pos = writeLong(buf, pos, bodyLength(e));
    pos += copyBody(e, buf, pos);
  }
  buf[pos++] = 0;
  if (pos !== size) throw new FlumeError('FLUME_INTERNAL', `internal: Avro batch encoding size mismatch (${pos} != ${size})`);
  return buf;
}

/** Encodes a single AvroFlumeEvent (append's parameter record). */
export function encodeEvent(e: Event, prefix: Buffer, headroom: number): Buffer {
  // an array of one event minus the array framing: reuse the batch encoder and cut the framing out
  const batch = encodeEventBatch([e], Buffer.alloc(0), 0);
  // batch = long(1)=0x02, event…, 0x00
  const body = batch.subarray(1, batch.length - 1);
  const buf = Buffer.allocUnsafe(headroom + prefix.length + body.length);
  prefix.copy(buf, headroom);
  body.copy(buf, headroom + prefix.length);
  return buf;
}
