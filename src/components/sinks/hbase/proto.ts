/**
 * The subset of HBase's protobuf messages (hbase-protocol-shaded: RPC.proto, Client.proto, HBase.proto, Cell.proto,
 * ZooKeeper.proto; package hbase.pb, proto2) that a writing client needs, as a protobufjs JSON descriptor. Field names
 * and numbers are HBase's; enums are declared as int32 (the same varint on the wire). protobufjs is loaded when the
 * first HBase sink starts (about 30 ms), not with the agent.
 */
import type * as Protobuf from 'protobufjs';
import { FlumeError } from '../../../core/errors.js';

type F = Record<string, { type: string; id: number; rule?: 'repeated' | 'required' }>;
const f = (type: string, id: number, rule?: 'repeated' | 'required'): { type: string; id: number; rule?: 'repeated' | 'required' } =>
  rule ? { type, id, rule } : { type, id };

const MESSAGES: Record<string, F> = {
  // RPC.proto
  UserInformation: { effective_user: f('string', 1, 'required'), real_user: f('string', 2) },
  ConnectionHeader: {
    user_info: f('UserInformation', 1),
    service_name: f('string', 2),
    cell_block_codec_class: f('string', 3),
    cell_block_compressor_class: f('string', 4),
  },
  ExceptionResponse: {
    exception_class_name: f('string', 1),
    stack_trace: f('string', 2),
    hostname: f('string', 3),
    port: f('int32', 4),
    do_not_retry: f('bool', 5),
    server_overloaded: f('bool', 6),
  },
  CellBlockMeta: { length: f('uint32', 1) },
  RequestHeader: {
    call_id: f('uint32', 1),
    method_name: f('string', 3),
    request_param: f('bool', 4),
    cell_block_meta: f('CellBlockMeta', 5),
    priority: f('uint32', 6),
    timeout: f('uint32', 7),
  },
  ResponseHeader: { call_id: f('uint32', 1), exception: f('ExceptionResponse', 2), cell_block_meta: f('CellBlockMeta', 3) },
  // HBase.proto
  TableName: { namespace: f('bytes', 1, 'required'), qualifier: f('bytes', 2, 'required') },
  RegionInfo: {
    region_id: f('uint64', 1, 'required'),
    table_name: f('TableName', 2, 'required'),
    start_key: f('bytes', 3),
    end_key: f('bytes', 4),
    offline: f('bool', 5),
    split: f('bool', 6),
    replica_id: f('int32', 7),
  },
  RegionSpecifier: { type: f('int32', 1, 'required'), value: f('bytes', 2, 'required') },
  NameBytesPair: { name: f('string', 1, 'required'), value: f('bytes', 2) },
  ServerName: { host_name: f('string', 1, 'required'), port: f('uint32', 2), start_code: f('uint64', 3) },
  // ZooKeeper.proto
  MetaRegionServer: { server: f('ServerName', 1, 'required'), rpc_version: f('uint32', 2), state: f('int32', 3) },
  // Cell.proto
  Cell: {
    row: f('bytes', 1),
    family: f('bytes', 2),
    qualifier: f('bytes', 3),
    timestamp: f('uint64', 4),
    cell_type: f('int32', 5),
    value: f('bytes', 6),
  },
  // Client.proto
  Column: { family: f('bytes', 1, 'required'), qualifier: f('bytes', 2, 'repeated') },
  Get: { row: f('bytes', 1, 'required'), column: f('Column', 2, 'repeated'), existence_only: f('bool', 10) },
  Result: { cell: f('Cell', 1, 'repeated'), associated_cell_count: f('int32', 2), exists: f('bool', 3), partial: f('bool', 5) },
  GetRequest: { region: f('RegionSpecifier', 1, 'required'), get: f('Get', 2, 'required') },
  GetResponse: { result: f('Result', 1) },
  QualifierValue: { qualifier: f('bytes', 1), value: f('bytes', 2), timestamp: f('uint64', 3) },
  ColumnValue: { family: f('bytes', 1, 'required'), qualifier_value: f('QualifierValue', 2, 'repeated') },
  MutationProto: {
    row: f('bytes', 1),
    mutate_type: f('int32', 2),
    column_value: f('ColumnValue', 3, 'repeated'),
    timestamp: f('uint64', 4),
    durability: f('int32', 6),
    associated_cell_count: f('int32', 8),
    nonce: f('uint64', 9),
  },
  Scan: {
    column: f('Column', 1, 'repeated'),
    start_row: f('bytes', 3),
    stop_row: f('bytes', 4),
    max_versions: f('uint32', 7),
    small: f('bool', 14),
    reversed: f('bool', 15),
    caching: f('uint32', 17),
    include_start_row: f('bool', 21),
    include_stop_row: f('bool', 22),
  },
  ScanRequest: {
    region: f('RegionSpecifier', 1),
    scan: f('Scan', 2),
    scanner_id: f('uint64', 3),
    number_of_rows: f('uint32', 4),
    close_scanner: f('bool', 5),
    client_handles_partials: f('bool', 7),
    client_handles_heartbeats: f('bool', 8),
    limit_of_rows: f('uint32', 11),
  },
  ScanResponse: {
    cells_per_result: f('uint32', 1, 'repeated'),
    scanner_id: f('uint64', 2),
    more_results: f('bool', 3),
    results: f('Result', 5, 'repeated'),
    more_results_in_region: f('bool', 8),
  },
  Action: { index: f('uint32', 1), mutation: f('MutationProto', 2), get: f('Get', 3) },
  RegionAction: { region: f('RegionSpecifier', 1, 'required'), atomic: f('bool', 2), action: f('Action', 3, 'repeated') },
  ResultOrException: { index: f('uint32', 1), result: f('Result', 2), exception: f('NameBytesPair', 3) },
  RegionActionResult: { resultOrException: f('ResultOrException', 1, 'repeated'), exception: f('NameBytesPair', 2) },
  MultiRequest: { regionAction: f('RegionAction', 1, 'repeated'), nonceGroup: f('uint64', 2) },
  MultiResponse: { regionActionResult: f('RegionActionResult', 1, 'repeated'), processed: f('bool', 2) },
};

