// A tiny protocol-buffers writer for the ORC file tail and stripe footers.
// ORC's metadata is a handful of small messages (PostScript, Footer, StripeFooter, Type, ColumnStatistics, …)
// written once per stripe/file. Encoding them by hand (wire types 0 and 2 only, plus packed varints and doubles)
// is ~80 lines and needs no schema loading; protobufjs would add a large dependency for the same few bytes.

/** Growable byte buffer. */
export class ByteSink {
  private buf: Buffer;
  length = 0;
  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }
  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b & 0xff;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  doubleLE(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.length);
    this.length += 8;
  }
  floatLE(v: number): void {
    this.ensure(4);
    this.buf.writeFloatLE(v, this.length);
    this.length += 4;
  }
  /** Unsigned base-128 varint of a non-negative bigint or safe integer. */
  varint(v: number | bigint): void {
    if (typeof v === 'number' && v >= 0 && v < 0x80000000) {
      let n = v;
      while (n >= 0x80) {
        this.byte((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      this.byte(n);
      return;
    }
    let b = BigInt(v);
    if (b < 0n) b = BigInt.asUintN(64, b);
    while (b >= 0x80n) {
      this.byte(Number(b & 0x7fn) | 0x80);
      b >>= 7n;
    }
    this.byte(Number(b));
  }
  /** The bytes written so far (a view, not a copy). */
  view(): Buffer {
    return this.buf.subarray(0, this.length);
  }
  reset(): void {
    this.length = 0;
  }
}

/** Zigzag-encodes a signed 64-bit value. */
export function zigzag(v: bigint): bigint {
  return v >= 0n ? v << 1n : (-v << 1n) - 1n;
}

/** A protobuf message under construction. Fields are written in call order (callers use field-number order). */
export class Pb {
  readonly out = new ByteSink(64);
  private tag(field: number, wire: number): void {
    this.out.varint(field * 8 + wire);
  }
  uint(field: number, v: number | bigint | undefined): this {
    if (v === undefined) return this;
    this.tag(field, 0);
    this.out.varint(v);
    return this;
  }
  sint(field: number, v: bigint | number | undefined): this {
    if (v === undefined) return this;
    this.tag(field, 0);
    this.out.varint(zigzag(BigInt(v)));
    return this;
  }
  bool(field: number, v: boolean | undefined): this {
    return v === undefined ? this : this.uint(field, v ? 1 : 0);
  }
  double(field: number, v: number | undefined): this {
    if (v === undefined) return this;
    this.tag(field, 1);
    this.out.doubleLE(v);
    return this;
  }
  bytes(field: number, v: Uint8Array | string | undefined): this {
    if (v === undefined) return this;
    const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    this.tag(field, 2);
    this.out.varint(b.length);
    this.out.bytes(b);
    return this;
  }
  message(field: number, m: Pb | undefined): this {
    return m === undefined ? this : this.bytes(field, m.out.view());
  }
  packedUint(field: number, vs: readonly (number | bigint)[]): this {
    if (vs.length === 0) return this;
    const inner = new ByteSink(vs.length * 2);
    for (const v of vs) inner.varint(v);
    return this.bytes(field, inner.view());
  }
  finish(): Buffer {
    return Buffer.from(this.out.view());
  }
}
