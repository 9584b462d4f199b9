/**
 * Flume's DurablePositionTracker: `<trackerDir>/.flumespool-main.meta`, an Avro container file of
 * `TransferStateFileMeta {offset: long}` records whose `file` metadata names the file being read. Every committed
 * batch appends one block (one record) and the last complete record is the position. Real Flume resumes from a file
 * written here and the other way round.
 *
 * Beyond Flume: the metadata also holds the file's inode and mtime (`flumets.ino`, `flumets.mtime`, which Flume
 * ignores), so a new file that reuses a completed file's name (deletePolicy=immediate) after a crash is read from
 * its start instead of from the old file's offset.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { FlumeError } from '../../../core/errors.js';

export const META_FILE_NAME = '.flumespool-main.meta';
const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);
const SCHEMA =
  '{"type":"record","name":"TransferStateFileMeta","namespace":"org.apache.flume.serialization",' +
  '"fields":[{"name":"offset","type":"long"}]}';

export interface FileIdentity {
  ino: number;
  mtimeMs: number;
}

export interface StoredPosition {
  target: string;
  offset: number;
  identity?: FileIdentity;
}

function zigzag(n: number): Buffer {
  const bytes: number[] = [];
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  while (z >= 0x80) {
    bytes.push((z % 0x80) | 0x80);
    z = Math.floor(z / 0x80);
  }
  bytes.push(z);
  return Buffer.from(bytes);
}

function avroString(s: string): Buffer[] {
  const b = Buffer.from(s, 'utf8');
  return [zigzag(b.length), b];
}

class Cursor {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}
  long(): number {
    let n = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.buf.length) throw new RangeError('truncated');
      const b = this.buf[this.pos++]!;
      n += (b & 0x7f) * mul;
      mul *= 128;
      if (b < 0x80) break;
    }
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }
  bytes(): Buffer {
    const len = this.long();
    if (len < 0 || this.pos + len > this.buf.length) throw new RangeError('truncated');
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }
}

/** Reads a meta file; undefined when it does not exist. Throws FLUME_SPOOL_META for a file that is not one. */
export function readPosition(file: string): StoredPosition | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (buf.length < 4 || !buf.subarray(0, 4).equals(MAGIC)) {
    throw new FlumeError(
      'FLUME_SPOOL_META',
      `${file} is not a Flume position file (no Avro header); delete it to start the current file over`,
    );
  }
  const c = new Cursor(buf, 4);
  const meta = new Map<string, string>();
  let sync: Buffer;
  try {
    for (let n = c.long(); n !== 0; n = c.long()) {
      if (n < 0) {
        n = -n;
        c.long();
      }
      for (let i = 0; i < n; i++) meta.set(c.bytes().toString('utf8'), c.bytes().toString('utf8'));
    }
    sync = buf.subarray(c.pos, c.pos + 16);
    c.pos += 16;
    if (sync.length < 16) throw new RangeError('truncated');
  } catch {
    throw new FlumeError('FLUME_SPOOL_META', `${file}: truncated Avro header; delete it to start the current file over`);
  }
  let offset = 0;
  // blocks: count, size, data, sync; a torn last block (crash mid-write) is ignored
  while (c.pos < buf.length) {
    try {
      const count = c.long();
      const data = c.bytes();
      const s = buf.subarray(c.pos, c.pos + 16);
      c.pos += 16;
      if (s.length < 16 || !s.equals(sync)) break;
      const d = new Cursor(data);
      for (let i = 0; i < count; i++) offset = d.long();
    } catch {
      break;
    }
  }
  const target = meta.get('file') ?? '';
  const ino = meta.get('flumets.ino');
  const mtime = meta.get('flumets.mtime');
  const identity = ino !== undefined && mtime !== undefined ? { ino: Number(ino), mtimeMs: Number(mtime) } : undefined;
  return { target, offset, identity };
}

/** An open meta file that positions are appended to. */
export class PositionTracker {
  private fd: number;
  private readonly sync: Buffer;
  position: number;

  private constructor(
    readonly file: string,
    readonly target: string,
    fd: number,
    sync: Buffer,
    position: number,
  ) {
    this.fd = fd;
    this.sync = sync;
    this.position = position;
  }

  /** Writes a fresh meta file for `target` at `offset` (tmp file + rename, as Flume's getInstance does) and opens it. */
  static create(file: string, target: string, offset: number, identity?: FileIdentity): PositionTracker {
    const sync = randomBytes(16);
    const meta: Array<[string, string]> = [
      ['avro.schema', SCHEMA],
      ['avro.codec', 'null'],
      ['file', target],
    ];
    if (identity) meta.push(['flumets.ino', String(identity.ino)], ['flumets.mtime', String(identity.mtimeMs)]);
    const parts: Buffer[] = [MAGIC, zigzag(meta.length)];
    for (const [k, v] of meta) parts.push(...avroString(k), ...avroString(v));
    parts.push(zigzag(0), sync, block(offset, sync));
    const tmp = path.join(path.dirname(file), `${path.basename(file)}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, Buffer.concat(parts));
    fs.renameSync(tmp, file);
    const fd = fs.openSync(file, 'a');
    return new PositionTracker(file, target, fd, sync, offset);
  }

  /** Appends one record (Flume: writer.append + sync + flush). */
  store(offset: number): void {
    if (offset === this.position) return;
    fs.writeSync(this.fd, block(offset, this.sync));
    this.position = offset;
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}

function block(offset: number, sync: Buffer): Buffer {
  const data = zigzag(offset);
  return Buffer.concat([zigzag(1), zigzag(data.length), data, sync]);
}

export function deleteMeta(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new FlumeError('FLUME_SPOOL_META', `Unable to delete old meta file ${file}: ${(err as Error).message}`);
    }
  }
}
