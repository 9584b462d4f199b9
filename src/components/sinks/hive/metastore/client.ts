// The Hive metastore calls Hive's streaming ingest makes (hive_metastore.thrift, Hive 4 ThriftHiveMetastore):
// get_table_req, get_partition / add_partition, open_txns, allocate_table_write_ids, lock / check_lock,
// heartbeat_txn_range, commit_txn, abort_txns. Field ids are the IDL's.
import os from 'node:os';
import { FlumeError } from '../../../../core/errors.js';
import { type Decoded, type TFields, TType, ThriftConnection, tbool, ti32, ti64, tlist, tstr, tstrmap, tstruct } from './thrift.js';

export interface Column {
  name: string;
  type: string;
}

export interface TableInfo {
  db: string;
  table: string;
  location: string;
  cols: Column[];
  partitionKeys: Column[];
  numBuckets: number;
  bucketCols: string[];
  parameters: Record<string, string>;
  inputFormat: string;
  outputFormat: string;
  serdeLib: string;
}

/** LockState (hive_metastore.thrift). */
export const LockState = { ACQUIRED: 1, WAITING: 2, ABORT: 3, NOT_ACQUIRED: 4 } as const;
const LockType = { SHARED_READ: 1, SHARED_WRITE: 2 } as const;
const LockLevel = { TABLE: 2, PARTITION: 3 } as const;
const DataOperationType = { INSERT: 2 } as const;

const str = (m: Decoded, id: number): string => String(m.get(id) ?? '');
const strMap = (v: unknown): Record<string, string> => Object.fromEntries((v as Map<string, string> | undefined) ?? []);
const cols = (v: unknown): Column[] => ((v as Decoded[] | undefined) ?? []).map((f) => ({ name: str(f, 1), type: str(f, 2) }));

function parseTable(t: Decoded): TableInfo {
  const sd = (t.get(7) as Decoded | undefined) ?? new Map();
  const serde = (sd.get(7) as Decoded | undefined) ?? new Map();
  return {
    table: str(t, 1),
    db: str(t, 2),
    location: str(sd, 2),
    cols: cols(sd.get(1)),
    partitionKeys: cols(t.get(8)),
    numBuckets: Number(sd.get(6) ?? 0),
    bucketCols: ((sd.get(8) as string[] | undefined) ?? []).map(String),
    parameters: strMap(t.get(9)),
    inputFormat: str(sd, 3),
    outputFormat: str(sd, 4),
    serdeLib: str(serde, 2),
  };
}

/** The storage descriptor of a new partition: the table's, with the partition's location. */
function partitionSd(t: TableInfo, location: string): TFields {
  return {
    1: tlist(
      TType.STRUCT,
      t.cols.map((c) => tstruct({ 1: tstr(c.name), 2: tstr(c.type) })),
    ),
    2: tstr(location),
    3: tstr(t.inputFormat),
    4: tstr(t.outputFormat),
    5: tbool(false),
    6: ti32(t.numBuckets),
    7: tstruct({ 2: tstr(t.serdeLib), 3: tstrmap({}) }),
    8: tlist(
      TType.STRING,
      t.bucketCols.map((c) => tstr(c)),
    ),
    9: tlist(TType.STRUCT, []),
    10: tstrmap({}),
  };
}

export class MetastoreClient {
  private readonly conn: ThriftConnection;
  readonly user: string;
  readonly hostname = os.hostname();

