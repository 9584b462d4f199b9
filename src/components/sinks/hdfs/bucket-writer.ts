/**
 * One bucket (directory + file prefix) of the HDFS sink, as Flume's BucketWriter: names files
 * `<inUsePrefix><prefix>.<counter><suffix|codec ext><inUseSuffix>` while open and renames them to
 * `<prefix>.<counter><suffix|ext>` on close; rolls by count and size before an append (lazy, as Flume), by time
 * (timer armed at open) and by idleness (timer re-armed after each flush).
 *
 * Durability over WebHDFS (which has no hflush): events are encoded into memory and every flush — the end of each
 * sink transaction, before the commit — ships them in ONE request: CREATE for the first batch of a file, APPEND for
 * the next ones. WebHDFS answers only after the DataNode pipeline acknowledged the bytes and the file was closed
 * again, so a committed batch is at least as durable as after Flume's hflush (on every replica, visible to readers,
 * not fsynced to disk — like hflush, unlike hsync).
 *
 * A failed write leaves the file as it was at the last commit: the file is abandoned (its pending bytes dropped,
 * the events come back from the channel), a closer cuts it back to its committed length if a partial write went
 * through (TRUNCATE) and renames it, retrying every retryInterval seconds up to closeTries; the retried events go to
 * a new file.
 */
import { bodyLength, type Event } from '../../../core/event.js';
import type { Logger } from '../../../core/logging.js';
import type { CounterGroup } from '../../../monitoring/counters.js';
import { errorMessage, FlumeError } from '../../../core/errors.js';
import type { FileFormat } from './formats.js';
import { WebHdfsError, type HdfsClient } from './webhdfs.js';

export interface BucketOptions {
  rollInterval: number; // s
  rollSize: number; // bytes of bodies
  rollCount: number;
  idleTimeout: number; // s
  inUsePrefix: string;
  inUseSuffix: string;
  /** hdfs.fileSuffix, or the codec's extension when no suffix is set. */
  suffix: string;
  /** Rename retry interval (s) after a failed close; tries (Infinity = forever). */
  retryInterval: number;
  closeTries: number;
}

export interface BucketEnv {
  client: HdfsClient;
  logger: Logger;
  counter: CounterGroup;
  newFormat(): FileFormat;
  /** Runs a timer action under the sink's lock (never in the middle of a transaction). */
  locked<T>(fn: () => Promise<T>): Promise<T>;
  /** The writer closed itself (timer/idle): drop it from the sink's map. */
  onClosed(writer: BucketWriter): void;
  /** Keeps a background close in view (stop waits for it). */
  track(p: Promise<unknown>): void;
  /** A file to close later (abandoned or failed rename). */
  closeLater(job: CloseJob): void;
  /** This writer holds bytes back for its file's CREATE (flush(true)); the sink calls release() later. */
  holding?(writer: BucketWriter): void;
  now(): number;
}

export interface CloseJob {
  client: HdfsClient;
  tmpPath: string;
  finalPath: string;
  /** Bytes known to be in the file (committed); anything beyond is cut off. undefined = keep as is. */
  committedLength: number | undefined;
  tries: number;
  /** The file may still be open on the NameNode (a write to it failed, or it was left by an earlier run). */
  mayBeOpen?: boolean;
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // a waiter may not exist yet; never an unhandled rejection
  return { promise, resolve, reject };
}

interface OpenFile {
  tmpPath: string;
  finalPath: string;
  format: FileFormat;
  created: boolean;
  committedLength: number;
  events: number;
  bodyBytes: number;
  /** The CREATE/APPEND in flight, if any. */
  shipping?: Promise<void>;
  /** Waiters for the bytes that arrived while a request was in flight: they go in the next request. */
  next?: Deferred;
  /** Waiters for bytes held back for the file's CREATE (nothing sent yet): flush(true), shipped by release(). */
  held?: Deferred;
  /** A request failed: the file is abandoned; nothing more is shipped to it. */
  broken?: unknown;
}

export class BucketWriter {
  private counterValue: number;
  private file: OpenFile | undefined;
  /** Closed by a timer (roll interval / idle): this handle is done; the sink makes a new writer (BucketClosedException). */
  closed = false;
  private rollTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Ship promises of files closed by a roll since the last flush() (their bytes belong to the current batch). */
  private rolled: Promise<void>[] = [];
  /** Files that received events since the last flush(). */
  private readonly batchFiles = new Set<OpenFile>();

  constructor(
    readonly key: string,
    /** The directory (absolute HDFS path). */
    readonly dir: string,
    /** The escaped file prefix. */
    readonly prefix: string,
    private readonly o: BucketOptions,
    private readonly env: BucketEnv,
  ) {
    this.counterValue = env.now();
  }

