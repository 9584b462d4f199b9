/**
 * One followed file (Flume's TailFile): an open handle on one inode, the committed position `pos` (the start of the
 * next line not yet committed to the channel) and the read position `readPos` (after the lines handed out in the
 * batch being committed). Lines end at `\n`; a `\r` right before it is dropped (Flume's readLine). A last line
 * without `\n` is held back until its newline arrives, except when the file is being closed (idle, deleted), where
 * Flume emits it as it is.
 *
 * The handle is what makes following by inode safe: while it is open the inode cannot be reused, so a file seen at
 * a new path with the same dev:inode is the same file, renamed.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { readSync, type Stats } from 'node:fs';
import { SliceEvent, type Event } from '../../../core/event.js';
import { FlumeError } from '../../../core/errors.js';

const NL = 0x0a;
const CR = 0x0d;
/** Bytes read per system call. */
export const CHUNK = 128 * 1024;
/** How many bytes before `pos` are kept to recognise a file that was truncated and written again past `pos`. */
const GUARD = 16;

export interface TailGroup {
  readonly name: string;
  /** Static headers of the group (headers.<g>.<key>); undefined when there are none. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ReadOptions {
  max: number;
  /** Hold back a last line without `\n` (Flume's backoffWithoutNL). */
  waitForNewline: boolean;
  byteOffsetHeader: boolean;
  /** A line longer than this is cut (the pieces are delivered, with a warning). */
  maxLineBytes: number;
  onLongLine?: (offset: number, length: number) => void;
}

export const fileKey = (st: Pick<Stats, 'dev' | 'ino'>): string => `${st.dev}:${st.ino}`;

export class TailFile {
  readonly key: string;
  readonly ino: number;
  readonly dev: number;
  /** Birth time (ms) when the file system reports one, else 0. */
  readonly birth: number;
  path: string;
  readonly group: TailGroup;
  fh?: FileHandle;
  /** Committed position. */
  pos: number;
  /** Position after the lines read but not yet committed. */
  readPos: number;
  /** Last time lines were committed or the file was opened (ms), for idle closing. */
  lastUpdated: number;
  /** Still matched by its group's pattern (false: renamed away, kept until drained). */
  matched = true;
  needTail = true;
  /** Size and mtime seen by the last scan. */
  seenSize = -1;
  seenMtime = -1;
  /** The bytes just before `pos` at the last commit (to spot truncate-then-regrow). */
  guard?: Buffer;
  /** Last error logged for this file (to log a repeated failure once). */
  lastError?: string;
  private buf?: Buffer;
  private bufPos = 0;
  private bufOff = 0;

  constructor(st: Stats, path: string, group: TailGroup, pos: number, now: number) {
    this.key = fileKey(st);
    this.ino = st.ino;
    this.dev = st.dev;
    this.birth = Math.max(st.birthtimeMs, 0);
    this.path = path;
    this.group = group;
    this.pos = pos;
    this.readPos = pos;
    this.bufPos = pos;
    this.lastUpdated = now;
  }

  get isOpen(): boolean {
    return this.fh !== undefined;
  }

  /**
   * Opens the path and checks that it is still this inode (the path may have been rotated between the scan and the
   * open). Throws a FlumeError when it is not; the next scan sorts it out.
   */
  async openHandle(): Promise<void> {
    if (this.fh) return;
    const fh = await open(this.path, 'r');
    const st = await fh.stat().catch(() => undefined);
    if (!st || st.ino !== this.ino || st.dev !== this.dev) {
      await fh.close().catch(() => undefined);
      throw new FlumeError('FLUME_TAILDIR_MOVED', `${this.path} is no longer inode ${this.ino} (rotated while opening); will look again`);
    }
    this.fh = fh;
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    this.dropBuffer(this.pos);
    await fh?.close().catch(() => undefined);
  }

  /** Moves both positions (a position-file entry, a truncation): buffered bytes are dropped. */
  seek(pos: number): void {
    this.pos = pos;
    this.guard = undefined;
    this.dropBuffer(pos);
  }

