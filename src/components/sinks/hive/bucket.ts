// The bucket a row goes to, as Hive's streaming writer computes it (AbstractRecordWriter.getBucket):
// bucketing_version 2 → ObjectInspectorUtils.getBucketNumber (Murmur3 of each bucket column, Hive's Murmur3.hash32
// with seed 104729, combined as 31 * h + fieldHash), version 1 (or no bucketing_version) → getBucketNumberOld (Java
// hashCodes); then (hash & Integer.MAX_VALUE) % numBuckets.
import { FlumeError } from '../../../core/errors.js';
import type { TableInfo } from './metastore/client.js';
import type { OrcValue } from './orc/columns.js';
import type { OrcType } from './orc/types.js';

const SEED = 104729;
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** Hive's Murmur3.hash32(data, length, seed): MurmurHash3 x86 32-bit, little-endian blocks. */
export function murmur3(data: Uint8Array, length = data.length, seed = SEED): number {
  let h = seed | 0;
  const blocks = length >> 2;
  for (let i = 0; i < blocks; i++) {
    const o = i << 2;
    let k = data[o]! | (data[o + 1]! << 8) | (data[o + 2]! << 16) | (data[o + 3]! << 24);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks << 2;
  let k1 = 0;
  const rest = length & 3;
  if (rest === 3) k1 ^= data[tail + 2]! << 16;
  if (rest >= 2) k1 ^= data[tail + 1]! << 8;
  if (rest >= 1) {
    k1 ^= data[tail]!;
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, C2);
    h ^= k1;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

const buf = Buffer.alloc(8);

/** ObjectInspectorUtils.hashCodeMurmur of one primitive value (big-endian ByteBuffer bytes, as Java writes them). */
function murmurOf(v: OrcValue, t: OrcType): number {
  if (v === null || v === undefined) return 0;
  switch (t.kind) {
    case 'boolean':
      return v ? 1 : 0;
    case 'tinyint':
      return Number(v) | 0;
    case 'smallint':
      buf.writeInt16BE(Number(v));
      return murmur3(buf, 2);
    case 'int':
    case 'date':
      buf.writeInt32BE(Number(v));
      return murmur3(buf, 4);
    case 'bigint':
      buf.writeBigInt64BE(BigInt(v as bigint));
      return murmur3(buf, 8);
    case 'float':
      buf.writeFloatBE(Number(v));
      return murmur3(buf, 4);
    case 'double':
      buf.writeDoubleBE(Number(v));
      return murmur3(buf, 8);
    case 'string':
    case 'varchar': {
      const b = Buffer.from(String(v), 'utf8');
      return murmur3(b, b.length);
    }
    case 'char': {
      const b = Buffer.from(String(v).replace(/ +$/, ''), 'utf8');
      return murmur3(b, b.length);
    }
    default:
      throw unsupported(t);
  }
}

/** ObjectInspectorUtils.hashCode (the old, Java hashCode based hash) of one primitive value. */
function javaHashOf(v: OrcValue, t: OrcType): number {
  if (v === null || v === undefined) return 0;
  switch (t.kind) {
    case 'boolean':
      return v ? 1 : 0;
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'date':
      return Number(v) | 0;
    case 'bigint': {
      const l = BigInt.asUintN(64, BigInt(v as bigint));
      return Number(BigInt.asIntN(32, l ^ (l >> 32n)));
    }
    case 'float':
      buf.writeFloatBE(Number(v));
      return buf.readInt32BE(0);
    case 'double': {
      buf.writeDoubleBE(Number(v));
      return buf.readInt32BE(0) ^ buf.readInt32BE(4);
    }
    case 'string':
    case 'varchar':
    case 'char': {
      // Text.hashCode = WritableComparator.hashBytes: 1, then 31 * h + (signed byte)
      let h = 1;
      for (const b of Buffer.from(t.kind === 'char' ? String(v).replace(/ +$/, '') : String(v), 'utf8')) {
        h = (Math.imul(31, h) + ((b << 24) >> 24)) | 0;
      }
      return h;
    }
    default:
      throw unsupported(t);
  }
}

function unsupported(t: OrcType): FlumeError {
  return new FlumeError(
    'FLUME_HIVE_TABLE',
    `the hive sink cannot compute Hive's bucket hash of a ${t.kind} bucket column; bucket tables by boolean, tinyint, ` +
      'smallint, int, bigint, float, double, date, string, varchar or char columns (or use one bucket)',
  );
}

const HASHABLE = new Set(['boolean', 'tinyint', 'smallint', 'int', 'bigint', 'float', 'double', 'date', 'string', 'varchar', 'char']);

/** Computes the bucket of each row of one table. */
export class Bucketer {
  private readonly cols: { index: number; type: OrcType }[];
  private readonly version: number;

  constructor(
    t: TableInfo,
    rowFields: { name: string; type: OrcType }[],
    readonly numBuckets = t.numBuckets,
  ) {
    const version = Number.parseInt(Object.entries(t.parameters).find(([k]) => k.toLowerCase() === 'bucketing_version')?.[1] ?? '1', 10);
    this.version = Number.isNaN(version) ? 1 : version;
    this.cols = t.bucketCols.map((name) => {
      const index = rowFields.findIndex((f) => f.name.toLowerCase() === name.toLowerCase());
      if (index < 0) throw new FlumeError('FLUME_HIVE_TABLE', `bucket column ${name} of ${t.db}.${t.table} is not one of its columns`);
      return { index, type: rowFields[index]!.type };
    });
    if (this.numBuckets > 1) for (const c of this.cols) if (!HASHABLE.has(c.type.kind)) throw unsupported(c.type);
  }

  bucketOf(row: readonly OrcValue[]): number {
    if (this.numBuckets <= 1 || this.cols.length === 0) return 0;
    const hashOf = this.version === 2 ? murmurOf : javaHashOf;
    let h = 0;
    for (const c of this.cols) h = (Math.imul(31, h) + hashOf(row[c.index], c.type)) | 0;
    return (h & 0x7fffffff) % this.numBuckets;
  }
}
