/**
 * Log files: the group-commit writer (one per data dir) and the replay scanner.
 */
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import {
  FILE_HEADER,
  LOG_MAGIC,
  REC_HEADER,
  REC_MAGIC,
  T_COMMIT,
  T_PUT,
  checkRecord,
  fileHeader,
  patchCommitSeq,
  type EncodedTx,
} from './format.js';
import { FlumeError } from '../../../core/errors.js';

export const logName = (id: number): string => `log-${id}`;
export const LOG_NAME_RE = /^log-(\d+)$/;

/** fsync a directory so a created, renamed or deleted entry is durable. */
export async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await fsp.open(dir, 'r');
    await fh.sync();
  } catch {
    /* some file systems refuse fsync on directories; the data files themselves are synced */
  } finally {
    await fh?.close().catch(() => {});
  }
}

/** Writes all buffers at `position`, in writev calls of at most 512 buffers, handling short writes. */
async function writeAll(fh: FileHandle, bufs: Buffer[], position: number): Promise<void> {
  let pos = position;
  for (let i = 0; i < bufs.length; i += 512) {
    let chunk = bufs.slice(i, i + 512);
    let want = 0;
    for (const b of chunk) want += b.length;
    while (want > 0) {
      const { bytesWritten } = await fh.writev(chunk, pos);
      pos += bytesWritten;
      want -= bytesWritten;
      if (want > 0) {
        const all = Buffer.concat(chunk);
        chunk = [all.subarray(all.length - want)];
      }
    }
  }
}

export interface PendingTx {
  enc: EncodedTx;
  /** Called synchronously, in write order, once the transaction is written (and synced when required). */
  apply(fileId: number, base: number): void;
  resolve(): void;
  reject(err: unknown): void;
}

/** What a writer needs from its channel. */
export interface WriterHost {
  readonly maxFileSize: number;
  readonly fsyncPerTransaction: boolean;
  allocFileId(): number;
  nextCommitSeq(): number;
  onFileOpened(id: number, file: string, writer: LogWriter): void;
  onFileRotated(id: number, size: number): void;
  countFsync(): void;
}

/**
 * Appends transactions to the active log file of one data dir. Commits that arrive while a write+fdatasync is in
 * flight queue up and go out together in the next write, covered by one fdatasync (group commit).
 */
export class LogWriter {
  readonly dir: string;
  private readonly host: WriterHost;
  fileId = 0;
  private fh: FileHandle | undefined;
  /** Next write position. */
  private offset = 0;
  /** End of the last transaction whose effects are applied to the in-memory queue. */
  applied = 0;
  private unsynced = false;
  private broken = false;
  private pending: PendingTx[] = [];
  private running: Promise<void> | undefined;
  private writing = false;
  private inFlight = 0;
  /** Resolves (true = success) when the latest round is synced and applied. */
  private tail: Promise<boolean> = Promise.resolve(true);

  constructor(host: WriterHost, dir: string) {
    this.host = host;
    this.dir = dir;
  }

  async openNew(): Promise<void> {
    const id = this.host.allocFileId();
    const file = path.join(this.dir, logName(id));
    const fh = await fsp.open(file, 'wx');
    try {
      await fh.write(fileHeader(id), 0, FILE_HEADER, 0);
      await fh.datasync();
    } catch (err) {
      await fh.close().catch(() => {});
      throw err;
    }
    await syncDir(this.dir);
    this.fh = fh;
    this.fileId = id;
    this.offset = FILE_HEADER;
    this.applied = FILE_HEADER;
    this.unsynced = false;
    this.broken = false;
    this.host.onFileOpened(id, file, this);
  }

  private async rotate(): Promise<void> {
    const old = this.fh;
    const oldId = this.fileId;
    const size = this.applied;
    this.fh = undefined;
    if (old) {
      try {
        await old.datasync();
      } finally {
        await old.close().catch(() => {});
      }
      this.host.onFileRotated(oldId, size);
    }
    await this.openNew();
  }

  submit(tx: PendingTx): void {
    this.pending.push(tx);
    this.kick();
  }

  /** Starts the next round if commits are waiting, no write is running and the pipeline has room. */
  private kick(): void {
    if (this.writing || this.pending.length === 0 || this.inFlight >= MAX_ROUNDS_IN_FLIGHT) return;
    this.writing = true;
    this.running = this.writeRound().finally(() => {
      this.writing = false;
      this.running = undefined;
      this.kick();
    });
  }

