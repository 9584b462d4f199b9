/**
 * A small HBase 2 client for writing, as HBase's own client does it: ZooKeeper's `<znodeParent>/meta-region-server`
 * names the server of hbase:meta; a reversed scan of hbase:meta from `table,row,99999999999999` finds the region that
 * holds a row (closest row before); locations are cached per table. Mutations go as one `Multi` per region server,
 * their cells in a KeyValueCodec cell block after the request (./cellblock.ts, as HBase's client sends them); failed
 * actions (region moved, split, closing, opening, server down) drop the cached locations and are sent again with
 * backoff until `timeoutMs` has passed. Only what failed is sent again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FlumeError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logging.js';
import { type KeyValue, checkCells, encodeCellBlock } from './cellblock.js';
import { type Codec, DURABILITY, MUTATE, REGION_NAME, codec } from './proto.js';
import { HBaseConnectionError, HBaseRemoteError, type Reply, RpcConnection } from './rpc.js';
import type { RpcSecurity } from './sasl.js';
import { readZnode } from './zk.js';

export class HBaseTableError extends FlumeError {
  constructor(message: string) {
    super('FLUME_HBASE_TABLE', message, { retriable: true });
  }
}

export class HBaseWriteError extends FlumeError {
  constructor(message: string, cause?: unknown) {
    super('FLUME_HBASE_WRITE', message, { cause, retriable: true });
  }
}

export interface CellValue {
  family: Buffer;
  qualifier: Buffer;
  /** Put: the value. */
  value?: Buffer;
  /** Increment: the amount. */
  amount?: bigint;
}

export interface Mutation {
  type: 'put' | 'increment';
  row: Buffer;
  cells: CellValue[];
}

export interface Region {
  name: Buffer;
  start: Buffer;
  end: Buffer;
  server: string;
}

export interface HBaseClientOptions {
  /** ZooKeeper servers, host:port comma-separated. */
  quorum: string;
  znodeParent: string;
  /** Total time a write (with its retries) may take. */
  timeoutMs: number;
  /** Per-RPC time limit. */
  rpcTimeoutMs?: number;
  logger?: Logger;
  /** Kerberos (SASL GSSAPI) on every RPC connection; plain (SIMPLE) when absent. */
  security?: RpcSecurity;
  /** Connections idle this long are closed (hbase.ipc.client.connection.minIdleTimeBeforeClose, default 120 s). */
  idleCloseMs?: number;
}

const META_REGION = Buffer.from('hbase:meta,,1');
const META_KEY_SUFFIX = ',99999999999999';
/** Exceptions that no retry can cure (HBase's DoNotRetryIOException family). */
const FATAL =
  /NoSuchColumnFamilyException|TableNotFoundException|DoNotRetryIOException|FailedSanityCheckException|TableNotEnabled|AccessDenied/;

/** Row is inside [start, end) (an empty end is the table's end). */
export function contains(r: Pick<Region, 'start' | 'end'>, row: Buffer): boolean {
  return Buffer.compare(row, r.start) >= 0 && (r.end.length === 0 || Buffer.compare(row, r.end) < 0);
}