  constructor(
    readonly uri: string,
    timeoutMs: number,
  ) {
    const m = /^thrift:\/\/([^:/]+|\[[^\]]+\]):(\d+)\/?$/.exec(uri.trim());
    if (!m) {
      throw new FlumeError('FLUME_CONFIG', `hive.metastore "${uri}" is not a thrift://host:port URI (e.g. thrift://127.0.0.1:9083)`);
    }
    this.conn = new ThriftConnection(m[1].replace(/^\[|\]$/g, ''), Number(m[2]), timeoutMs);
    this.user = process.env.HADOOP_USER_NAME ?? os.userInfo().username;
  }

  async getTable(db: string, table: string): Promise<TableInfo> {
    const r = (await this.conn.call('get_table_req', { 1: tstruct({ 1: tstr(db), 2: tstr(table) }) })) as Decoded;
    return parseTable(r.get(1) as Decoded);
  }

  /** The partition's location, or undefined when it does not exist (NoSuchObjectException). */
  async getPartitionLocation(db: string, table: string, values: string[]): Promise<string | undefined> {
    try {
      const p = (await this.conn.call('get_partition', {
        1: tstr(db),
        2: tstr(table),
        3: tlist(
          TType.STRING,
          values.map((v) => tstr(v)),
        ),
      })) as Decoded;
      return str((p.get(6) as Decoded | undefined) ?? new Map(), 2);
    } catch (e) {
      if (e instanceof FlumeError && 'exceptionField' in e && e.exceptionField === 2) return undefined;
      throw e;
    }
  }

  /** add_partition; an AlreadyExistsException (another writer won the race) counts as success. */
  async addPartition(t: TableInfo, values: string[], location: string): Promise<void> {
    try {
      await this.conn.call('add_partition', {
        1: tstruct({
          1: tlist(
            TType.STRING,
            values.map((v) => tstr(v)),
          ),
          2: tstr(t.db),
          3: tstr(t.table),
          6: tstruct(partitionSd(t, location)),
          7: tstrmap({}),
        }),
      });
    } catch (e) {
      if (e instanceof FlumeError && 'exceptionField' in e && e.exceptionField === 2) return;
      throw e;
    }
  }

  async openTxns(n: number): Promise<bigint[]> {
    const r = (await this.conn.call('open_txns', {
      1: tstruct({ 1: ti32(n), 2: tstr(this.user), 3: tstr(this.hostname), 4: tstr('flume-ts hive sink') }),
    })) as Decoded;
    return (r.get(1) as bigint[]).map(BigInt);
  }

  /** Write ids of `txnIds` for the table, in the same order. */
  async allocateWriteIds(db: string, table: string, txnIds: bigint[]): Promise<bigint[]> {
    const r = (await this.conn.call('allocate_table_write_ids', {
      1: tstruct({
        1: tstr(db),
        2: tstr(table),
        3: tlist(
          TType.I64,
          txnIds.map((t) => ti64(t)),
        ),
      }),
    })) as Decoded;
    const byTxn = new Map<bigint, bigint>();
    for (const x of r.get(1) as Decoded[]) byTxn.set(x.get(1) as bigint, x.get(2) as bigint);
    return txnIds.map((t) => {
      const w = byTxn.get(t);
      if (w === undefined) throw new FlumeError('FLUME_HIVE_METASTORE', `metastore allocated no write id for txn ${t} on ${db}.${table}`);
      return w;
    });
  }

  /** The shared lock streaming ingest takes for an insert into a table or one partition. */
  async lock(txnId: bigint, db: string, table: string, partitionName?: string): Promise<{ lockId: bigint; state: number }> {
    const component = tstruct({
      1: ti32(LockType.SHARED_READ),
      2: ti32(partitionName ? LockLevel.PARTITION : LockLevel.TABLE),
      3: tstr(db),
      4: tstr(table),
      5: partitionName === undefined ? undefined : tstr(partitionName),
      6: ti32(DataOperationType.INSERT),
      7: tbool(true),
    });
    const r = (await this.conn.call('lock', {
      1: tstruct({ 1: tlist(TType.STRUCT, [component]), 2: ti64(txnId), 3: tstr(this.user), 4: tstr(this.hostname) }),
    })) as Decoded;
    return { lockId: r.get(1) as bigint, state: Number(r.get(2)) };
  }

  async checkLock(lockId: bigint, txnId: bigint): Promise<number> {
    const r = (await this.conn.call('check_lock', { 1: tstruct({ 1: ti64(lockId), 2: ti64(txnId) }) })) as Decoded;
    return Number(r.get(2));
  }

  /** Heartbeats txns min..max; returns those the metastore reports aborted or unknown. */
  async heartbeat(min: bigint, max: bigint): Promise<{ aborted: bigint[]; nosuch: bigint[] }> {
    const r = (await this.conn.call('heartbeat_txn_range', { 1: tstruct({ 1: ti64(min), 2: ti64(max) }) })) as Decoded;
    return { aborted: (r.get(1) as bigint[] | undefined) ?? [], nosuch: (r.get(2) as bigint[] | undefined) ?? [] };
  }

  async commitTxn(txnId: bigint): Promise<void> {
    await this.conn.call('commit_txn', { 1: tstruct({ 1: ti64(txnId) }) });
  }

  async abortTxns(txnIds: bigint[]): Promise<void> {
    if (txnIds.length === 0) return;
    await this.conn.call('abort_txns', {
      1: tstruct({
        1: tlist(
          TType.I64,
          txnIds.map((t) => ti64(t)),
        ),
      }),
    });
  }

  /** Test and tooling helper: create_database (AlreadyExists is fine). */
  async createDatabase(name: string, location: string): Promise<void> {
    try {
      await this.conn.call('create_database', { 1: tstruct({ 1: tstr(name), 3: tstr(location), 4: tstrmap({}) }) });
    } catch (e) {
      if (!(e instanceof FlumeError && 'exceptionField' in e && e.exceptionField === 1)) throw e;
    }
  }

  /** Test and tooling helper: create_table of an ORC table (transactional when the parameters say so). */
  async createTable(spec: {
    db: string;
    table: string;
    location: string;
    cols: Column[];
    partitionKeys?: Column[];
    buckets?: { n: number; cols: string[] };
    parameters?: Record<string, string>;
  }): Promise<void> {
    const info: TableInfo = {
      db: spec.db,
      table: spec.table,
      location: spec.location,
      cols: spec.cols,
      partitionKeys: spec.partitionKeys ?? [],
      numBuckets: spec.buckets?.n ?? -1,
      bucketCols: spec.buckets?.cols ?? [],
      parameters: spec.parameters ?? {},
      inputFormat: 'org.apache.hadoop.hive.ql.io.orc.OrcInputFormat',
      outputFormat: 'org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat',
      serdeLib: 'org.apache.hadoop.hive.ql.io.orc.OrcSerde',
    };
    await this.conn.call('create_table', {
      1: tstruct({
        1: tstr(spec.table),
        2: tstr(spec.db),
        3: tstr(this.user),
        7: tstruct(partitionSd(info, spec.location)),
        8: tlist(
          TType.STRUCT,
          info.partitionKeys.map((c) => tstruct({ 1: tstr(c.name), 2: tstr(c.type) })),
        ),
        9: tstrmap(info.parameters),
        12: tstr('MANAGED_TABLE'),
      }),
    });
  }

  close(): void {
    this.conn.close();
  }
}