  /**
   * One round: every waiting commit goes out in one writev at the end of the log, then an fdatasync. Writes are
   * sequential; the fdatasyncs of consecutive rounds may overlap (the kernel then batches them into one journal
   * commit), but rounds are applied and resolved strictly in write order, and a round fails if an earlier one did.
   */
  private async writeRound(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    let bytes = 0;
    for (const t of batch) bytes += t.enc.buf.length;
    let base: number;
    let fh: FileHandle;
    try {
      if (!this.fh || this.broken || (this.offset > FILE_HEADER && this.offset + bytes > this.host.maxFileSize)) {
        await this.tail; // every earlier round synced and applied (or failed) before the file is closed
        await this.rotate();
        this.tail = Promise.resolve(true); // a failure in the old file does not fail rounds in the new one
      }
      fh = this.fh!;
      const bufs: Buffer[] = [];
      for (const t of batch) {
        patchCommitSeq(t.enc, this.host.nextCommitSeq());
        bufs.push(t.enc.buf);
      }
      base = this.offset;
      await writeAll(fh, bufs, base);
      this.offset = base + bytes;
    } catch (err) {
      this.broken = true; // the file's tail is uncertain: never write there again
      for (const t of batch) t.reject(err);
      return;
    }
    const prev = this.tail;
    this.inFlight++;
    this.tail = (async () => {
      let error: unknown;
      try {
        if (this.host.fsyncPerTransaction) {
          await fh.datasync();
          this.host.countFsync();
        } else {
          this.unsynced = true;
        }
      } catch (err) {
        error = err ?? new FlumeError('FLUME_CHANNEL_IO', 'fdatasync failed');
      }
      if (!(await prev) && error === undefined) error = new FlumeError('FLUME_CHANNEL_IO', 'an earlier write to this log failed');
      this.inFlight--;
      if (error !== undefined) {
        this.broken = true;
        for (const t of batch) t.reject(error);
        this.kick();
        return false;
      }
      let p = base;
      for (const t of batch) {
        t.apply(this.fileId, p);
        p += t.enc.buf.length;
      }
      this.applied = base + bytes;
      for (const t of batch) t.resolve();
      this.kick();
      return true;
    })();
  }

  /** Resolves when no write is running, in flight or queued. */
  async idle(): Promise<void> {
    while (this.running || this.inFlight > 0 || this.pending.length > 0) {
      if (this.running) await this.running;
      else if (this.inFlight > 0) await this.tail;
      else this.kick();
    }
    await this.tail;
  }

  /** fdatasync if anything was written without a sync (fsyncPerTransaction=false, and before checkpoints). */
  async sync(): Promise<void> {
    if (!this.unsynced || !this.fh) return;
    const fh = this.fh;
    this.unsynced = false;
    try {
      await fh.datasync();
      this.host.countFsync();
    } catch (err) {
      if (fh === this.fh) {
        this.unsynced = true;
        throw err;
      }
      // rotated meanwhile: the rotation synced the file
    }
  }

  async close(): Promise<void> {
    await this.idle();
    const fh = this.fh;
    this.fh = undefined;
    if (!fh) return;
    try {
      if (this.unsynced) await fh.datasync();
    } finally {
      await fh.close().catch(() => {});
    }
  }

  /** Closes the file without a final sync (tests that simulate a crash). */
  async abandon(): Promise<void> {
    await this.idle().catch(() => {});
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => {});
  }

  get active(): boolean {
    return this.fh !== undefined;
  }
}

export interface ScannedRecord {
  type: number;
  txid: number;
  /** Record offset in the file. */
  off: number;
  /** Whole record length, header included. */
  len: number;
  commitSeq?: number;
  nPuts?: number;
  /** Takes of a COMMIT: (file id, offset) pairs. */
  takes?: Uint32Array;
}

const CHUNK = 8 * 1024 * 1024;
/** Rounds whose fdatasync may be in flight at once. */
const MAX_ROUNDS_IN_FLIGHT = 4;
const MAGIC_BYTES = (() => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(REC_MAGIC, 0);
  return b;
})();

/**
 * Reads a log file from `start` and calls `onRecord` for every valid record. Corrupt records are reported with
 * their offset and skipped: the scanner resynchronises on the next record that has a valid magic and checksum.
 * A truncated record at the end is reported and ignored. Returns the file size.
 */
