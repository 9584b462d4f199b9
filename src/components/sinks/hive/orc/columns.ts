// Column writers: one per ORC column (pre-order ids), each buffering its streams for the current stripe and
// keeping the statistics the footer and stripe metadata carry.
import { Pb, ByteSink, zigzag } from './protobuf.js';
import { IntRleV2, boolRle, byteRle } from './rle.js';
import type { OrcType } from './types.js';

/** Stream.Kind numbers. */
export const STREAM = { PRESENT: 0, DATA: 1, LENGTH: 2, SECONDARY: 5 } as const;
/** ColumnEncoding.Kind numbers. */
const DIRECT = 0;
const DIRECT_V2 = 2;

/** A Hive timestamp (a local date-time): seconds since 1970-01-01T00:00 of that wall clock, and nanos. */
export interface OrcTimestamp {
  seconds: bigint;
  nanos: number;
}

export type OrcValue = null | undefined | boolean | number | bigint | string | Buffer | OrcTimestamp | OrcValue[];

export interface StreamOut {
  kind: number;
  column: number;
  data: Buffer;
}

/** ORC's timestamp base: 2015-01-01 00:00:00 (in the writer time zone, UTC here). */
const TS_BASE = 1420070400n;

export abstract class Column {
  readonly children: Column[] = [];
  protected present: boolean[] = [];
  protected nulls = 0;
  protected count = 0;
  constructor(
    readonly id: number,
    readonly type: OrcType,
  ) {}

  add(v: OrcValue): void {
    const isNull = v === null || v === undefined;
    this.present.push(!isNull);
    if (isNull) {
      this.nulls++;
      this.addNullChildren();
    } else {
      this.count++;
      this.addValue(v);
    }
  }
  protected addNullChildren(): void {}
  protected abstract addValue(v: Exclude<OrcValue, null | undefined>): void;
  protected abstract dataStreams(): StreamOut[];
  abstract encoding(): number;
  /** Type-specific statistics fields, written into `s`. */
  protected abstract typeStats(s: Pb): void;

  streams(): StreamOut[] {
    const out: StreamOut[] = [];
    if (this.nulls > 0) {
      const sink = new ByteSink(this.present.length / 8 + 16);
      boolRle(sink, this.present);
      out.push({ kind: STREAM.PRESENT, column: this.id, data: Buffer.from(sink.view()) });
    }
    return [...out, ...this.dataStreams()];
  }

  statistics(): Pb {
    const s = new Pb().uint(1, this.count);
    this.typeStats(s);
    return s.bool(10, this.nulls > 0);
  }
}

export class StructColumn extends Column {
  protected addValue(v: Exclude<OrcValue, null | undefined>): void {
    const row = v as OrcValue[];
    for (let i = 0; i < this.children.length; i++) this.children[i].add(row[i]);
  }
  protected override addNullChildren(): void {
    // ORC: a null struct has no child values at all (children only see the present parents' rows).
  }
  protected dataStreams(): StreamOut[] {
    return [];
  }
  encoding(): number {
    return DIRECT;
  }
  protected typeStats(): void {}
}

class IntColumn extends Column {
  private readonly sink = new ByteSink(1024);
  private readonly rle = new IntRleV2(this.sink, true);
  private min: bigint | undefined;
  private max: bigint | undefined;
  private sum: bigint | undefined = 0n;
  protected addValue(v: Exclude<OrcValue, null | undefined>): void {
    const b = typeof v === 'bigint' ? v : BigInt(v as number);
    this.rle.write(b);
    if (this.min === undefined || b < this.min) this.min = b;
    if (this.max === undefined || b > this.max) this.max = b;
    if (this.sum !== undefined) {
      this.sum += b;
      if (this.sum > 0x7fffffffffffffffn || this.sum < -0x8000000000000000n) this.sum = undefined;
    }
  }
  protected dataStreams(): StreamOut[] {
    this.rle.flush();
    return [{ kind: STREAM.DATA, column: this.id, data: Buffer.from(this.sink.view()) }];
  }
  encoding(): number {
    return DIRECT_V2;
  }
  protected typeStats(s: Pb): void {
    if (this.count === 0) return;
    s.message(2, new Pb().sint(1, this.min).sint(2, this.max).sint(3, this.sum));
  }
}