  get client(): HdfsClient {
    return this.env.client;
  }

  get isOpen(): boolean {
    return this.file !== undefined;
  }

  /** Paths of the file now open (for the recovery scan to leave alone). */
  get openTmpPath(): string | undefined {
    return this.file?.tmpPath;
  }

  private open(): void {
    const counter = ++this.counterValue;
    const full = `${this.prefix}.${counter}${this.o.suffix}`;
    this.file = {
      tmpPath: `${this.dir}/${this.o.inUsePrefix}${full}${this.o.inUseSuffix}`,
      finalPath: `${this.dir}/${full}`,
      format: this.env.newFormat(),
      created: false,
      committedLength: 0,
      events: 0,
      bodyBytes: 0,
    };
    this.env.logger.info({ file: this.file.tmpPath }, 'Creating file');
    if (this.o.rollInterval > 0) {
      this.rollTimer = setTimeout(() => {
        void this.env.locked(async () => {
          if (this.closed || !this.file) return;
          this.env.logger.debug({ file: this.file.tmpPath }, 'rollInterval reached: closing');
          await this.closeAndForget();
        });
      }, this.o.rollInterval * 1000);
      this.rollTimer.unref();
    }
  }

  /**
   * Timer close: remove from the sink's map and start closing the file. Not awaited under the sink's lock: the file
   * is detached at once; its last request and the rename finish in the background (failures go to the closer).
   */
  private async closeAndForget(): Promise<void> {
    this.closed = true;
    this.env.onClosed(this);
    this.env.track(
      this.close().catch((err: unknown) => {
        this.env.logger.warn({ err: errorMessage(err) }, 'Closing file failed; it is retried in the background');
      }),
    );
  }

  private shouldRotate(): boolean {
    const f = this.file!;
    return (this.o.rollCount > 0 && this.o.rollCount <= f.events) || (this.o.rollSize > 0 && this.o.rollSize <= f.bodyBytes);
  }

  /**
   * Encodes one event. Rolls first when rollCount/rollSize is reached (as Flume, before the append): the old file is
   * closed in the background (its last bytes shipped, then renamed); the next flush() waits for those bytes too.
   */
  append(event: Event): void {
    const f = this.fileForNext();
    f.format.append(event);
    f.events++;
    f.bodyBytes += bodyLength(event);
  }

  /**
   * append() for events[from..to) in order, with the same rolls: each run of events that goes to one file is encoded
   * in one piece (the format's appendBatch).
   */
  appendRange(events: readonly Event[], from: number, to: number): void {
    let i = from;
    while (i < to) {
      const f = this.fileForNext();
      if (!f.format.appendBatch) {
        this.append(events[i++]!);
        continue;
      }
      // the run ends where shouldRotate() would first be true before an append (count, then size; as Flume: lazy)
      // (fileForNext() rolled already if needed: the first event always goes to f)
      let end = i;
      let bytes = f.bodyBytes;
      const countRoom = this.o.rollCount > 0 ? this.o.rollCount - f.events : Infinity;
      do {
        bytes += bodyLength(events[end]!);
        end++;
      } while (end < to && end - i < countRoom && !(this.o.rollSize > 0 && bytes >= this.o.rollSize));
      f.format.appendBatch(events, i, end);
      f.events += end - i;
      f.bodyBytes = bytes;
      i = end;
    }
  }

  /** The file the next event goes to: opens one, or rolls first when rollCount/rollSize is reached. */
  private fileForNext(): OpenFile {
    this.clearIdle();
    if (!this.file) this.open();
    else if (this.shouldRotate()) {
      const p = this.closeFile(this.file);
      p.catch(() => undefined); // awaited by flush(); failures are handled by the closer
      this.rolled.push(p);
      this.open();
    }
    const f = this.file!;
    this.batchFiles.add(f);
    return f;
  }

  /**
   * Flume's flush point: resolves when every byte appended so far is in HDFS (one CREATE/APPEND; bytes that arrive
   * while a request is in flight are shipped together in the next one). Rejects when HDFS did not take them.
   * `hold`: a file not created yet keeps its bytes back (the promise waits) until release(), a roll or close, or a
   * flush without `hold`, so that a file filled by a backlog goes to HDFS in one CREATE instead of a CREATE and
   * APPENDs (an APPEND costs a DataNode open/close, several times a CREATE). Nothing commits before its bytes are in.
   */
  flush(hold = false): Promise<void> {
    const waits = this.rolled;
    this.rolled = [];
    for (const f of this.batchFiles) {
      if (f === this.file) {
        f.format.sync();
        waits.push(this.requestShip(f, hold).then(() => this.armIdle(f)));
      } else if (f.broken !== undefined) {
        // abandoned after a failed request while this batch was being encoded
        waits.push(Promise.reject(f.broken));
      }
    }
    this.batchFiles.clear();
    if (waits.length === 0) return Promise.resolve();
    return waits.length === 1 ? waits[0]! : Promise.all(waits).then(() => undefined);
  }