export async function scanLog(
  file: string,
  expectId: number,
  start: number,
  onRecord: (r: ScannedRecord) => void,
  report: (offset: number, message: string) => void,
): Promise<number> {
  const fh = await fsp.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    let buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(size, FILE_HEADER)));
    let bufStart = 0;
    let bufLen = 0;
    /** Makes [pos, pos+n) (clamped to the file) available; returns its index in buf. */
    const ensure = async (pos: number, n: number): Promise<number> => {
      const want = Math.min(n, size - pos);
      if (pos >= bufStart && pos + want <= bufStart + bufLen) return pos - bufStart;
      if (want > buf.length) buf = Buffer.allocUnsafe(want);
      const toRead = Math.min(buf.length, size - pos);
      let got = 0;
      while (got < toRead) {
        const { bytesRead } = await fh.read(buf, got, toRead - got, pos + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      bufStart = pos;
      bufLen = got;
      return 0;
    };
    let pos = start;
    if (start < FILE_HEADER) {
      const i = await ensure(0, FILE_HEADER);
      if (bufLen < FILE_HEADER) {
        report(0, `file header truncated (${size} bytes); the file holds no records`);
        return size;
      }
      if (buf.readUInt32LE(i) !== LOG_MAGIC) {
        report(0, 'not a flume-ts file channel log (bad file magic); skipping the file');
        return size;
      }
      const id = buf.readUInt32LE(i + 8);
      if (id !== expectId) report(8, `file header says log id ${id}, the name says ${expectId}; using the name`);
      pos = FILE_HEADER;
    }
    while (pos < size) {
      let i = await ensure(pos, REC_HEADER);
      let problem: string | undefined;
      if (size - pos < REC_HEADER) problem = `truncated record header (${size - pos} of ${REC_HEADER} bytes) at the end of the file`;
      else if (buf.readUInt32LE(i) !== REC_MAGIC) problem = 'bad record magic';
      else {
        const len = buf.readUInt32LE(i + 8);
        if (pos + REC_HEADER + len > size) {
          // a record running past the end: a torn write at the tail, or a corrupt length
          problem = `truncated record (${size - pos} of ${REC_HEADER + len} bytes)`;
        } else {
          i = await ensure(pos, REC_HEADER + len);
          problem = checkRecord(buf, i, bufLen);
          if (!problem) {
            onRecord(parse(buf, i, pos, REC_HEADER + len));
            pos += REC_HEADER + len;
            continue;
          }
        }
      }
      // corrupt: look for the next valid record
      const next = await resync(pos + 1);
      if (next < 0) {
        report(pos, `${problem}; ignoring the rest of the file (${size - pos} bytes)`);
        return size;
      }
      report(pos, `${problem}; skipped ${next - pos} bytes up to the next valid record at offset ${next}`);
      pos = next;
    }
    return size;

    async function resync(from: number): Promise<number> {
      let q = from;
      while (q < size - REC_HEADER + 1) {
        const i = await ensure(q, CHUNK);
        const hit = buf.indexOf(MAGIC_BYTES, i);
        if (hit < 0 || hit + 4 > bufLen) {
          q = bufStart + bufLen - 3;
          if (bufStart + bufLen >= size) return -1;
          continue;
        }
        const c = bufStart + hit;
        if (size - c < REC_HEADER) return -1;
        const j = await ensure(c, REC_HEADER);
        const len = buf.readUInt32LE(j + 8);
        if (c + REC_HEADER + len <= size && len >= 7) {
          const k = await ensure(c, REC_HEADER + len);
          if (!checkRecord(buf, k, bufLen)) return c;
        }
        q = c + 1;
      }
      return -1;
    }
  } finally {
    await fh.close().catch(() => {});
  }
}

function parse(buf: Buffer, i: number, off: number, len: number): ScannedRecord {
  const b = i + REC_HEADER;
  const type = buf[b]!;
  const txid = buf.readUIntLE(b + 1, 6);
  if (type === T_COMMIT && len >= REC_HEADER + 21) {
    const commitSeq = buf.readUIntLE(b + 7, 6);
    const nPuts = buf.readUInt32LE(b + 13);
    const nTakes = buf.readUInt32LE(b + 17);
    const n = Math.min(nTakes, Math.floor((len - REC_HEADER - 21) / 8));
    const takes = new Uint32Array(n * 2);
    for (let k = 0; k < n * 2; k++) takes[k] = buf.readUInt32LE(b + 21 + k * 4);
    return { type, txid, off, len, commitSeq, nPuts, takes };
  }
  return { type: type === T_PUT ? T_PUT : type, txid, off, len };
}

/** Lists `log-<id>` files of a directory. */
export function listLogs(dir: string): { id: number; file: string }[] {
  const out: { id: number; file: string }[] = [];
  for (const name of fs.readdirSync(dir)) {
    const m = LOG_NAME_RE.exec(name);
    if (m) out.push({ id: Number(m[1]), file: path.join(dir, name) });
  }
  return out.sort((a, b) => a.id - b.id);
}
