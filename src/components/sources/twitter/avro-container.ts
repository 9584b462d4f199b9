/**
 * Writes one batch of records as an Avro object container file, the way Flume's TwitterSource does with Avro 1.11's
 * `DataFileWriter` (no codec set, default sync interval): magic `Obj\x01`, the metadata map (only `avro.schema`: Java
 * writes no `avro.codec` entry when none was set, which readers take as `null`), a fresh random 16-byte sync marker,
 * then blocks of records, a block being closed as soon as its encoded records reach 64 000 bytes (Java's
 * `DEFAULT_SYNC_INTERVAL`), each followed by the sync marker.
 *
 * avsc is loaded when the source starts (`loadTwitterAvro`), never at module load.
 */
import { randomBytes } from 'node:crypto';
import type * as Avsc from 'avsc';
import { FlumeError } from '../../../core/errors.js';
import { TWITTER_SCHEMA, TWITTER_SCHEMA_JSON, type TwitterDoc } from './schema.js';

/** Avro 1.11 DataFileConstants.DEFAULT_SYNC_INTERVAL (4000 × SYNC_SIZE). */
export const SYNC_INTERVAL = 64_000;
const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);

type AvscModule = (typeof Avsc)['default'];

/** An Avro long as a bigint (the full 64-bit range: tweet ids do not fit a double). */
function bigintLongType(avro: AvscModule): Avsc.Type {
  return avro.types.LongType.__with({
    fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
    toBuffer: (n: bigint) => {
      const buf = Buffer.alloc(8);
      buf.writeBigInt64LE(n);
      return buf;
    },
    fromJSON: (v: unknown) => BigInt(v as number | string),
    toJSON: (n: bigint) => Number(n),
    isValid: (n: unknown) => typeof n === 'bigint',
    compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
  });
}

/** Zigzag varint of a non-negative safe integer (block counts and sizes). */
function varLong(n: number): Buffer {
  const out: number[] = [];
  let z = n * 2; // zigzag of n ≥ 0
  while (z >= 0x80) {
    out.push((z % 0x80) | 0x80);
    z = Math.floor(z / 0x80);
  }
  out.push(z);
  return Buffer.from(out);
}

export class TwitterAvroWriter {
  readonly recordType: Avsc.Type;
  private readonly headerPrefix: Buffer;

  constructor(avro: AvscModule) {
    this.recordType = avro.Type.forSchema(TWITTER_SCHEMA as unknown as Avsc.Schema, { registry: { long: bigintLongType(avro) } });
    const metaType = avro.Type.forSchema({ type: 'map', values: 'bytes' });
    const meta = { 'avro.schema': Buffer.from(TWITTER_SCHEMA_JSON, 'utf8') };
    this.headerPrefix = Buffer.concat([MAGIC, metaType.toBuffer(meta)]);
  }

  /** Encodes one record (throws a FlumeError naming the record when a value does not fit the schema). */
  encodeRecord(doc: TwitterDoc): Buffer {
    try {
      return this.recordType.toBuffer(doc);
    } catch (err) {
      const msg = `tweet ${doc.id} does not fit Flume's Twitter schema: ${(err as Error).message}`;
      throw new FlumeError('FLUME_TWITTER_AVRO', msg, { cause: err });
    }
  }

  /** One container holding `docs`, with the given (or a random) sync marker. */
  container(docs: readonly TwitterDoc[], sync: Buffer = randomBytes(16)): Buffer {
    const parts: Buffer[] = [this.headerPrefix, sync];
    let block: Buffer[] = [];
    let blockBytes = 0;
    const writeBlock = (): void => {
      parts.push(varLong(block.length), varLong(blockBytes), ...block, sync);
      block = [];
      blockBytes = 0;
    };
    for (const doc of docs) {
      const rec = this.encodeRecord(doc);
      block.push(rec);
      blockBytes += rec.length;
      if (blockBytes >= SYNC_INTERVAL) writeBlock();
    }
    if (block.length > 0) writeBlock();
    return Buffer.concat(parts);
  }
}

let loaded: Promise<TwitterAvroWriter> | undefined;

/** The writer, loading avsc on first use. */
export function loadTwitterAvro(): Promise<TwitterAvroWriter> {
  loaded ??= import('avsc').then((m) => new TwitterAvroWriter(m.default));
  return loaded;
}
