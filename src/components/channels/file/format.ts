/**
 * The file channel's on-disk format (ours, not Flume's; see docs/file-channel.md). Everything is little-endian.
 *
 * Log file `log-<id>`: a 16-byte file header, then records.
 *   file header: magic "FTLG" | u32 version (1) | u32 file id | u32 reserved (0)
 *   record:      u32 magic 0x52435246 ("FRCR") | u32 crc32(len field + body) | u32 len | body[len]
 *   body:        u8 type | u48 transaction id | payload
 *     PUT (1):    u16 header count, per header (u16 key length, key, u32 value length, value), u32 body length, body
 *     COMMIT (2): u48 commit sequence | u32 puts | u32 takes | takes × (u32 file id, u32 record offset)
 * A transaction is written in one write: its PUT records, then its COMMIT record (which carries the takes).
 *
 * Checkpoint `checkpoint`: u32 magic "FTCK" | u32 version (1) | u32 crc32(body) | u32 body length | body
 *   body: f64 written-at ms | f64 commit sequence | f64 transaction id | u32 next file id
 *         | u32 files × (u32 file id, f64 bytes covered) | u32 entries × (u32 file id, u32 offset, u32 record length)
 */
import zlib from 'node:zlib';
import type { Event } from '../../../core/event.js';
import { FlumeError } from '../../../core/errors.js';

export const LOG_MAGIC = 0x474c5446; // "FTLG" read as LE u32
export const LOG_VERSION = 1;
export const FILE_HEADER = 16;
export const REC_MAGIC = 0x52435246; // bytes "FRCR"
export const REC_HEADER = 12;
export const T_PUT = 1;
export const T_COMMIT = 2;
export const CKPT_MAGIC = 0x4b435446; // "FTCK"
export const CKPT_VERSION = 1;
export const CKPT_HEADER = 16;
/** Sanity bound for a record length read from disk (a corrupt length must not make us allocate gigabytes). */
export const MAX_RECORD = 0x7fff0000;

export const crc32 = (buf: Uint8Array, start = 0, end = buf.length): number =>
  zlib.crc32(start === 0 && end === buf.length ? buf : buf.subarray(start, end)) >>> 0;

export function fileHeader(fileId: number): Buffer {
  const b = Buffer.alloc(FILE_HEADER);
  b.writeUInt32LE(LOG_MAGIC, 0);
  b.writeUInt32LE(LOG_VERSION, 4);
  b.writeUInt32LE(fileId, 8);
  return b;
}

const putBodySize = (e: Event): number => {
  let n = 1 + 6 + 2 + 4 + e.body.length;
  for (const k in e.headers) n += 2 + Buffer.byteLength(k) + 4 + Buffer.byteLength(e.headers[k]!);
  return n;
};

/** A transaction encoded as one buffer, with the offsets (relative to the buffer) and lengths of its PUT records. */
export interface EncodedTx {
  buf: Buffer;
  putRel: number[];
  putLen: number[];
  /** Offset of the commit record (the last record). */
  commitOff: number;
}

/**
 * Encodes a transaction's puts and its commit record (with the takes) into one buffer. The commit sequence is
 * patched in by the writer (`patchCommitSeq`) because it is assigned at write time.
 */