  /** Forgets the lines read since the last commit; the next read starts again at `pos`. */
  rewind(): void {
    if (this.readPos !== this.pos) this.dropBuffer(this.pos);
  }

  /** The lines read are committed: `pos` moves to `readPos`. */
  commit(now: number): void {
    this.pos = this.readPos;
    this.lastUpdated = now;
    const b = this.buf;
    const end = this.pos - this.bufPos;
    if (b && end > 0 && end <= b.length) this.guard = Buffer.from(b.subarray(Math.max(0, end - GUARD), end));
  }

  /** True when the bytes before `pos` are no longer the ones committed (the file was truncated and rewritten). */
  async contentChanged(): Promise<boolean> {
    const g = this.guard;
    if (!g || !this.fh || this.pos < g.length) return false;
    const probe = Buffer.alloc(g.length);
    const { bytesRead } = await this.fh.read(probe, 0, g.length, this.pos - g.length);
    return bytesRead !== g.length || !probe.equals(g);
  }

  /** Reads up to `o.max` lines from `readPos`. */
  async readLines(o: ReadOptions): Promise<Event[]> {
    const events: Event[] = [];
    while (events.length < o.max) {
      const b = this.buf;
      if (b && this.bufOff < b.length) {
        const nl = b.indexOf(NL, this.bufOff);
        if (nl >= 0 && nl - this.bufOff <= o.maxLineBytes) {
          this.emit(events, b, nl, nl + 1, o);
          continue;
        }
        if ((nl >= 0 ? nl : b.length) - this.bufOff > o.maxLineBytes || b.length - this.bufOff >= o.maxLineBytes) {
          const cut = this.bufOff + o.maxLineBytes;
          o.onLongLine?.(this.bufPos + this.bufOff, o.maxLineBytes);
          this.emit(events, b, cut, cut, o);
          continue;
        }
      }
      if (await this.fill(o.maxLineBytes)) continue;
      const rest = this.buf ? this.buf.length - this.bufOff : 0;
      if (rest > 0 && !o.waitForNewline) this.emit(events, this.buf!, this.buf!.length, this.buf!.length, o);
      break;
    }
    return events;
  }

  /** One event for the bytes from bufOff to `lineEnd` (a `\r` before a `\n` dropped); the next line starts at `next`. */
  private emit(events: Event[], b: Buffer, lineEnd: number, next: number, o: ReadOptions): void {
    const start = this.bufOff;
    const end = lineEnd > start && next > lineEnd && b[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    const e = new SliceEvent(b, start, end);
    if (o.byteOffsetHeader) e.headers = { byteoffset: String(this.bufPos + start) };
    events.push(e);
    this.bufOff = next;
    this.readPos = this.bufPos + next;
  }

  /** Reads more bytes after the buffer, keeping the unfinished line in front. False at end of file. */
  private async fill(maxLineBytes: number): Promise<boolean> {
    if (!this.fh) return false;
    const old = this.buf;
    const rest = old ? old.length - this.bufOff : 0;
    const want = Math.min(Math.max(CHUNK, rest), Math.max(CHUNK, maxLineBytes - rest));
    const next = Buffer.allocUnsafe(rest + want);
    if (old && rest > 0) old.copy(next, 0, this.bufOff);
    const fileOffset = this.bufPos + (old ? old.length : 0);
    // a synchronous pread: from the page cache it takes microseconds, less than a round trip through the thread pool
    const bytesRead = readSync(this.fh.fd, next, rest, want, fileOffset);
    if (bytesRead === 0) return false;
    this.bufPos += old ? this.bufOff : 0;
    this.buf = next.subarray(0, rest + bytesRead);
    this.bufOff = 0;
    return true;
  }

  private dropBuffer(pos: number): void {
    this.buf = undefined;
    this.bufOff = 0;
    this.bufPos = pos;
    this.readPos = pos;
  }
}
