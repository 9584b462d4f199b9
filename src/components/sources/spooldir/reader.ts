/**
 * Flume's ReliableSpoolingFileEventReader: picks the next file of the spool directory (oldest / youngest / random),
 * reads it in batches through a deserializer, stores the position after each committed batch in the tracker dir,
 * and marks the file done (rename to `<name><fileSuffix>`, delete, or a marker in the tracker dir) only when a
 * read after the last commit finds nothing more. Spooling assumptions that Flume enforces stay fatal errors
 * (SpoolFatalError): a file modified after it was placed, a name already used by a completed file.
 */
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Event } from '../../../core/event.js';
import type { Logger } from '../../../core/logging.js';
import { FlumeError, errorMessage } from '../../../core/errors.js';
import { BlobDeserializer, LineDeserializer, type Deserializer, type LineOptions } from './deserializers.js';
import { AvroDeserializer } from './avro.js';
import { META_FILE_NAME, PositionTracker, deleteMeta, readPosition } from './position.js';

export type DeserializerKind = 'LINE' | 'AVRO' | 'BLOB';

export interface SpoolReaderOptions {
  spoolDir: string;
  fileSuffix: string;
  deletePolicy: 'never' | 'immediate';
  trackingPolicy: 'rename' | 'tracker_dir';
  fileHeader?: string;
  basenameHeader?: string;
  includePattern: RegExp;
  ignorePattern: RegExp;
  trackerDir: string;
  consumeOrder: 'oldest' | 'youngest' | 'random';
  recursive: boolean;
  deserializer: DeserializerKind;
  line: LineOptions;
  maxBlobLength: number;
  avroSchemaType: 'HASH' | 'LITERAL';
}

/** Flume's start-up canary; one left behind by a crash is not data (Flume would read it: FLUME-2361). */
/** Longest time a directory scan is used before the directory is scanned again. */
const RESCAN_MS = 1000;

const CANARY = /^flume-spooldir-perm-check-.*\.canary$/;

/** An error that stops the source until it is restarted (Flume's "FATAL: … Uncaught exception"). */
export class SpoolFatalError extends FlumeError {}

interface CurrentFile {
  /** `spoolDir/relative path`, as Flume's File.getPath() (the tracker's target). */
  path: string;
  name: string;
  rel: string;
  size: number;
  mtimeMs: number;
  fh: FileHandle;
  des: Deserializer;
  tracker: PositionTracker;
  startPos: number;
  firstRead: boolean;
}

interface Candidate {
  path: string;
  name: string;
  rel: string;
  mtimeMs: number;
}

export class SpoolReader {
  private cur?: CurrentFile;
  private committed = true;
  private pendingEnd = 0;
  private readonly metaFile: string;
  /** Files that could not be opened, by path → the mtime/mode seen, so each problem is logged once. */
  private readonly unreadable = new Map<string, string>();
  private listFailed = false;
  private queue: Candidate[] = [];
  private listedAt = 0;

  constructor(
    private readonly o: SpoolReaderOptions,
    private readonly logger: Logger,
  ) {
    this.metaFile = path.join(o.trackerDir, META_FILE_NAME);
  }

  /** Flume's constructor checks: the directory exists (else retried by the supervisor), the canary, the tracker dir. */
  init(): void {
    const dir = this.o.spoolDir;
    let st: fs.Stats;
    try {
      st = fs.statSync(dir);
    } catch {
      throw new FlumeError('FLUME_SPOOL_DIR', `Directory does not exist: ${path.resolve(dir)} (spoolDir); create it — the source retries`, {
        retriable: true,
      });
    }
    if (!st.isDirectory())
      throw new FlumeError('FLUME_SPOOL_DIR', `Path is not a directory: ${path.resolve(dir)} (spoolDir)`, { retriable: true });
    if (this.o.trackingPolicy === 'rename') this.canary();
    try {
      if (!fs.existsSync(this.o.trackerDir)) fs.mkdirSync(this.o.trackerDir);
      if (!fs.statSync(this.o.trackerDir).isDirectory()) throw new FlumeError('FLUME_SPOOL_DIR', 'not a directory');
      if (fs.existsSync(this.metaFile) && fs.statSync(this.metaFile).size === 0) deleteMeta(this.metaFile);
    } catch (err) {
      throw new FlumeError('FLUME_SPOOL_DIR', `Unable to use the tracker directory ${this.o.trackerDir}: ${errorMessage(err)}`, {
        retriable: true,
      });
    }
  }