export function encodeTx(txid: number, puts: readonly Event[], takes: readonly { f: number; o: number }[]): EncodedTx {
  let total = 0;
  const sizes = new Array<number>(puts.length);
  for (let i = 0; i < puts.length; i++) {
    const s = putBodySize(puts[i]!);
    sizes[i] = s;
    total += REC_HEADER + s;
  }
  const commitBody = 1 + 6 + 6 + 4 + 4 + takes.length * 8;
  total += REC_HEADER + commitBody;
  const buf = Buffer.allocUnsafe(total);
  const putRel = new Array<number>(puts.length);
  const putLen = new Array<number>(puts.length);
  let p = 0;
  for (let i = 0; i < puts.length; i++) {
    const e = puts[i]!;
    const start = p;
    const len = sizes[i]!;
    buf.writeUInt32LE(REC_MAGIC, p);
    buf.writeUInt32LE(len, p + 8);
    p += REC_HEADER;
    buf[p++] = T_PUT;
    buf.writeUIntLE(txid, p, 6);
    p += 6;
    const keys = Object.keys(e.headers);
    buf.writeUInt16LE(keys.length, p);
    p += 2;
    for (const k of keys) {
      const kl = buf.write(k, p + 2, 'utf8');
      buf.writeUInt16LE(kl, p);
      p += 2 + kl;
      const vl = buf.write(e.headers[k]!, p + 4, 'utf8');
      buf.writeUInt32LE(vl, p);
      p += 4 + vl;
    }
    buf.writeUInt32LE(e.body.length, p);
    p += 4;
    e.body.copy(buf, p);
    p += e.body.length;
    buf.writeUInt32LE(crc32(buf, start + 8, p), start + 4);
    putRel[i] = start;
    putLen[i] = REC_HEADER + len;
  }
  const cs = p;
  buf.writeUInt32LE(REC_MAGIC, p);
  buf.writeUInt32LE(commitBody, p + 8);
  p += REC_HEADER;
  buf[p++] = T_COMMIT;
  buf.writeUIntLE(txid, p, 6);
  p += 6;
  p += 6; // commit sequence, patched by the writer
  buf.writeUInt32LE(puts.length, p);
  buf.writeUInt32LE(takes.length, p + 4);
  p += 8;
  for (const t of takes) {
    buf.writeUInt32LE(t.f, p);
    buf.writeUInt32LE(t.o, p + 4);
    p += 8;
  }
  return { buf, putRel, putLen, commitOff: cs };
}

/** Writes the commit sequence into an encoded transaction and recomputes the commit record's checksum. */
export function patchCommitSeq(tx: EncodedTx, seq: number): void {
  const p = tx.commitOff;
  tx.buf.writeUIntLE(seq, p + REC_HEADER + 7, 6);
  tx.buf.writeUInt32LE(crc32(tx.buf, p + 8, tx.buf.length), p + 4);
}

/** Decodes a PUT record's event (`rec` is the whole record, header included). Throws on a malformed body. */
export function decodePut(rec: Buffer): Event {
  let p = REC_HEADER;
  if (rec[p] !== T_PUT) throw new FlumeError('FLUME_CHANNEL_CORRUPT', `not a PUT record (type ${rec[p]})`);
  p += 7;
  const n = rec.readUInt16LE(p);
  p += 2;
  const headers: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const kl = rec.readUInt16LE(p);
    const k = rec.toString('utf8', p + 2, p + 2 + kl);
    p += 2 + kl;
    const vl = rec.readUInt32LE(p);
    headers[k] = rec.toString('utf8', p + 4, p + 4 + vl);
    p += 4 + vl;
  }
  const bl = rec.readUInt32LE(p);
  p += 4;
  if (p + bl > rec.length) throw new FlumeError('FLUME_CHANNEL_CORRUPT', 'body runs past the record');
  // copy: the record buffer may be a large read window
  return { headers, body: Buffer.from(rec.subarray(p, p + bl)) };
}

/** Checks a record's magic, length and checksum. Returns undefined when valid, else what is wrong. */
export function checkRecord(buf: Buffer, p: number, end: number): string | undefined {
  if (end - p < REC_HEADER) return `truncated record header (${end - p} of ${REC_HEADER} bytes)`;
  if (buf.readUInt32LE(p) !== REC_MAGIC) return 'bad record magic';
  const len = buf.readUInt32LE(p + 8);
  if (len < 7 || len > MAX_RECORD) return `bad record length ${len}`;
  if (end - p < REC_HEADER + len) return `truncated record (${end - p} of ${REC_HEADER + len} bytes)`;
  if (crc32(buf, p + 8, p + REC_HEADER + len) !== buf.readUInt32LE(p + 4)) return 'checksum mismatch';
  return undefined;
}

