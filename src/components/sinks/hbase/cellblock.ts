/**
 * HBase's KeyValueCodec cell blocks (hbase-common: KeyValueCodec, KeyValueUtil.oswrite). HBase's own client names this
 * codec in its ConnectionHeader (hbase.client.default.rpc.codec) and then sends a Multi's cells after the request's
 * protobuf, not inside it: each MutationProto carries only its type, durability and `associated_cell_count` (HBase's
 * toMutationNoData); the server reads the cells as views of the request buffer instead of building them from
 * protobuf. Replies carry the cells of Scan and Get results the same way (ResponseHeader.cell_block_meta,
 * ScanResponse.cells_per_result).
 *
 * One cell: int32 length | int32 key length | int32 value length | key | value [| tags, skipped], where the key is
 * int16 row length | row | int8 family length | family | qualifier | int64 timestamp | int8 type.
 */
import { FlumeError } from '../../../core/errors.js';

export const KEY_VALUE_CODEC = 'org.apache.hadoop.hbase.codec.KeyValueCodec';
/** KeyValue.Type.Put: the type of a Put's cells and of an Increment's (whose value is the 8-byte amount). */
const CELL_TYPE_PUT = 4;
/** HConstants.LATEST_TIMESTAMP: "now", set by the region server (a Put without an explicit timestamp). */
const LATEST_TIMESTAMP = 0x7fffffffffffffffn;
/** HConstants.MAX_ROW_LENGTH (Short.MAX_VALUE) and the family's int8 length. */
const MAX_ROW = 0x7fff;
const MAX_FAMILY = 0x7f;

export interface KeyValue {
  row: Buffer;
  family: Buffer;
  qualifier: Buffer;
  timestamp: bigint;
  type: number;
  value: Buffer;
}

/** A cell to write (type Put, timestamp LATEST_TIMESTAMP): its value, or an Increment's amount as an 8-byte long. */
export interface CellToWrite {
  family: Buffer;
  qualifier: Buffer;
  value?: Buffer;
  amount?: bigint;
}

/** A row key or family HBase's Put would refuse (Put's checkRow, the family's int8 length). */
export class HBaseCellError extends FlumeError {
  constructor(message: string) {
    super('FLUME_HBASE_CELL', message, { retriable: false });
  }
}

/** Throws HBaseCellError for a row key or a family HBase's Put refuses (before anything is sent). */
export function checkCells(m: { row: Buffer; cells: readonly CellToWrite[] }): void {
  if (m.row.length > MAX_ROW) {
    throw new HBaseCellError(
      `row key of ${m.row.length} bytes is longer than HBase allows (${MAX_ROW}); the serializer's row key (its rowKeyIndex group) must be shorter`,
    );
  }
  for (const c of m.cells) {
    if (c.family.length > MAX_FAMILY) {
      throw new HBaseCellError(`column family name of ${c.family.length} bytes is longer than HBase allows (${MAX_FAMILY})`);
    }
  }
}

const valueLength = (c: CellToWrite): number => (c.amount !== undefined ? 8 : (c.value?.length ?? 0));

/** Bytes one cell takes in a block, its int32 length included. */
function cellSize(row: Buffer, c: CellToWrite): number {
  return 4 + 8 + 2 + row.length + 1 + c.family.length + c.qualifier.length + 8 + 1 + valueLength(c);
}

/** Writes the cells of `mutations[i]` for each i of `order` into one block (one copy of every value); see checkCells. */
export function encodeCellBlock(mutations: readonly { row: Buffer; cells: readonly CellToWrite[] }[], order: readonly number[]): Buffer {
  let total = 0;
  for (const i of order) {
    const { row, cells } = mutations[i];
    for (const c of cells) total += cellSize(row, c);
  }
  const out = Buffer.allocUnsafe(total);
  let o = 0;
  for (const i of order) {
    const { row, cells } = mutations[i];
    for (const c of cells) {
      const keyLen = 2 + row.length + 1 + c.family.length + c.qualifier.length + 8 + 1;
      const valueLen = valueLength(c);
      o = out.writeInt32BE(8 + keyLen + valueLen, o);
      o = out.writeInt32BE(keyLen, o);
      o = out.writeInt32BE(valueLen, o);
      o = out.writeInt16BE(row.length, o);
      o += row.copy(out, o);
      o = out.writeInt8(c.family.length, o);
      o += c.family.copy(out, o);
      o += c.qualifier.copy(out, o);
      o = out.writeBigInt64BE(LATEST_TIMESTAMP, o);
      o = out.writeUInt8(CELL_TYPE_PUT, o);
      if (c.amount !== undefined) o = out.writeBigInt64BE(c.amount, o);
      else if (c.value) o += c.value.copy(out, o);
    }
  }
  return out;
}

/** Reads every cell of a block (views of `block`, not copies). */
export function decodeCellBlock(block: Buffer): KeyValue[] {
  const cells: KeyValue[] = [];
  let o = 0;
  while (o < block.length) {
    if (o + 12 > block.length) throw new HBaseCellError(`cell block truncated at byte ${o} of ${block.length}`);
    const len = block.readInt32BE(o);
    const keyLen = block.readInt32BE(o + 4);
    const valueLen = block.readInt32BE(o + 8);
    const end = o + 4 + len;
    if (len < 8 + keyLen + valueLen || keyLen < 12 || end > block.length) {
      throw new HBaseCellError(`malformed cell at byte ${o} of a ${block.length}-byte cell block`);
    }
    let k = o + 12;
    const rowLen = block.readInt16BE(k);
    k += 2;
    const row = block.subarray(k, k + rowLen);
    k += rowLen;
    const famLen = block.readInt8(k);
    k += 1;
    const family = block.subarray(k, k + famLen);
    k += famLen;
    const keyEnd = o + 12 + keyLen;
    if (rowLen < 0 || famLen < 0 || k > keyEnd - 9)
      throw new HBaseCellError(`malformed cell key at byte ${o} of a ${block.length}-byte cell block`);
    const qualifier = block.subarray(k, keyEnd - 9);
    const timestamp = block.readBigInt64BE(keyEnd - 9);
    const type = block.readUInt8(keyEnd - 1);
    const value = block.subarray(keyEnd, keyEnd + valueLen);
    cells.push({ row, family, qualifier, timestamp, type, value });
    o = end;
  }
  return cells;
}