  private canary(): void {
    const f = path.join(this.o.spoolDir, `flume-spooldir-perm-check-${process.pid}-${Date.now()}.canary`);
    try {
      fs.writeFileSync(f, 'testing flume file permissions\n');
      if (fs.readFileSync(f).length === 0) throw new FlumeError('FLUME_SPOOL_IO', `Empty canary file ${f}`);
      fs.unlinkSync(f);
    } catch (err) {
      throw new FlumeError(
        'FLUME_SPOOL_DIR',
        `Unable to read and modify files in the spooling directory: ${this.o.spoolDir}: ${errorMessage(err)}`,
        { retriable: true },
      );
    }
  }

  /** The file being read and the byte offset of the last read (for error messages). */
  where(): string {
    return this.cur ? `${this.cur.path}` : this.o.spoolDir;
  }

  async readEvents(n: number): Promise<Event[]> {
    if (!this.committed) {
      if (!this.cur) throw new SpoolFatalError('FLUME_SPOOL_STATE', 'File should not roll when commit is outstanding.');
      this.logger.info('Last read was never committed - resetting mark position.');
      this.cur.des.reset(this.cur.tracker.position);
    } else if (!this.cur) {
      this.cur = await this.nextFile();
    }
    if (!this.cur) return [];
    let events = await this.readCurrent(n);
    while (events.length === 0) {
      await this.retire();
      this.cur = await this.nextFile();
      if (!this.cur) return [];
      events = await this.readCurrent(n);
    }
    this.fillHeaders(events);
    this.committed = false;
    return events;
  }

  /** The batch is in the channel: store the position after it. */
  commit(): void {
    if (this.committed || !this.cur) return;
    this.cur.tracker.store(this.pendingEnd);
    this.cur.des.commit?.();
    this.committed = true;
  }

  async close(): Promise<void> {
    const c = this.cur;
    this.cur = undefined;
    this.committed = true;
    if (!c) return;
    c.tracker.close();
    await c.fh.close().catch(() => {});
  }

  private async readCurrent(n: number): Promise<Event[]> {
    const c = this.cur!;
    const r = await c.des.read(n);
    let events = r.events;
    this.pendingEnd = r.end;
    if (events.length === 0 && c.firstRead && c.startPos === 0) events = [{ headers: {}, body: Buffer.alloc(0) }];
    c.firstRead = false;
    return events;
  }

  private fillHeaders(events: Event[]): void {
    const c = this.cur!;
    const { fileHeader, basenameHeader } = this.o;
    if (fileHeader === undefined && basenameHeader === undefined) return;
    const abs = path.resolve(c.path);
    for (const e of events) {
      if (fileHeader !== undefined) e.headers[fileHeader] = abs;
      if (basenameHeader !== undefined) e.headers[basenameHeader] = c.name;
    }
  }

  private async retire(): Promise<void> {
    const c = this.cur!;
    this.cur = undefined;
    c.tracker.close();
    await c.fh.close().catch(() => {});
    let st: fs.Stats;
    try {
      st = await fsp.stat(c.path);
    } catch (err) {
      this.logger.error({ file: c.path, err: errorMessage(err) }, 'The spool file vanished while it was read; nothing to mark as done');
      deleteMeta(this.metaFile);
      return;
    }
    if (Math.floor(st.mtimeMs) !== c.mtimeMs) {
      throw new SpoolFatalError(
        'FLUME_SPOOL_MODIFIED',
        `File has been modified since being read: ${c.path} ` +
          '(files must not change once in the spool directory: write them elsewhere, then move them in)',
      );
    }
    if (st.size !== c.size) {
      throw new SpoolFatalError(
        'FLUME_SPOOL_MODIFIED',
        `File has changed size since being read: ${c.path} (was ${c.size} bytes, now ${st.size})`,
      );
    }
    if (this.o.deletePolicy === 'immediate') {
      this.logger.info({ file: c.path }, 'Preparing to delete file');
      await fsp.unlink(c.path).catch((err) => {
        throw new SpoolFatalError('FLUME_SPOOL_RETIRE', `Unable to delete spool file: ${c.path}: ${errorMessage(err)}`);
      });
      deleteMeta(this.metaFile);
    } else if (this.o.trackingPolicy === 'rename') {
      await this.rename(c);
    } else {
      await this.markInTrackerDir(c);
    }
  }

