// A small ORC file writer (specification/ORCv1.md): one stripe per file, no row index (rowIndexStride 0, as
// Hive's streaming delta writer uses), DIRECT/DIRECT_V2 encodings, PRESENT streams only where a column has nulls,
// NONE or ZLIB compression with ORC's chunk headers, file and stripe statistics, user metadata.
import { type Column, type OrcValue, buildColumns, flatten } from './columns.js';
import { COMPRESSION_CODE, type Compression, DEFAULT_BLOCK_SIZE, compressStream } from './compress.js';
import { Pb } from './protobuf.js';
import { KIND, type OrcType } from './types.js';

export interface OrcWriterOptions {
  compression?: Compression;
  blockSize?: number;
}

/** PostScript.writerVersion: 6 = ORC-135 (timestamp statistics in UTC), the rules this writer follows. */
const WRITER_VERSION = 6;
const MAGIC = 'ORC';

export class OrcWriter {
  private readonly root: Column;
  private readonly columns: Column[];
  private rows = 0;
  private readonly metadata: { name: string; value: Buffer }[] = [];
  private readonly compression: Compression;
  private readonly blockSize: number;

  constructor(
    readonly schema: OrcType,
    opts: OrcWriterOptions = {},
  ) {
    this.root = buildColumns(schema);
    this.columns = flatten(this.root);
    this.compression = opts.compression ?? 'ZLIB';
    this.blockSize = opts.blockSize ?? DEFAULT_BLOCK_SIZE;
  }

  /** Adds one row: the top-level struct's field values in schema order. */
  addRow(row: OrcValue[]): void {
    this.root.add(row);
    this.rows++;
  }

  get rowCount(): number {
    return this.rows;
  }

  addUserMetadata(name: string, value: string | Buffer): void {
    this.metadata.push({ name, value: typeof value === 'string' ? Buffer.from(value, 'utf8') : value });
  }

  /** The complete file. The writer is spent afterwards. */
  finish(): Buffer {
    const parts: Buffer[] = [Buffer.from(MAGIC)];
    let offset = 3;
    const stripes: Pb[] = [];
    const stats = this.columns.map((c) => c.statistics());
    if (this.rows > 0) {
      const { bytes, dataLength, footerLength } = this.stripe();
      parts.push(bytes);
      stripes.push(new Pb().uint(1, offset).uint(2, 0).uint(3, dataLength).uint(4, footerLength).uint(5, this.rows));
      offset += bytes.length;
    }
    const meta = new Pb();
    if (this.rows > 0) {
      const ss = new Pb();
      for (const s of stats) ss.message(1, s);
      meta.message(1, ss);
    }
    const metaBytes = this.compress(meta.finish());
    const footer = this.footer(offset, stripes, stats);
    const footerBytes = this.compress(footer.finish());
    const ps = new Pb()
      .uint(1, footerBytes.length)
      .uint(2, COMPRESSION_CODE[this.compression])
      .uint(3, this.blockSize)
      .packedUint(4, [0, 12])
      .uint(5, metaBytes.length)
      .uint(6, WRITER_VERSION)
      .bytes(8000, MAGIC)
      .finish();
    return Buffer.concat([...parts, metaBytes, footerBytes, ps, Buffer.from([ps.length])]);
  }

  private compress(b: Buffer): Buffer {
    return compressStream(b, this.compression, this.blockSize);
  }

  private stripe(): { bytes: Buffer; dataLength: number; footerLength: number } {
    const data: Buffer[] = [];
    const sf = new Pb();
    for (const c of this.columns) {
      for (const s of c.streams()) {
        const framed = this.compress(s.data);
        data.push(framed);
        sf.message(1, new Pb().uint(1, s.kind).uint(2, s.column).uint(3, framed.length));
      }
    }
    for (const c of this.columns) sf.message(2, new Pb().uint(1, c.encoding()));
    sf.bytes(3, 'UTC');
    const footer = this.compress(sf.finish());
    const body = Buffer.concat(data);
    return { bytes: Buffer.concat([body, footer]), dataLength: body.length, footerLength: footer.length };
  }

  private footer(contentLength: number, stripes: Pb[], stats: Pb[]): Pb {
    const f = new Pb().uint(1, 3).uint(2, contentLength);
    for (const s of stripes) f.message(3, s);
    for (const c of this.columns) f.message(4, typeMessage(c));
    for (const m of this.metadata) f.message(5, new Pb().bytes(1, m.name).bytes(2, m.value));
    f.uint(6, this.rows);
    for (const s of stats) f.message(7, s);
    return f.uint(8, 0);
  }
}

function typeMessage(c: Column): Pb {
  const t = c.type;
  const m = new Pb().uint(1, KIND[t.kind]);
  if (t.kind === 'struct') {
    m.packedUint(
      2,
      c.children.map((k) => k.id),
    );
    for (const f of t.fields ?? []) m.bytes(3, f.name);
  }
  if (t.maxLength !== undefined) m.uint(4, t.maxLength);
  if (t.kind === 'decimal') m.uint(5, t.precision ?? 10).uint(6, t.scale ?? 0);
  return m;
}
