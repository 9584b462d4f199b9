// Flume's HiveWriter for one end point (table + partition values): connects (table checks, the partition created when
// autoCreatePartitions), holds a TransactionBatch, buffers the rows of the current transaction per bucket and, on
// flush, writes them as ACID insert deltas through WebHDFS and commits the transaction, then moves to the next one
// (a new batch when the old one is used up).
import type { HdfsClient } from '../hdfs/webhdfs.js';
import type { Event } from '../../../core/event.js';
import type { Logger } from '../../../core/logging.js';
import { FlumeError, errorMessage } from '../../../core/errors.js';
import { AcidDeltaFile, ORC_ACID_VERSION, bucketFile, deltaDir } from './acid.js';
import { Bucketer } from './bucket.js';
import { type EndPoint, checkStreamingTable, endPointString } from './endpoint.js';
import type { MetastoreClient, TableInfo } from './metastore/client.js';
import type { OrcValue } from './orc/columns.js';
import { type OrcType, parseHiveType, struct } from './orc/types.js';
import { HiveSerializationError, type HiveSerializer, type RowReader } from './serializers.js';
import { TransactionBatch } from './txn-batch.js';

export interface WriterDeps {
  ms: MetastoreClient;
  /** The WebHDFS client and the path (no scheme / authority) of a table or partition location URI. */
  hdfs: (location: string) => { fs: HdfsClient; path: string };
  serializer: HiveSerializer;
  txnsPerBatch: number;
  autoCreatePartitions: boolean;
  logger: Logger;
}

/** FileUtils.escapePathName: the characters Hive escapes as %XX in partition directory names. */
export function escapePathName(v: string): string {
  if (v === '') return '__HIVE_DEFAULT_PARTITION__';
  let out = '';
  for (const ch of v) {
    const c = ch.codePointAt(0)!;
    const special = c < 0x20 || c === 0x7f || '"#%\'*/:=?\\{[]^'.includes(ch);
    out += special ? `%${c.toString(16).toUpperCase().padStart(2, '0')}` : ch;
  }
  return out;
}

/** Warehouse.makePartName: key1=value1/key2=value2 with escaped names and values. */
export function makePartName(keys: string[], values: string[]): string {
  return keys.map((k, i) => `${escapePathName(k.toLowerCase())}=${escapePathName(values[i]!)}`).join('/');
}

export class EndpointWriter {
  private batch: TransactionBatch | undefined;
  private rows = new Map<number, AcidDeltaFile>();
  private heartbeatNeeded = false;
  private closed = false;
  lastUsed = Date.now();

  private constructor(
    readonly ep: EndPoint,
    private readonly d: WriterDeps,
    private readonly partName: string | undefined,
    private readonly fs: HdfsClient,
    private readonly dir: string,
    private readonly rowType: OrcType,
    private readonly reader: RowReader,
    private readonly bucketer: Bucketer,
  ) {}

  /** HiveWriter's constructor: newConnection (checks, partition), the record writer, the first transaction. */
  static async connect(ep: EndPoint, d: WriterDeps): Promise<EndpointWriter> {
    const t = await d.ms.getTable(ep.database, ep.table).catch((err: unknown) => {
      throw new FlumeError('FLUME_HIVE_TABLE', `Invalid table db:${ep.database}, table:${ep.table}: ${errorMessage(err)}`, {
        cause: err,
        retriable: true,
      });
    });
    checkStreamingTable(t, ep);
    const fields = t.cols.map((c) => ({ name: c.name.toLowerCase(), type: parseHiveType(c.type) }));
    const rowType = struct(fields);
    const reader = d.serializer.reader(t.cols, fields);
    const bucketer = new Bucketer(t, fields);
    const { partName, location } = await EndpointWriter.partition(t, ep, d);
    const target = d.hdfs(location);
    const w = new EndpointWriter(ep, d, partName, target.fs, target.path, rowType, reader, bucketer);
    await w.nextBatch();
    return w;
  }

  private static async partition(t: TableInfo, ep: EndPoint, d: WriterDeps): Promise<{ partName?: string; location: string }> {
    if (ep.partitionVals.length === 0) return { location: t.location };
    const partName = makePartName(
      t.partitionKeys.map((k) => k.name),
      ep.partitionVals,
    );
    let location = await d.ms.getPartitionLocation(ep.database, ep.table, ep.partitionVals);
    if (location === undefined) {
      if (!d.autoCreatePartitions) {
        throw new FlumeError(
          'FLUME_HIVE_TABLE',
          `Partition ${partName} does not exist on ${endPointString(ep)} (autoCreatePartitions = false)`,
        );
      }
      location = `${t.location.replace(/\/+$/, '')}/${partName}`;
      d.logger.info({ endPoint: endPointString(ep), location }, 'Creating partition');
      await d.ms.addPartition(t, ep.partitionVals, location);
      location = (await d.ms.getPartitionLocation(ep.database, ep.table, ep.partitionVals)) ?? location;
    }
    return { partName, location };
  }