  private async rename(c: CurrentFile): Promise<void> {
    const dest = c.path + this.o.fileSuffix;
    this.logger.info({ file: c.path, dest }, 'Preparing to move file');
    if (fs.existsSync(dest)) {
      throw new SpoolFatalError(
        'FLUME_SPOOL_NAME_REUSED',
        `File name has been re-used with different files. Spooling assumptions violated for ${dest} ` +
          '(rename or remove one of them, then restart)',
      );
    }
    try {
      await fsp.rename(c.path, dest);
    } catch (err) {
      throw new SpoolFatalError(
        'FLUME_SPOOL_RETIRE',
        `Unable to move ${c.path} to ${dest}. This will likely cause duplicate events. ` +
          `Please verify that flume-ts has sufficient permissions: ${errorMessage(err)}`,
      );
    }
    deleteMeta(this.metaFile);
  }

  private async markInTrackerDir(c: CurrentFile): Promise<void> {
    const dest = path.join(this.o.trackerDir, c.rel + this.o.fileSuffix);
    this.logger.info({ file: c.path, dest }, 'Preparing to create tracker file');
    if (fs.existsSync(dest)) {
      throw new SpoolFatalError(
        'FLUME_SPOOL_NAME_REUSED',
        `File name has been re-used with different files. Spooling assumptions violated for ${dest}`,
      );
    }
    try {
      await fsp.mkdir(path.dirname(dest), { recursive: true });
      await (await fsp.open(dest, 'wx')).close();
    } catch (err) {
      throw new SpoolFatalError('FLUME_SPOOL_RETIRE', `Could not create tracker file: ${dest}: ${errorMessage(err)}`);
    }
    deleteMeta(this.metaFile);
  }

  /**
   * The next file: candidates come from one directory scan, in the configured order, and are taken in turn; the
   * directory is scanned again when they are used up or the scan is older than RESCAN_MS (Flume rescans for every
   * file, which costs O(files²) on a backlog).
   */
  private async nextFile(): Promise<CurrentFile | undefined> {
    if (this.queue.length === 0 || Date.now() - this.listedAt >= RESCAN_MS) {
      this.queue = await this.ordered();
      this.listedAt = Date.now();
    }
    while (this.queue.length > 0) {
      const f = await this.open(this.queue.shift()!);
      if (f) return f;
    }
    return undefined;
  }