/** The row to start a reversed meta scan from: `table,row,99999999999999`. */
export function metaKey(table: string, row: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${table},`), row, Buffer.from(META_KEY_SUFFIX)]);
}

/** Parses ZooKeeper's meta-region-server data: 0xFF, int32 id length, id, "PBUF", MetaRegionServer. */
export function parseMetaZnode(c: Codec, data: Buffer): string {
  let off = 0;
  if (data[0] === 0xff) off = 5 + data.readInt32BE(1);
  if (data.subarray(off, off + 4).toString('latin1') !== 'PBUF') {
    throw new HBaseTableError('the meta-region-server znode is not in HBase 2 format (no PBUF magic)');
  }
  const m = c.decode<{ server: { host_name: string; port: number } }>('MetaRegionServer', data.subarray(off + 4));
  return `${m.server.host_name}:${m.server.port}`;
}

interface PbCell {
  family: Uint8Array;
  qualifier: Uint8Array;
  value: Uint8Array;
}
interface RegionInfoPb {
  table_name: { namespace: Uint8Array; qualifier: Uint8Array };
  start_key?: Uint8Array;
  end_key?: Uint8Array;
  offline?: boolean;
  split?: boolean;
  replica_id?: number;
}

/** Reads one hbase:meta row's info:regioninfo and info:server. */
export function parseMetaRow(c: Codec, cells: PbCell[], row: Uint8Array): { info?: RegionInfoPb; server?: string; name: Buffer } {
  let info: RegionInfoPb | undefined;
  let server: string | undefined;
  for (const cell of cells) {
    const q = Buffer.from(cell.qualifier).toString('latin1');
    if (q === 'regioninfo') {
      const v = Buffer.from(cell.value);
      const body = v.subarray(0, 4).toString('latin1') === 'PBUF' ? v.subarray(4) : v;
      info = c.decode<RegionInfoPb>('RegionInfo', body);
    } else if (q === 'server') {
      server = Buffer.from(cell.value).toString('utf8');
    }
  }
  return { info, server, name: Buffer.from(row) };
}

function tableOf(info: RegionInfoPb): string {
  const ns = Buffer.from(info.table_name.namespace).toString('utf8');
  const q = Buffer.from(info.table_name.qualifier).toString('utf8');
  return ns === 'default' ? q : `${ns}:${q}`;
}

export class HBaseClient {
  private c?: Codec;
  private meta?: string;
  private readonly conns = new Map<string, RpcConnection>();
  private readonly regions = new Map<string, Region[]>();
  private readonly nonceGroup = randomUint64();
  private readonly rpcTimeoutMs: number;
  private idleTimer?: NodeJS.Timeout;

  constructor(private readonly o: HBaseClientOptions) {
    this.rpcTimeoutMs = o.rpcTimeoutMs ?? Math.min(o.timeoutMs, 60_000);
  }

  async start(): Promise<void> {
    this.c = await codec();
    const idle = this.o.idleCloseMs ?? 120_000;
    this.idleTimer = setInterval(() => this.closeIdle(idle), Math.max(250, Math.floor(idle / 2)));
    this.idleTimer.unref();
  }

  /** HBase's client closes connections without calls for minIdleTimeBeforeClose; a new call connects (and logs in) again. */
  private closeIdle(idleMs: number): void {
    const now = Date.now();
    for (const [server, c] of this.conns) {
      if (!c.busy && now - c.lastUsed >= idleMs) {
        c.close();
        this.conns.delete(server);
      }
    }
  }

  private get codec(): Codec {
    if (!this.c) throw new FlumeError('FLUME_HBASE_STATE', 'HBase client used before start()');
    return this.c;
  }

  close(): void {
    clearInterval(this.idleTimer);
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }

  private conn(server: string): RpcConnection {
    let c = this.conns.get(server);
    if (!c || c.closed) {
      const i = server.lastIndexOf(':');
      c = new RpcConnection(server.slice(0, i), Number(server.slice(i + 1)), this.codec, this.rpcTimeoutMs, this.o.security);
      this.conns.set(server, c);
    }
    return c;
  }

  private async metaServer(): Promise<string> {
    if (this.meta) return this.meta;
    const znode = `${this.o.znodeParent.replace(/\/$/, '')}/meta-region-server`;
    const data = await readZnode(this.o.quorum, znode, Math.min(this.rpcTimeoutMs, 10_000));
    if (!data) throw new HBaseTableError(`ZooKeeper ${this.o.quorum} has no ${znode}: is HBase running, and is znodeParent right?`);
    this.meta = parseMetaZnode(this.codec, data);
    return this.meta;
  }

  /** Forgets cached locations (all of a table, or those on one server) and, on a server failure, meta's location. */
  invalidate(table?: string, server?: string): void {
    if (server && server === this.meta) this.meta = undefined;
    if (!table) this.regions.clear();
    else if (!server) this.regions.delete(table);
    else
      this.regions.set(
        table,
        (this.regions.get(table) ?? []).filter((r) => r.server !== server),
      );
    if (server) this.conns.get(server)?.close();
  }

  /** The region of `table` holding `row`: from the cache, else from hbase:meta. */
  async locate(table: string, row: Buffer): Promise<Region> {
    const cached = this.regions.get(table)?.find((r) => contains(r, row));
    if (cached) return cached;
    const meta = await this.metaServer();
    const req = {
      region: { type: REGION_NAME, value: META_REGION },
      scan: {
        column: [{ family: Buffer.from('info') }],
        start_row: metaKey(table, row),
        stop_row: Buffer.from(`${table},,`),
        include_stop_row: true,
        reversed: true,
        caching: 5,
      },
      number_of_rows: 5,
      limit_of_rows: 5, // the server closes the scanner after 5 rows (or at the stop row)
    };
    let res: Reply<ScanResponse>;
    try {
      res = await this.conn(meta).callCells<ScanResponse>('Scan', 'ScanRequest', req, 'ScanResponse', this.rpcTimeoutMs);
    } catch (err) {
      this.meta = undefined;
      throw err;
    }
    return this.pickRegion(table, row, scanResults(res.result, res.cells));
  }

  private pickRegion(table: string, row: Buffer, results: { cell: (PbCell & { row: Uint8Array })[] }[]): Region {
    for (const r of results) {
      if (!r.cell?.length) continue;
      const { info, server, name } = parseMetaRow(this.codec, r.cell, r.cell[0].row);
      if (!info || tableOf(info) !== table) break;
      if (info.offline || info.split || (info.replica_id ?? 0) !== 0) continue; // a split parent: its daughters follow
      const region: Region = { name, start: Buffer.from(info.start_key ?? []), end: Buffer.from(info.end_key ?? []), server: server ?? '' };
      if (!contains(region, row)) throw new HBaseTableError(`hbase:meta has no region of ${table} for row ${row.toString('latin1')} yet`);
      if (!server) throw new HBaseTableError(`region ${name.toString('latin1')} of ${table} is not assigned to a server yet`);
      const list = (this.regions.get(table) ?? []).filter((x) => !contains(x, region.start) && !contains(region, x.start));
      list.push(region);
      this.regions.set(table, list);
      return region;
    }
    throw new HBaseTableError(`table ${table} not found in hbase:meta; create it first (create '${table}', '<columnFamily>')`);
  }

  /** Checks that `table` exists and has column family `family` (a Get of the family on its first region). */
  async checkTable(table: string, family: Buffer): Promise<void> {
    const region = await this.retrying(() => this.locate(table, Buffer.alloc(0)), table);
    const req = {
      region: { type: REGION_NAME, value: region.name },
      get: { row: Buffer.from([0]), column: [{ family }], existence_only: true },
    };
    try {
      await this.conn(region.server).call('Get', 'GetRequest', req, 'GetResponse', this.rpcTimeoutMs);
    } catch (err) {
      if (err instanceof HBaseRemoteError && /NoSuchColumnFamily/.test(err.exceptionClass)) {
        throw new HBaseTableError(`table ${table} has no column family ${family.toString('utf8')}: add it (alter '${table}', '${family}')`);
      }
      throw err;
    }
  }

  private async retrying<T>(fn: () => Promise<T>, table: string): Promise<T> {
    const deadline = Date.now() + this.o.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const notFound = err instanceof HBaseTableError && /not found/.test(err.message);
        if (notFound || Date.now() + backoff(attempt) > deadline || !isRetriable(err)) throw err;
        this.invalidate(table);
        await sleep(backoff(attempt));
      }
    }
  }

  /**
   * Applies `mutations` to `table`; resolves once HBase acknowledged every one. Retries what failed (relocating)
   * until timeoutMs; throws HBaseWriteError then, or at once for a failure no retry can cure (HBaseCellError, before
   * anything is sent, for a row key or family HBase refuses).
   */
  async mutate(table: string, mutations: Mutation[], skipWal = false): Promise<void> {
    for (const m of mutations) checkCells(m);
    const deadline = Date.now() + this.o.timeoutMs;
    const nonces = mutations.map((m) => (m.type === 'increment' ? randomUint64() : undefined));
    let pending = mutations.map((_, i) => i);
    for (let attempt = 0; pending.length > 0; attempt++) {
      const { failed, lastError } = await this.attempt(table, mutations, nonces, pending, skipWal);
      if (failed.length === 0) return;
      if (lastError && !isRetriable(lastError)) {
        throw new HBaseWriteError(`writing to ${table}: ${(lastError as Error).message}`, lastError);
      }
      if (Date.now() + backoff(attempt) > deadline) {
        const why = (lastError as Error)?.message;
        const what = `writing ${failed.length} of ${mutations.length} mutations to ${table}`;
        throw new HBaseWriteError(`${what} did not succeed within timeout ${this.o.timeoutMs} ms: ${why}`, lastError);
      }
      this.o.logger?.debug({ table, failed: failed.length, err: (lastError as Error)?.message }, 'HBase: retrying failed mutations');
      pending = failed;
      await sleep(backoff(attempt));
    }
  }

  /** One round: locate, group per server, one Multi per server in parallel; returns the indices that failed. */
  private async attempt(
    table: string,
    mutations: Mutation[],
    nonces: (unknown | undefined)[],
    pending: number[],
    skipWal: boolean,
  ): Promise<{ failed: number[]; lastError?: unknown }> {
    const failed: number[] = [];
    let lastError: unknown;
    const byServer = new Map<string, Map<string, { region: Region; idx: number[] }>>();
    for (const i of pending) {
      let region: Region;
      try {
        region = await this.locate(table, mutations[i].row);
      } catch (err) {
        if (err instanceof HBaseTableError && /not found/.test(err.message)) throw new HBaseWriteError(err.message, err);
        failed.push(i);
        lastError = err;
        continue;
      }
      const regions = byServer.get(region.server) ?? new Map<string, { region: Region; idx: number[] }>();
      byServer.set(region.server, regions);
      const key = region.name.toString('latin1');
      const entry = regions.get(key) ?? { region, idx: [] };
      regions.set(key, entry);
      entry.idx.push(i);
    }
    await Promise.all(
      [...byServer].map(async ([server, regions]) => {
        const groups = [...regions.values()];
        try {
          const errs = await this.multi(server, groups, mutations, nonces, skipWal);
          for (const [i, err] of errs) {
            failed.push(i);
            lastError = err;
            this.invalidate(table, isServerGone(err) ? server : undefined);
          }
        } catch (err) {
          for (const g of groups) failed.push(...g.idx);
          lastError = err;
          this.invalidate(table, server);
        }
      }),
    );
    return { failed, lastError };
  }

  /** One Multi to `server`; resolves with the actions that failed (index → error). */
  private async multi(
    server: string,
    groups: { region: Region; idx: number[] }[],
    mutations: Mutation[],
    nonces: (unknown | undefined)[],
    skipWal: boolean,
  ): Promise<Map<number, Error>> {
    const regionAction = groups.map((g) => ({
      region: { type: REGION_NAME, value: g.region.name },
      action: g.idx.map((i) => ({ index: i, mutation: this.toProto(mutations[i], nonces[i], skipWal) })),
    }));
    const cellBlock = encodeCellBlock(
      mutations,
      groups.flatMap((g) => g.idx),
    );
    const req = { regionAction, nonceGroup: this.nonceGroup };
    type Roe = { index?: number; exception?: { name: string; value?: Uint8Array } };
    type MultiResponse = { regionActionResult?: { resultOrException?: Roe[]; exception?: Roe['exception'] }[] };
    const { result: res } = await this.conn(server).callCells<MultiResponse>(
      'Multi',
      'MultiRequest',
      req,
      'MultiResponse',
      this.rpcTimeoutMs,
      cellBlock,
    );
    const out = new Map<number, Error>();
    groups.forEach((g, k) => {
      const rar = res.regionActionResult?.[k];
      if (!rar) {
        for (const i of g.idx) out.set(i, new HBaseConnectionError(`no result for region ${g.region.name.toString('latin1')}`));
      } else if (rar.exception) {
        for (const i of g.idx) out.set(i, remote(rar.exception));
      } else {
        for (const roe of rar.resultOrException ?? []) if (roe.exception) out.set(roe.index ?? -1, remote(roe.exception));
      }
    });
    return out;
  }

  /** The MutationProto without data (HBase's toMutationNoData): its cells are in the request's cell block. */
  private toProto(m: Mutation, nonce: unknown, skipWal: boolean): object {
    return {
      mutate_type: m.type === 'increment' ? MUTATE.INCREMENT : MUTATE.PUT,
      durability: skipWal ? DURABILITY.SKIP_WAL : DURABILITY.USE_DEFAULT,
      associated_cell_count: m.cells.length,
      ...(nonce !== undefined ? { nonce } : {}),
    };
  }
}

interface ScanResponse {
  results?: { cell?: (PbCell & { row: Uint8Array })[] }[];
  cells_per_result?: number[];
}

/** A scan's rows: from the cell block (cells_per_result says how many cells each row has), else from protobuf. */
export function scanResults(res: ScanResponse, cells: KeyValue[]): { cell: (PbCell & { row: Uint8Array })[] }[] {
  if (!res.cells_per_result?.length) return (res.results ?? []).map((r) => ({ cell: r.cell ?? [] }));
  const out: { cell: KeyValue[] }[] = [];
  let next = 0;
  for (const n of res.cells_per_result) {
    out.push({ cell: cells.slice(next, next + n) });
    next += n;
  }
  return out;
}

function remote(e: { name: string; value?: Uint8Array }): HBaseRemoteError {
  const text = e.value ? Buffer.from(e.value).toString('utf8').split('\n')[0] : e.name;
  return new HBaseRemoteError(e.name, text, FATAL.test(e.name));
}

function isServerGone(err: unknown): boolean {
  return (
    err instanceof HBaseConnectionError ||
    (err instanceof HBaseRemoteError && /ServerNotRunning|RegionServerStopped|Aborted/.test(err.exceptionClass))
  );
}

function isRetriable(err: unknown): boolean {
  if (err instanceof HBaseRemoteError) return !err.doNotRetry && !FATAL.test(err.exceptionClass);
  return true;
}

/** 100 ms doubling to 2 s, with jitter. */
export function backoff(attempt: number): number {
  const base = Math.min(2000, 100 * 2 ** Math.min(attempt, 5));
  return base / 2 + Math.random() * (base / 2);
}

function randomUint64(): string {
  const b = Buffer.alloc(8);
  for (let i = 0; i < 8; i++) b[i] = Math.floor(Math.random() * 256);
  return (b.readBigUInt64BE() & 0x7fffffffffffffffn).toString();
}