class DateColumn extends IntColumn {
  private dmin = 0;
  private dmax = 0;
  protected override addValue(v: Exclude<OrcValue, null | undefined>): void {
    const d = Number(v);
    if (this.count === 1 || d < this.dmin) this.dmin = d;
    if (this.count === 1 || d > this.dmax) this.dmax = d;
    super.addValue(d);
  }
  protected override typeStats(s: Pb): void {
    if (this.count > 0) s.message(7, new Pb().sint(1, this.dmin).sint(2, this.dmax));
  }
}

class ByteColumn extends Column {
  private readonly bytes: number[] = [];
  private min = 0;
  private max = 0;
  private sum = 0;
  protected addValue(v: Exclude<OrcValue, null | undefined>): void {
    const n = Number(v);
    this.bytes.push(n & 0xff);
    if (this.count === 1 || n < this.min) this.min = n;
    if (this.count === 1 || n > this.max) this.max = n;
    this.sum += n;
  }
  protected dataStreams(): StreamOut[] {
    const sink = new ByteSink(this.bytes.length + 16);
    byteRle(sink, Uint8Array.from(this.bytes));
    return [{ kind: STREAM.DATA, column: this.id, data: Buffer.from(sink.view()) }];
  }
  encoding(): number {
    return DIRECT;
  }
  protected typeStats(s: Pb): void {
    if (this.count > 0) s.message(2, new Pb().sint(1, this.min).sint(2, this.max).sint(3, this.sum));
  }
}

class BoolColumn extends Column {
  private readonly bits: boolean[] = [];
  private trues = 0;
  protected addValue(v: Exclude<OrcValue, null | undefined>): void {
    this.bits.push(v === true);
    if (v === true) this.trues++;
  }
  protected dataStreams(): StreamOut[] {
    const sink = new ByteSink(this.bits.length / 8 + 16);
    boolRle(sink, this.bits);
    return [{ kind: STREAM.DATA, column: this.id, data: Buffer.from(sink.view()) }];
  }
  encoding(): number {
    return DIRECT;
  }
  protected typeStats(s: Pb): void {
    s.message(5, new Pb().packedUint(1, [this.trues]));
  }
}

class FloatColumn extends Column {
  private readonly sink = new ByteSink(1024);
  private min = 0;
  private max = 0;
  private sum = 0;
  protected addValue(v: Exclude<OrcValue, null | undefined>): void {
    const d = Number(v);
    if (this.type.kind === 'float') this.sink.floatLE(d);
    else this.sink.doubleLE(d);
    if (this.count === 1 || d < this.min) this.min = d;
    if (this.count === 1 || d > this.max) this.max = d;
    this.sum += d;
  }
  protected dataStreams(): StreamOut[] {
    return [{ kind: STREAM.DATA, column: this.id, data: Buffer.from(this.sink.view()) }];
  }
  encoding(): number {
    return DIRECT;
  }
  protected typeStats(s: Pb): void {
    if (this.count > 0) s.message(3, new Pb().double(1, this.min).double(2, this.max).double(3, this.sum));
  }
}

/** string, varchar, char (padded / truncated as Hive does) and binary: DIRECT_V2 (DATA bytes + LENGTH). */
class BytesColumn extends Column {
  private readonly data = new ByteSink(4096);
  private readonly lenSink = new ByteSink(1024);
  private readonly lengths = new IntRleV2(this.lenSink, false);
  private min: Buffer | undefined;
  private max: Buffer | undefined;
  private total = 0;
  protected addValue(v: Exclude<OrcValue, null | undefined>): void {
    const b = Buffer.isBuffer(v) ? v : Buffer.from(this.fit(String(v)), 'utf8');
    this.data.bytes(b);
    this.lengths.write(BigInt(b.length));
    this.total += b.length;
    if (this.type.kind === 'binary') return;
    if (this.min === undefined || Buffer.compare(b, this.min) < 0) this.min = b;
    if (this.max === undefined || Buffer.compare(b, this.max) > 0) this.max = b;
  }
  /** varchar(n) keeps the first n characters; char(n) also pads with spaces to n. */
  private fit(s: string): string {
    const n = this.type.maxLength;
    if (n === undefined) return s;
    const cps = [...s];
    const cut = cps.length > n ? cps.slice(0, n).join('') : s;
    return this.type.kind === 'char' && cps.length < n ? cut + ' '.repeat(n - cps.length) : cut;
  }
  protected dataStreams(): StreamOut[] {
    this.lengths.flush();
    return [
      { kind: STREAM.DATA, column: this.id, data: Buffer.from(this.data.view()) },
      { kind: STREAM.LENGTH, column: this.id, data: Buffer.from(this.lenSink.view()) },
    ];
  }
  encoding(): number {
    return DIRECT_V2;
  }
  protected typeStats(s: Pb): void {
    if (this.type.kind === 'binary') s.message(8, new Pb().sint(1, this.total));
    else if (this.count > 0) s.message(4, new Pb().bytes(1, this.min).bytes(2, this.max).sint(3, this.total));
  }
}