  private async ordered(): Promise<Candidate[]> {
    const candidates = await this.candidates();
    const order = this.o.consumeOrder;
    if (order === 'random') {
      for (let i = candidates.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
      }
    } else {
      const sign = order === 'oldest' ? 1 : -1;
      candidates.sort((a, b) => sign * (a.mtimeMs - b.mtimeMs) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
    return candidates;
  }

  private async open(c: Candidate): Promise<CurrentFile | undefined> {
    let fh: FileHandle;
    try {
      fh = await fsp.open(c.path, 'r');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') return undefined; // deleted in the interim
      const key = `${c.mtimeMs}:${e.code}`;
      if (this.unreadable.get(c.path) !== key) {
        this.unreadable.set(c.path, key);
        this.logger.error({ file: c.path, code: e.code, err: e.message }, 'Exception opening file; skipping it until it can be read');
      }
      return undefined;
    }
    this.unreadable.delete(c.path);
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new FlumeError('FLUME_SPOOL_IO', 'not a regular file');
      const identity = { ino: st.ino, mtimeMs: Math.floor(st.mtimeMs) };
      const start = this.startPosition(c.path, identity);
      const tracker = PositionTracker.create(this.metaFile, c.path, start, identity);
      if (start > 0) this.logger.info({ file: c.path, offset: start }, 'Resuming file at its committed position');
      const f: CurrentFile = {
        path: c.path,
        name: c.name,
        rel: c.rel,
        size: st.size,
        mtimeMs: identity.mtimeMs,
        fh,
        tracker,
        startPos: start,
        firstRead: true,
        des: undefined as never,
      };
      f.des = await this.deserializer(fh, st.size, start, c.path);
      return f;
    } catch (err) {
      await fh.close().catch(() => {});
      if (err instanceof FlumeError && err.code === 'FLUME_SPOOL_META') throw new SpoolFatalError(err.code, err.message);
      this.logger.error({ file: c.path, err: errorMessage(err) }, 'Exception opening file');
      return undefined;
    }
  }

  private startPosition(target: string, identity: { ino: number; mtimeMs: number }): number {
    const stored = readPosition(this.metaFile);
    if (!stored || stored.target !== target) return 0;
    const id = stored.identity;
    if (id && (id.ino !== identity.ino || id.mtimeMs !== identity.mtimeMs)) {
      this.logger.warn({ file: target }, 'The position file belongs to an earlier file of the same name; reading this one from its start');
      return 0;
    }
    return stored.offset;
  }

  private async deserializer(fh: FileHandle, size: number, start: number, file: string): Promise<Deserializer> {
    switch (this.o.deserializer) {
      case 'LINE':
        return new LineDeserializer(fh, size, start, this.o.line, this.logger, file);
      case 'BLOB':
        return new BlobDeserializer(fh, size, start, this.o.maxBlobLength, this.logger);
      case 'AVRO':
        return AvroDeserializer.open(fh, size, start, this.o.avroSchemaType, file);
    }
  }

  /** Flume's getCandidateFiles (plus the modification time used for the order). */
  private async candidates(): Promise<Candidate[]> {
    const done = await this.trackerDirCompleted();
    const found: Candidate[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      const entries = await fsp.readdir(dir, { withFileTypes: true });
      for (const d of entries) {
        const name = d.name;
        const p = path.join(dir, name);
        const r = rel === '' ? name : path.join(rel, name);
        let isDir = d.isDirectory();
        let isFile = d.isFile();
        if (d.isSymbolicLink()) {
          const st = await fsp.stat(p).catch(() => undefined);
          isDir = st?.isDirectory() ?? false;
          isFile = st?.isFile() ?? false;
        }
        if (isDir) {
          if (this.o.recursive && !name.startsWith('.') && !this.o.ignorePattern.test(name))
            await walk(p, r).catch((err) => this.listError(p, err));
          continue;
        }
        if (!isFile || name.endsWith(this.o.fileSuffix) || name.startsWith('.') || CANARY.test(name)) continue;
        if (!this.o.includePattern.test(name) || this.o.ignorePattern.test(name)) continue;
        if (done?.has(r + this.o.fileSuffix)) continue;
        found.push({ path: p, name, rel: r, mtimeMs: 0 });
      }
    };
    try {
      await walk(this.o.spoolDir, '');
      this.listFailed = false;
    } catch (err) {
      this.listError(this.o.spoolDir, err);
    }
    if (this.o.consumeOrder === 'random') return found;
    const out: Candidate[] = [];
    for (let i = 0; i < found.length; i += 64) {
      const stats = await Promise.all(found.slice(i, i + 64).map((c) => fsp.stat(c.path).catch(() => undefined)));
      stats.forEach((st, k) => {
        if (st) out.push({ ...found[i + k]!, mtimeMs: Math.floor(st.mtimeMs) });
      });
    }
    return out;
  }

  private listError(dir: string, err: unknown): void {
    if (this.listFailed) return;
    this.listFailed = true;
    this.logger.error(
      { dir, err: errorMessage(err) },
      'I/O exception occurred while listing directories. Files already matched will be returned.',
    );
  }

  private async trackerDirCompleted(): Promise<Set<string> | undefined> {
    if (this.o.trackingPolicy !== 'tracker_dir' || this.o.deletePolicy === 'immediate') return undefined;
    const set = new Set<string>();
    const walk = async (dir: string, rel: string): Promise<void> => {
      for (const d of await fsp.readdir(dir, { withFileTypes: true })) {
        const r = rel === '' ? d.name : path.join(rel, d.name);
        if (d.isDirectory()) await walk(path.join(dir, d.name), r);
        else if (d.name.endsWith(this.o.fileSuffix)) set.add(r);
      }
    };
    await walk(this.o.trackerDir, '').catch(() => {});
    return set;
  }
}