  private async nextBatch(): Promise<void> {
    this.batch = await TransactionBatch.fetch(this.d.ms, this.ep, this.partName, this.d.txnsPerBatch);
    this.d.logger.info({ endPoint: endPointString(this.ep), txnIds: this.batch.txnIds.map(String) }, 'Acquired Transaction batch');
    await this.batch.beginNext();
  }

  setHeartbeatNeeded(): void {
    this.heartbeatNeeded = true;
  }

  /**
   * Adds the event's row to the current transaction. A body the serde cannot read is logged and skipped, as Flume
   * does with Hive's SerializationError; returns false then.
   */
  write(e: Event): boolean {
    if (this.closed) throw new FlumeError('FLUME_HIVE_TXN', `Writer closed. Cannot write to : ${endPointString(this.ep)}`);
    let row: OrcValue[];
    try {
      row = this.reader(e.body);
    } catch (err) {
      if (!(err instanceof HiveSerializationError)) throw err;
      this.d.logger.info({ err: err.message, body: e.body.toString('utf8').slice(0, 1024) }, 'Parse failed');
      return false;
    }
    const bucket = this.bucketer.bucketOf(row);
    let f = this.rows.get(bucket);
    if (!f) {
      f = new AcidDeltaFile(this.rowType, this.batch!.currentWriteId, bucket);
      this.rows.set(bucket, f);
    }
    f.insert(row);
    return true;
  }

  /** Writes the transaction's deltas, heartbeats when due, commits, and begins the next transaction. */
  async flush(): Promise<void> {
    const batch = this.batch!;
    await this.writeDeltas(batch.currentWriteId);
    if (this.heartbeatNeeded) {
      this.heartbeatNeeded = false;
      await this.heartbeat();
    }
    this.lastUsed = Date.now();
    await batch.commit();
    if (batch.remainingTransactions() === 0) {
      await this.closeBatch();
      await this.nextBatch();
    } else {
      await batch.beginNext();
    }
  }

  /** One delta directory per transaction, one ORC file per bucket with rows, then the _orc_acid_version file. */
  private async writeDeltas(writeId: bigint): Promise<void> {
    const files = [...this.rows.values()];
    this.rows = new Map();
    if (files.length === 0) return;
    const dir = `${this.dir.replace(/\/+$/, '')}/${deltaDir(writeId, writeId)}`;
    await this.fs.mkdirs(dir);
    await Promise.all(files.map((f) => this.fs.create(`${dir}/${bucketFile(f.bucketId)}`, f.finish(), { overwrite: true })));
    await this.fs.create(`${dir}/_orc_acid_version`, Buffer.from(ORC_ACID_VERSION), { overwrite: true });
  }

  /** Heartbeats the open transaction batch (errors are logged, as Flume suppresses them). */
  async heartbeat(): Promise<void> {
    if (!this.batch || this.closed) return;
    try {
      await this.batch.heartbeat();
    } catch (err) {
      this.d.logger.warn({ endPoint: endPointString(this.ep), err: errorMessage(err) }, 'Unable to send heartbeat on Txn Batch');
    }
  }

  /** Drops the buffered rows and aborts the current transaction (errors logged); the next one is begun. */
  async abort(): Promise<void> {
    this.rows = new Map();
    const batch = this.batch;
    if (batch === undefined) return;
    if (batch.currentState !== 'OPEN') return;
    this.d.logger.info({ txnId: String(batch.currentTxnId), endPoint: endPointString(this.ep) }, 'Aborting Txn');
    try {
      await batch.abort();
    } catch (err) {
      this.d.logger.warn({ endPoint: endPointString(this.ep), err: errorMessage(err) }, 'Error aborting Txn');
    }
  }

  private async closeBatch(): Promise<void> {
    const batch = this.batch;
    this.batch = undefined;
    try {
      await batch?.close();
    } catch (err) {
      this.d.logger.warn(
        { endPoint: endPointString(this.ep), err: errorMessage(err) },
        'Error when aborting remaining transactions in batch',
      );
    }
  }

  /** Aborts the open and the unused transactions of the batch. */
  async close(): Promise<void> {
    this.rows = new Map();
    this.closed = true;
    await this.closeBatch();
  }
}