  private requestShip(f: OpenFile, hold = false): Promise<void> {
    if (f.broken !== undefined) return Promise.reject(f.broken);
    if (f.shipping) {
      f.next ??= deferred();
      return f.next.promise;
    }
    if (hold && !f.created) {
      if (!f.held) {
        f.held = deferred();
        this.env.holding?.(this);
      }
      return f.held.promise;
    }
    const held = f.held;
    if (!held) return this.startShip(f);
    f.held = undefined;
    this.startShip(f).then(held.resolve, held.reject);
    return held.promise;
  }

  /** Ships the bytes held back for the current file's CREATE (see flush), if any. */
  release(): void {
    const f = this.file;
    if (f?.held) this.requestShip(f).catch(() => undefined); // the held waiters get the outcome
  }

  private startShip(f: OpenFile): Promise<void> {
    const data = f.format.take();
    if (data.length === 0 && f.created) return Promise.resolve();
    const p = (async () => {
      const t0 = performance.now();
      try {
        if (!f.created) {
          await this.env.client.create(f.tmpPath, data);
          f.created = true;
          this.env.counter.increment('ConnectionCreatedCount');
        } else {
          await this.env.client.append(f.tmpPath, data);
        }
        f.committedLength += data.length;
        this.env.logger.debug({ file: f.tmpPath, bytes: data.length, ms: Math.round(performance.now() - t0) }, 'Written');
      } catch (err) {
        this.env.counter.increment('ConnectionFailedCount');
        f.broken = err;
        f.shipping = undefined;
        const waiting = f.next;
        f.next = undefined;
        waiting?.reject(err);
        // FileAlreadyExists on CREATE: an older file of this name is there (clock went back); never touch it.
        this.abandon(f, err instanceof WebHdfsError && err.exception === 'FileAlreadyExistsException');
        throw err;
      }
      f.shipping = undefined;
      const waiting = f.next;
      if (waiting) {
        f.next = undefined;
        if (f.broken !== undefined) waiting.reject(f.broken);
        else this.startShip(f).then(waiting.resolve, waiting.reject);
      }
    })();
    f.shipping = p;
    return p;
  }

  /** Drops the file after a failure: the closer cuts it back to what was committed and renames it. */
  private abandon(f: OpenFile, notOurs = false): void {
    if (this.file === f) {
      this.file = undefined;
      this.clearTimers();
    }
    if (notOurs) return;
    // (a CREATE that failed midway may have left a partial file: the closer checks; committed length 0 → delete)
    this.env.closeLater({
      client: this.env.client,
      tmpPath: f.tmpPath,
      finalPath: f.finalPath,
      committedLength: f.committedLength,
      tries: 0,
      mayBeOpen: true,
    });
  }

  /**
   * After an encoding failure (should not happen: events are checked first): bytes already encoded cannot be taken
   * back, so the files holding them are abandoned (cut back to their committed length by the closer).
   */
  discardPending(err: unknown): void {
    const files = new Set(this.batchFiles);
    if (this.file) files.add(this.file);
    for (const f of files) {
      if (f.format.pendingLength === 0 && !f.next && !f.held) continue;
      f.broken ??= err;
      for (const waiting of [f.next, f.held]) waiting?.reject(err);
      f.next = undefined;
      f.held = undefined;
      if (this.file === f) {
        this.file = undefined;
        this.clearTimers();
      }
      if (!f.shipping) this.abandon(f);
      else
        f.shipping.then(
          () => this.abandon(f),
          () => undefined,
        );
    }
    this.rolled = [];
    this.batchFiles.clear();
  }

  /** Closes the current file: ships the remaining bytes and the format's trailer, then renames it. */
  async close(): Promise<void> {
    const f = this.file;
    this.clearTimers();
    if (!f) return;
    await this.closeFile(f);
  }