export type MessageName = keyof typeof MESSAGES;

/** MutationProto.MutationType */
export const MUTATE = { APPEND: 0, INCREMENT: 1, PUT: 2, DELETE: 3 } as const;
/** MutationProto.Durability */
export const DURABILITY = { USE_DEFAULT: 0, SKIP_WAL: 1 } as const;
/** RegionSpecifier.RegionSpecifierType */
export const REGION_NAME = 1;

export interface Codec {
  /** Encodes `obj` as message `name`; `delimited` prefixes its varint length (writeDelimitedTo). */
  encode(name: MessageName, obj: object, delimited?: boolean): Uint8Array;
  decode<T = Record<string, unknown>>(name: MessageName, buf: Uint8Array): T;
  /** Decodes a varint-delimited message at `offset`; returns it and the offset after it. */
  decodeDelimited<T = Record<string, unknown>>(name: MessageName, buf: Uint8Array, offset: number): { msg: T; next: number };
  /** protobufjs' Long (uint64 fields), from the `long` package protobufjs depends on. */
  Long: LongStatic;
}

/** What is used of the `long` package's Long. */
export interface LongLike {
  toString(): string;
  toNumber(): number;
}
export interface LongStatic {
  fromBits(low: number, high: number, unsigned?: boolean): LongLike;
  fromString(s: string, unsigned?: boolean): LongLike;
}

let loaded: Promise<Codec> | undefined;

/** Loads protobufjs and builds the message types, once per process. */
export function codec(): Promise<Codec> {
  loaded ??= build();
  return loaded;
}

async function build(): Promise<Codec> {
  const pb = (await import('protobufjs')).default as typeof Protobuf;
  const Long = pb.util.Long as unknown as LongStatic | undefined;
  if (!Long) throw new FlumeError('FLUME_HBASE_PROTOBUF', 'protobufjs found no `long` package: reinstall flume-ts dependencies');
  const nested: Record<string, object> = {};
  // proto2: a set field is written even when empty (protobufjs' JSON types default to proto3, which omits it)
  for (const [name, fields] of Object.entries(MESSAGES)) nested[name] = { edition: 'proto2', fields };
  const root = pb.Root.fromJSON({ nested: { pb: { nested } } });
  const types = new Map<string, Protobuf.Type>();
  const type = (n: string): Protobuf.Type => {
    let t = types.get(n);
    if (!t) {
      t = root.lookupType(`pb.${n}`);
      types.set(n, t);
    }
    return t;
  };
  return {
    Long,
    encode: (name, obj, delimited = false) => {
      const t = type(name);
      const m = t.fromObject(obj);
      return delimited ? t.encodeDelimited(m).finish() : t.encode(m).finish();
    },
    decode: <T>(name: MessageName, buf: Uint8Array) => type(name).decode(buf) as unknown as T,
    decodeDelimited: <T>(name: MessageName, buf: Uint8Array, offset: number) => {
      const r = pb.Reader.create(buf);
      r.pos = offset;
      const len = r.uint32();
      const start = r.pos;
      const msg = type(name).decode(buf.subarray(start, start + len)) as unknown as T;
      return { msg, next: start + len };
    },
  };
}