export interface CheckpointData {
  writtenAt: number;
  commitSeq: number;
  txid: number;
  nextFileId: number;
  /** file id → bytes of the file covered by this checkpoint */
  files: Map<number, number>;
  /** queue entries in order: file id, record offset, record length */
  entries: Uint32Array;
}

export function encodeCheckpoint(c: CheckpointData): Buffer {
  const n = c.entries.length / 3;
  const bodyLen = 8 + 8 + 8 + 4 + 4 + c.files.size * 12 + 4 + n * 12;
  const buf = Buffer.allocUnsafe(CKPT_HEADER + bodyLen);
  buf.writeUInt32LE(CKPT_MAGIC, 0);
  buf.writeUInt32LE(CKPT_VERSION, 4);
  buf.writeUInt32LE(bodyLen, 12);
  let p = CKPT_HEADER;
  buf.writeDoubleLE(c.writtenAt, p);
  buf.writeDoubleLE(c.commitSeq, p + 8);
  buf.writeDoubleLE(c.txid, p + 16);
  buf.writeUInt32LE(c.nextFileId, p + 24);
  buf.writeUInt32LE(c.files.size, p + 28);
  p += 32;
  for (const [id, off] of c.files) {
    buf.writeUInt32LE(id, p);
    buf.writeDoubleLE(off, p + 4);
    p += 12;
  }
  buf.writeUInt32LE(n, p);
  p += 4;
  for (let i = 0; i < c.entries.length; i++) buf.writeUInt32LE(c.entries[i]!, p + i * 4);
  buf.writeUInt32LE(crc32(buf, CKPT_HEADER, buf.length), 8);
  return buf;
}

/** Parses a checkpoint; throws with the reason when it is not valid. */
export function decodeCheckpoint(buf: Buffer): CheckpointData {
  if (buf.length < CKPT_HEADER) throw new FlumeError('FLUME_CHANNEL_CORRUPT', `too short (${buf.length} bytes)`);
  if (buf.readUInt32LE(0) !== CKPT_MAGIC) throw new FlumeError('FLUME_CHANNEL_CORRUPT', 'bad magic');
  if (buf.readUInt32LE(4) !== CKPT_VERSION) throw new FlumeError('FLUME_CHANNEL_CORRUPT', `unknown version ${buf.readUInt32LE(4)}`);
  const bodyLen = buf.readUInt32LE(12);
  if (buf.length !== CKPT_HEADER + bodyLen)
    throw new FlumeError('FLUME_CHANNEL_CORRUPT', `length ${buf.length} does not match the header (${CKPT_HEADER + bodyLen})`);
  if (crc32(buf, CKPT_HEADER, buf.length) !== buf.readUInt32LE(8)) throw new FlumeError('FLUME_CHANNEL_CORRUPT', 'checksum mismatch');
  let p = CKPT_HEADER;
  const writtenAt = buf.readDoubleLE(p);
  const commitSeq = buf.readDoubleLE(p + 8);
  const txid = buf.readDoubleLE(p + 16);
  const nextFileId = buf.readUInt32LE(p + 24);
  const nf = buf.readUInt32LE(p + 28);
  p += 32;
  const files = new Map<number, number>();
  for (let i = 0; i < nf; i++) {
    files.set(buf.readUInt32LE(p), buf.readDoubleLE(p + 4));
    p += 12;
  }
  const n = buf.readUInt32LE(p);
  p += 4;
  if (p + n * 12 !== buf.length) throw new FlumeError('FLUME_CHANNEL_CORRUPT', 'entry count does not match the length');
  const entries = new Uint32Array(n * 3);
  for (let i = 0; i < n * 3; i++) entries[i] = buf.readUInt32LE(p + i * 4);
  return { writtenAt, commitSeq, txid, nextFileId, files, entries };
}