  private async closeFile(f: OpenFile): Promise<void> {
    if (this.file === f) this.file = undefined;
    this.clearTimers();
    f.format.close();
    await this.requestShip(f); // rejects (the file is abandoned) when HDFS did not take the bytes
    while (f.shipping) await f.shipping; // a later group may still be in flight
    this.env.counter.increment('ConnectionClosedCount');
    await renameOrLater(this.env, {
      client: this.env.client,
      tmpPath: f.tmpPath,
      finalPath: f.finalPath,
      committedLength: undefined,
      tries: 0,
    });
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private armIdle(f: OpenFile): void {
    if (this.o.idleTimeout <= 0 || this.file !== f || f.shipping) return;
    this.clearIdle();
    this.idleTimer = setTimeout(() => {
      void this.env.locked(async () => {
        if (this.closed || !this.file) return;
        this.env.logger.info({ file: this.file.tmpPath }, 'Closing idle bucketWriter');
        await this.closeAndForget();
      });
    }, this.o.idleTimeout * 1000);
    this.idleTimer.unref();
  }

  clearTimers(): void {
    if (this.rollTimer) clearTimeout(this.rollTimer);
    this.rollTimer = undefined;
    this.clearIdle();
  }
}

/** Renames tmp → final; on failure hands the job to the closer. Never throws. */
export async function renameOrLater(env: Pick<BucketEnv, 'logger' | 'counter' | 'closeLater'>, job: CloseJob): Promise<void> {
  if (job.tmpPath === job.finalPath) return;
  try {
    await runCloseJob(job);
    env.logger.info({ from: job.tmpPath, to: job.finalPath }, 'Renamed');
  } catch (err) {
    env.counter.increment('ConnectionFailedCount');
    env.logger.warn({ err: errorMessage(err), file: job.tmpPath }, 'Renaming file failed; will retry');
    env.closeLater(job);
  }
}

/**
 * One attempt at closing a file for good: when the committed length is known, cut off anything beyond it (a partial
 * or unacknowledged write) — an empty file is deleted — then rename it to its final name. A file that may still be
 * open on the NameNode (`mayBeOpen`: a write failed, or a leftover of an earlier run) is first made closed: see
 * `closeLease`.
 */
export async function runCloseJob(job: CloseJob): Promise<'renamed' | 'deleted' | 'gone'> {
  const client = job.client;
  if (job.mayBeOpen && (await client.isOpenForWrite(job.tmpPath))) await closeLease(job);
  const st = await client.getFileStatus(job.tmpPath);
  if (!st) return 'gone';
  if (job.committedLength !== undefined && st.length > job.committedLength) {
    if (job.committedLength === 0) {
      await client.delete(job.tmpPath);
      return 'deleted';
    }
    const done = await client.truncate(job.tmpPath, job.committedLength);
    // a cut inside a block: the NameNode recovers the block first; the file is readable (and renamed) after that
    if (!done) throw leaseError(job, 'the NameNode is cutting it back to its committed length');
  } else if (job.committedLength === 0 && st.length === 0) {
    await client.delete(job.tmpPath);
    return 'deleted';
  }
  if (job.tmpPath === job.finalPath) return 'renamed';
  const ok = await client.rename(job.tmpPath, job.finalPath);
  if (!ok) {
    const dst = await client.getFileStatus(job.finalPath);
    if (dst) throw new FlumeError('FLUME_HDFS_RENAME', `cannot rename ${job.tmpPath}: ${job.finalPath} already exists`);
    throw new FlumeError('FLUME_HDFS_RENAME', `HDFS refused to rename ${job.tmpPath} to ${job.finalPath}`);
  }
  return 'renamed';
}

/**
 * A file whose writer died with its DataNode (HDFS restarted mid-APPEND) stays open on the NameNode: its last block
 * cannot be read, and renaming it would hand readers a file they cannot open. Flume calls the DFS client's
 * recoverLease here; WebHDFS has no such call, but a TRUNCATE does the same first step (HDFS recovers the lease of
 * another writer before it truncates, once that writer has not renewed it for the one-minute soft limit). The close
 * is retried until the NameNode has closed the file.
 */
async function closeLease(job: CloseJob): Promise<void> {
  const st = await job.client.getFileStatus(job.tmpPath);
  if (!st) return;
  try {
    await job.client.truncate(job.tmpPath, st.length);
  } catch (err) {
    // AlreadyBeingCreatedException (soft limit not reached yet), RecoveryInProgressException: wait and retry
    if (!(err instanceof WebHdfsError) || err.status === undefined) throw err;
  }
  if (await job.client.isOpenForWrite(job.tmpPath)) throw leaseError(job, 'it is still open by a writer that died with HDFS');
}

function leaseError(job: CloseJob, why: string): FlumeError {
  return new FlumeError(
    'FLUME_HDFS_LEASE',
    `cannot close ${job.tmpPath} yet: ${why}; the NameNode recovers it (a minute or more after the failure) and the close is retried`,
  );
}
