// ORC run-length encodings (specification/ORCv1.md "Run Length Encoding"): byte RLE, boolean RLE and
// integer RLE version 2. The integer encoder emits SHORT_REPEAT, DELTA (fixed delta, width 0) and DIRECT runs;
// PATCHED_BASE is an optional space optimisation and is never written.
import { type ByteSink, zigzag } from './protobuf.js';

const MAX_RUN = 512;
/** Bit widths DIRECT uses (the non-deprecated rows of the 5-bit width table). */
const WIDTHS = [1, 2, 4, 8, 16, 24, 32, 40, 48, 56, 64];

/** The 5-bit code of a bit width (spec table; only the widths of WIDTHS are produced). */
function widthCode(w: number): number {
  if (w <= 24) return w - 1;
  return { 32: 27, 40: 28, 48: 29, 56: 30, 64: 31 }[w] ?? 31;
}

function fixedWidth(maxValue: bigint): number {
  let bits = 1;
  let v = maxValue >> 1n;
  while (v > 0n) {
    bits++;
    v >>= 1n;
  }
  for (const w of WIDTHS) if (w >= bits) return w;
  return 64;
}

/** Integer RLE v2 writer for one stream. Values are 64-bit (bigint); `signed` selects zigzag. */
export class IntRleV2 {
  private readonly values: bigint[] = [];
  constructor(
    private readonly out: ByteSink,
    private readonly signed: boolean,
  ) {}

  write(v: bigint): void {
    this.values.push(v);
  }

  /** Encodes everything buffered into the stream. */
  flush(): void {
    const v = this.values;
    const n = v.length;
    let lit = 0;
    let i = 0;
    while (i < n) {
      const run = this.runLength(i);
      if (run >= 3) {
        this.direct(lit, i);
        this.fixedRun(v[i], run === 1 ? 0n : v[i + 1] - v[i], run);
        i += run;
        lit = i;
      } else {
        i++;
        if (i - lit === MAX_RUN) {
          this.direct(lit, i);
          lit = i;
        }
      }
    }
    this.direct(lit, n);
    this.values.length = 0;
  }

  /** Length of the fixed-delta run starting at i (at most MAX_RUN). */
  private runLength(i: number): number {
    const v = this.values;
    if (i + 1 >= v.length) return 1;
    const d = v[i + 1] - v[i];
    let j = i + 1;
    while (j + 1 < v.length && j + 1 - i < MAX_RUN && v[j + 1] - v[j] === d) j++;
    return j - i + 1;
  }

  private enc(v: bigint): bigint {
    return this.signed ? zigzag(v) : v;
  }

  private fixedRun(base: bigint, delta: bigint, len: number): void {
    if (delta === 0n && len <= 10) {
      const e = this.enc(base);
      let bytes = 1;
      while (bytes < 8 && e >> BigInt(bytes * 8) > 0n) bytes++;
      this.out.byte(((bytes - 1) << 3) | (len - 3));
      for (let b = bytes - 1; b >= 0; b--) this.out.byte(Number((e >> BigInt(b * 8)) & 0xffn));
      return;
    }
    this.out.byte((3 << 6) | ((len - 1) >> 8));
    this.out.byte((len - 1) & 0xff);
    this.out.varint(this.enc(base));
    this.out.varint(zigzag(delta));
  }

  private direct(from: number, to: number): void {
    const len = to - from;
    if (len === 0) return;
    let max = 0n;
    const enc: bigint[] = new Array(len);
    for (let k = 0; k < len; k++) {
      const e = this.enc(this.values[from + k]);
      enc[k] = e;
      if (e > max) max = e;
    }
    const w = fixedWidth(max);
    this.out.byte((1 << 6) | (widthCode(w) << 1) | ((len - 1) >> 8));
    this.out.byte((len - 1) & 0xff);
    packBits(this.out, enc, w);
  }
}

/** Big-endian bit packing of `w`-bit values, padded to a byte. */
function packBits(out: ByteSink, values: bigint[], w: number): void {
  if (w % 8 === 0) {
    for (const v of values) for (let b = w / 8 - 1; b >= 0; b--) out.byte(Number((v >> BigInt(b * 8)) & 0xffn));
    return;
  }
  let cur = 0;
  let free = 8;
  for (const big of values) {
    const v = Number(big); // w < 8 here (1, 2 or 4 bits)
    cur |= v << (free - w);
    free -= w;
    if (free === 0) {
      out.byte(cur);
      cur = 0;
      free = 8;
    }
  }
  if (free < 8) out.byte(cur);
}

/** Byte RLE: runs of 3..130 equal bytes, literal groups of 1..128 bytes. */
export function byteRle(out: ByteSink, bytes: Uint8Array): void {
  const n = bytes.length;
  let lit = 0;
  let i = 0;
  const flushLit = (to: number) => {
    while (lit < to) {
      const len = Math.min(128, to - lit);
      out.byte(256 - len);
      out.bytes(bytes.subarray(lit, lit + len));
      lit += len;
    }
  };
  while (i < n) {
    let j = i + 1;
    while (j < n && j - i < 130 && bytes[j] === bytes[i]) j++;
    if (j - i >= 3) {
      flushLit(i);
      out.byte(j - i - 3);
      out.byte(bytes[i]);
      i = j;
      lit = i;
    } else {
      i++;
    }
  }
  flushLit(n);
}

/** Boolean RLE: bits packed most significant first into bytes, then byte RLE. */
export function boolRle(out: ByteSink, bits: readonly boolean[]): void {
  const bytes = new Uint8Array(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) if (bits[i]) bytes[i >> 3] |= 0x80 >> (i & 7);
  byteRle(out, bytes);
}