/** Nanoseconds as ORC stores them: trailing decimal zeros dropped, their count (minus one) in the low 3 bits. */
export function formatNanos(nanos: number): number {
  if (nanos === 0) return 0;
  if (nanos % 100 !== 0) return nanos * 8;
  let n = nanos / 100;
  let zeros = 1;
  while (n % 10 === 0 && zeros < 7) {
    n /= 10;
    zeros++;
  }
  return n * 8 + zeros;
}

class TimestampColumn extends Column {
  private readonly secSink = new ByteSink(1024);
  private readonly nanoSink = new ByteSink(1024);
  private readonly secs = new IntRleV2(this.secSink, true);
  private readonly nanos = new IntRleV2(this.nanoSink, false);
  private min: bigint | undefined;
  private max: bigint | undefined;
  protected addValue(v: Exclude<OrcValue, null | undefined>): void {
    const t = v as OrcTimestamp;
    this.secs.write(t.seconds - TS_BASE);
    this.nanos.write(BigInt(formatNanos(t.nanos)));
    const ms = t.seconds * 1000n + BigInt(Math.floor(t.nanos / 1e6));
    if (this.min === undefined || ms < this.min) this.min = ms;
    if (this.max === undefined || ms > this.max) this.max = ms;
  }
  protected dataStreams(): StreamOut[] {
    this.secs.flush();
    this.nanos.flush();
    return [
      { kind: STREAM.DATA, column: this.id, data: Buffer.from(this.secSink.view()) },
      { kind: STREAM.SECONDARY, column: this.id, data: Buffer.from(this.nanoSink.view()) },
    ];
  }
  encoding(): number {
    return DIRECT_V2;
  }
  protected typeStats(s: Pb): void {
    if (this.count > 0) s.message(9, new Pb().sint(1, this.min).sint(2, this.max).sint(3, this.min).sint(4, this.max));
  }
}

/** decimal: DATA = unscaled values as unbounded zigzag varints, SECONDARY = the scale of each (RLE v2). */
class DecimalColumn extends Column {
  private readonly data = new ByteSink(1024);
  private readonly scaleSink = new ByteSink(256);
  private readonly scales = new IntRleV2(this.scaleSink, true);
  protected addValue(v: Exclude<OrcValue, null | undefined>): void {
    let z = zigzag(v as bigint);
    while (z >= 0x80n) {
      this.data.byte(Number(z & 0x7fn) | 0x80);
      z >>= 7n;
    }
    this.data.byte(Number(z));
    this.scales.write(BigInt(this.type.scale ?? 0));
  }
  protected dataStreams(): StreamOut[] {
    this.scales.flush();
    return [
      { kind: STREAM.DATA, column: this.id, data: Buffer.from(this.data.view()) },
      { kind: STREAM.SECONDARY, column: this.id, data: Buffer.from(this.scaleSink.view()) },
    ];
  }
  encoding(): number {
    return DIRECT_V2;
  }
  protected typeStats(): void {}
}

/** Builds the column tree of `type` with pre-order ids starting at `next.id`. */
export function buildColumns(type: OrcType, next = { id: 0 }): Column {
  const id = next.id++;
  const col = makeColumn(id, type);
  if (type.kind === 'struct') for (const f of type.fields ?? []) col.children.push(buildColumns(f.type, next));
  return col;
}

function makeColumn(id: number, type: OrcType): Column {
  switch (type.kind) {
    case 'struct':
      return new StructColumn(id, type);
    case 'boolean':
      return new BoolColumn(id, type);
    case 'tinyint':
      return new ByteColumn(id, type);
    case 'smallint':
    case 'int':
    case 'bigint':
      return new IntColumn(id, type);
    case 'date':
      return new DateColumn(id, type);
    case 'float':
    case 'double':
      return new FloatColumn(id, type);
    case 'timestamp':
      return new TimestampColumn(id, type);
    case 'decimal':
      return new DecimalColumn(id, type);
    default:
      return new BytesColumn(id, type);
  }
}

/** Every column of the tree in id order. */
export function flatten(c: Column, out: Column[] = []): Column[] {
  out.push(c);
  for (const k of c.children) flatten(k, out);
  return out;
}
