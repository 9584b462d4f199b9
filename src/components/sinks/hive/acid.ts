// Hive ACID insert deltas (what OrcRecordUpdater writes for streaming ingest): one ORC file
// <partition>/delta_<minWriteId>_<maxWriteId>/bucket_<N> whose rows are the ACID event struct
// <operation:int, originalTransaction:bigint, bucket:int, rowId:bigint, currentTransaction:bigint, row:struct<...>>,
// with the user metadata Hive's readers look for (hive.acid.key.index, hive.acid.stats, hive.acid.version) and the
// directory's _orc_acid_version side file.
import type { HdfsClient } from '../hdfs/webhdfs.js';
import type { OrcValue } from './orc/columns.js';
import { type OrcType, prim, struct } from './orc/types.js';
import { OrcWriter } from './orc/writer.js';

/** OrcRecordUpdater.INSERT_OPERATION */
const INSERT = 0;
/** AcidUtils.OrcAcidVersion.ORC_ACID_VERSION */
export const ORC_ACID_VERSION = '2';

/** BucketCodec V1: version 1 in the top 3 bits, the bucket id in bits 16..27, the statement id in bits 0..11. */
export function bucketProperty(bucketId: number, statementId = 0): number {
  return ((1 << 29) | ((bucketId & 0xfff) << 16) | (Math.max(0, statementId) & 0xfff)) >>> 0;
}

const pad = (n: bigint | number, w: number) => String(n).padStart(w, '0');

/** AcidUtils.deltaSubdir without a statement id (streaming ingest passes -1): delta_%07d_%07d. */
export function deltaDir(minWriteId: bigint, maxWriteId: bigint): string {
  return `delta_${pad(minWriteId, 7)}_${pad(maxWriteId, 7)}`;
}

/** AcidUtils.createFilename's bucket file: bucket_%05d. */
export function bucketFile(bucketId: number): string {
  return `bucket_${pad(bucketId, 5)}`;
}

/** The ACID event schema around a table's row struct. */
export function acidSchema(row: OrcType): OrcType {
  return struct([
    { name: 'operation', type: prim('int') },
    { name: 'originalTransaction', type: prim('bigint') },
    { name: 'bucket', type: prim('int') },
    { name: 'rowId', type: prim('bigint') },
    { name: 'currentTransaction', type: prim('bigint') },
    { name: 'row', type: row },
  ]);
}

/** The insert events of one write id into one bucket, as one ORC file. */
export class AcidDeltaFile {
  private readonly writer: OrcWriter;
  private readonly bucket: number;
  private rowId = 0n;

  constructor(
    row: OrcType,
    readonly writeId: bigint,
    readonly bucketId = 0,
  ) {
    this.writer = new OrcWriter(acidSchema(row));
    this.bucket = bucketProperty(bucketId);
  }

  /** Adds one row (the table columns in order) as an insert event. */
  insert(values: OrcValue[]): void {
    this.writer.addRow([INSERT, this.writeId, this.bucket, this.rowId, this.writeId, values]);
    this.rowId++;
  }

  get rows(): number {
    return Number(this.rowId);
  }

  finish(): Buffer {
    const last = this.rowId - 1n;
    this.writer.addUserMetadata('hive.acid.key.index', `${this.writeId},${this.bucket},${last};`);
    this.writer.addUserMetadata('hive.acid.stats', `${this.rowId},0,0`);
    this.writer.addUserMetadata('hive.acid.version', ORC_ACID_VERSION);
    return this.writer.finish();
  }
}

/**
 * Writes a finished delta into `partitionPath` (an HDFS path without scheme and authority): the bucket file, then
 * the _orc_acid_version side file. Returns the delta directory. The caller commits the transaction only afterwards,
 * and deletes the directory and aborts the transaction when this fails.
 */
export async function writeDelta(fs: HdfsClient, partitionPath: string, file: AcidDeltaFile): Promise<string> {
  const dir = `${partitionPath.replace(/\/+$/, '')}/${deltaDir(file.writeId, file.writeId)}`;
  await fs.mkdirs(dir);
  await fs.create(`${dir}/${bucketFile(file.bucketId)}`, file.finish(), { overwrite: true });
  await fs.create(`${dir}/_orc_acid_version`, Buffer.from(ORC_ACID_VERSION), { overwrite: true });
  return dir;
}
