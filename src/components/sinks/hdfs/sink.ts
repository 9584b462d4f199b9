/**
 * The HDFS sink (Flume's HDFSEventSink) over WebHDFS: per event the bucket (escaped hdfs.path + escaped
 * hdfs.filePrefix) picks a BucketWriter (LRU-capped at hdfs.maxOpenFiles); at the end of the transaction every bucket
 * written to is flushed (one CREATE/APPEND each) and only then the transaction commits.
 */
import { AbstractSink } from '../../../core/abstract-sink.js';
import type { Channel } from '../../../core/channel.js';
import type { Event } from '../../../core/event.js';
import type { Logger } from '../../../core/logging.js';
import { EventDeliveryError, errorMessage, FlumeError } from '../../../core/errors.js';
import type { Status } from '../../../core/lifecycle.js';
import type { BucketPath } from '../../shared/bucket-path.js';
import { BucketWriter, runCloseJob, type BucketOptions, type CloseJob } from './bucket-writer.js';
import type { FileFormat } from './formats.js';
import type { WebHdfsAuth } from './spnego.js';
import { LOCAL_FS, WebHdfsClient, type HdfsClient } from './webhdfs.js';
import { FailoverClient } from './failover.js';
import { HadoopConf, resolveTarget } from './hadoop-conf.js';
import { LocalFsClient } from './localfs.js';

export interface HdfsSinkOptions {
  batchSize: number;
  path: BucketPath;
  filePrefix: BucketPath;
  bucket: BucketOptions;
  maxOpenFiles: number;
  /** hdfs.webhdfs.address override (else derived from hdfs.path). */
  address?: string;
  /** Hadoop's client configuration (fs.defaultFS, NameNode addresses, HA nameservices): hadoop-conf.ts. */
  hadoopConf?: HadoopConf;
  user?: string;
  doAs?: string;
  /** Kerberos: the WebHDFS authentication of a NameNode base URL (spnego.ts); undefined = simple (user.name) */
  authFor?: (baseUrl: string) => WebHdfsAuth | undefined;
  callTimeoutMs: number;
  /** Parallel flushes of different buckets (hdfs.threadsPoolSize). */
  parallelism: number;
  newFormat(): FileFormat;
  /** Throws for an event the format cannot encode (checked before anything of its batch is encoded). */
  validate?: (e: Event) => void;
  /** Transactions whose HDFS writes may overlap (flume-ts; 1 = Flume's one at a time). */
  transactionsInFlight: number;
  /**
   * While full batches keep coming, how long (ms) the bytes of a new file may be held back so that they reach HDFS
   * in its one CREATE rather than a CREATE and APPENDs (flume-ts; 0 = ship every batch at once).
   */
  createLingerMs?: number;
  now?: () => number;
}

/** A tiny async mutex: deliver() and the roll/idle timers never interleave. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export class HdfsSink extends AbstractSink {
  private readonly o: HdfsSinkOptions;
  private readonly writers = new Map<string, BucketWriter>();
  private readonly clients = new Map<string, HdfsClient>();
  private readonly mutex = new Mutex();
  /** Files to close later: abandoned after a failure, or whose rename failed. */
  private readonly closeJobs = new Map<string, CloseJob & { due: number }>();
  /** Bucket keys already scanned for leftover in-use files. */
  private readonly scanned = new Set<string>();
  private closerTimer: NodeJS.Timeout | undefined;
  private failing = false;
  private readonly now: () => number;

  constructor(name: string, channel: Channel, logger: Logger, o: HdfsSinkOptions) {
    super(name, channel, logger, o.batchSize);
    this.o = o;
    this.now = o.now ?? Date.now;
  }

  override async start(): Promise<void> {
    await super.start();
    this.closerTimer = setInterval(() => void this.runCloseJobs(false), 1000);
    this.closerTimer.unref();
  }

  override async stop(): Promise<void> {
    this.releaseHeld();
    if (this.closerTimer) clearInterval(this.closerTimer);
    this.closerTimer = undefined;
    await this.settle();
    if (this.failure) {
      this.logger.warn({ err: this.failure.message }, 'The last transaction failed and was rolled back');
      this.failure = undefined;
    }
    await this.mutex.run(async () => {
      await Promise.all(
        [...this.writers.values()].map(async (w) => {
          w.clearTimers();
          try {
            await w.close();
          } catch (err) {
            this.logger.warn({ err: errorMessage(err), bucket: w.key }, 'Closing file at stop failed');
          }
        }),
      );
      this.writers.clear();
      await Promise.allSettled([...this.background]);
      await this.runCloseJobs(true);
      if (this.closeJobs.size > 0) {
        this.logger.warn(
          { files: [...this.closeJobs.keys()] },
          'Files left in use at stop; they are closed and renamed when the sink next writes to their directory',
        );
      }
    });
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
    await super.stop();
  }

  /** Open bucket keys (tests, status). */
  get openBuckets(): string[] {
    return [...this.writers.keys()];
  }

  private client(baseUrls: readonly string[]): HdfsClient {
    if (baseUrls.length > 1) return this.haClient(baseUrls);
    const baseUrl = baseUrls[0]!;
    let c = this.clients.get(baseUrl);
    if (!c && baseUrl === LOCAL_FS) {
      c = new LocalFsClient();
      this.clients.set(baseUrl, c);
    }
    if (!c) {
      const auth = this.o.authFor?.(baseUrl);
      c = new WebHdfsClient({ baseUrl, user: this.o.user, doAs: this.o.doAs, timeoutMs: this.o.callTimeoutMs, auth });
      this.clients.set(baseUrl, c);
    }
    return c;
  }

  private closeLater(job: CloseJob): void {
    const delay = this.o.bucket.retryInterval > 0 ? this.o.bucket.retryInterval * 1000 : 0;
    this.closeJobs.set(job.tmpPath, { ...job, due: job.tries === 0 ? this.now() : this.now() + delay });
  }

  private closerRunning: Promise<void> | undefined;
  private readonly background = new Set<Promise<unknown>>();

  /** Works through the close jobs (abandoned files, failed renames); one run at a time, outside the write lock. */
  private async runCloseJobs(force: boolean): Promise<void> {
    while (this.closerRunning) await this.closerRunning;
    if (this.closeJobs.size === 0) return;
    this.closerRunning = this.closeJobsOnce(force).finally(() => (this.closerRunning = undefined));
    await this.closerRunning;
  }

  private async closeJobsOnce(force: boolean): Promise<void> {
    const due = [...this.closeJobs.values()].filter((job) => force || job.due <= this.now());
    // independent files: in parallel (a dead HDFS costs one timeout, not one per file)
    await Promise.all(
      due.map(async (job) => {
        job.tries++;
        try {
          const r = await runCloseJob(job);
          if (r === 'gone' && this.mayStillAppear(job, force)) return;
          this.closeJobs.delete(job.tmpPath);
          this.counter.increment('ConnectionClosedCount');
          this.logger.info({ file: job.tmpPath, result: r, to: job.finalPath }, 'Closed file left by a failed write');
        } catch (err) {
          if (job.tries >= this.o.bucket.closeTries) {
            this.closeJobs.delete(job.tmpPath);
            this.logger.warn(
              { file: job.tmpPath, tries: job.tries },
              `Unsuccessfully attempted to close ${job.tmpPath} ${job.tries} times; it is renamed when the sink next restarts`,
            );
          } else {
            job.due = this.now() + Math.max(1000, this.o.bucket.retryInterval * 1000);
            this.logger.debug({ err: errorMessage(err), file: job.tmpPath }, 'Closing file failed; will retry');
          }
        }
      }),
    );
  }

  /**
   * A file not there (yet) after a failed write: a CREATE that timed out on our side may still be carried out by the
   * DataNode that took its bytes, and the file appear seconds later. Such a job is kept (and checked again) for a
   * grace period of three call timeouts, at least 30 s; a file that appears after that is renamed by the next start's
   * scan of in-use files.
   */
  private mayStillAppear(job: CloseJob & { due: number; goneSince?: number }, force: boolean): boolean {
    if (!job.mayBeOpen || force) return false;
    job.goneSince ??= this.now();
    if (this.now() - job.goneSince >= Math.max(30_000, 3 * this.o.callTimeoutMs)) return false;
    job.due = this.now() + Math.max(1000, this.o.bucket.retryInterval * 1000);
    return true;
  }

  private lastWriter: BucketWriter | undefined;

  private writerFor(realPath: string, realName: string): BucketWriter {
    const key = `${realPath}/${realName}`;
    const last = this.lastWriter;
    if (last && last.key === key && !last.closed && this.writers.get(key) === last) return last;
    const w = this.lookupWriter(key, realPath, realName);
    this.lastWriter = w;
    return w;
  }

  /** The NameNodes of an HA nameservice behind one failover client (failover.ts). */
  private haClient(baseUrls: readonly string[]): HdfsClient {
    const key = baseUrls.join(' ');
    let c = this.clients.get(key);
    if (!c) {
      const each = baseUrls.map(
        (baseUrl) =>
          new WebHdfsClient({
            baseUrl,
            user: this.o.user,
            doAs: this.o.doAs,
            timeoutMs: this.o.callTimeoutMs,
            auth: this.o.authFor?.(baseUrl),
          }),
      );
      c = new FailoverClient(each, baseUrls, this.logger);
      this.clients.set(key, c);
    }
    return c;
  }

  private lookupWriter(key: string, realPath: string, realName: string): BucketWriter {
    const hit = this.writers.get(key);
    if (hit && !hit.closed) {
      // LRU: most recently used last
      this.writers.delete(key);
      this.writers.set(key, hit);
      return hit;
    }
    const loc = resolveTarget(realPath, { conf: this.o.hadoopConf ?? new HadoopConf(), user: this.o.user ?? '', address: this.o.address });
    // as Hadoop's Path: repeated slashes collapse (an empty %{header} in the middle of a path), no trailing slash
    const norm = loc.path.replace(/\/{2,}/g, '/');
    const dir = norm.length > 1 ? norm.replace(/\/+$/, '') : '';
    const client = this.client(loc.baseUrls);
    const w = new BucketWriter(key, dir, realName, this.o.bucket, {
      client,
      logger: this.logger,
      counter: this.counter,
      newFormat: this.o.newFormat,
      locked: (fn) => this.mutex.run(fn),
      onClosed: (bw) => {
        if (this.writers.get(bw.key) === bw) this.writers.delete(bw.key);
      },
      closeLater: (job) => this.closeLater(job),
      holding: (bw) => this.holders.add(bw),
      track: (p) => {
        this.background.add(p);
        p.finally(() => this.background.delete(p)).catch(() => undefined);
      },
      now: this.now,
    });
    this.writers.set(key, w);
    return w;
  }

  /**
   * Renames in-use files (`<inUsePrefix><prefix>.<n>...<inUseSuffix>`) left in a bucket's directory by an earlier run
   * (a crash, or closes that never succeeded), once per bucket, before the first write to it.
   */
  private async recover(w: BucketWriter): Promise<void> {
    const { inUsePrefix, inUseSuffix } = this.o.bucket;
    if (this.scanned.has(w.key) || (inUsePrefix === '' && inUseSuffix === '')) return;
    const client = w.client;
    const head = `${inUsePrefix}${w.prefix}.`;
    const list = await client.listStatus(w.dir || '/');
    for (const st of list) {
      const name = st.pathSuffix;
      if (st.type !== 'FILE' || !name.startsWith(head) || !name.endsWith(inUseSuffix) || name.length <= head.length + inUseSuffix.length)
        continue;
      const rest = name.slice(head.length, name.length - inUseSuffix.length);
      if (!/^\d+/.test(rest)) continue;
      const tmpPath = `${w.dir}/${name}`;
      if (this.closeJobs.has(tmpPath) || [...this.writers.values()].some((x) => x.openTmpPath === tmpPath)) continue;
      const finalPath = `${w.dir}/${name.slice(inUsePrefix.length, name.length - inUseSuffix.length)}`;
      try {
        await runCloseJob({ client, tmpPath, finalPath, committedLength: undefined, tries: 0, mayBeOpen: true });
        this.logger.info({ from: tmpPath, to: finalPath }, 'Recovered an in-use file left by an earlier run');
      } catch (err) {
        this.logger.warn({ err: errorMessage(err), file: tmpPath }, 'Could not rename a leftover in-use file');
      }
    }
    this.scanned.add(w.key);
  }

  /**
   * Flume's process(): take up to hdfs.batchSize events, write them, flush every bucket written to, commit. Unlike
   * Flume, up to `transactionsInFlight` transactions overlap: the next batch is taken and encoded while the previous
   * one's CREATE/APPEND is on the wire, and bytes of batches that arrive meanwhile go to HDFS together in the next
   * request of their file. Each transaction still commits only after all of its own bytes are in HDFS, and rolls
   * back when any of them failed. The file layout is what one sequential writer produces.
   */
  override async process(): Promise<Status> {
    if (this.failure) return this.surfaceFailure();
    if (this.inflight.size >= this.o.transactionsInFlight) this.releaseHeld();
    while (this.inflight.size >= this.o.transactionsInFlight) {
      // (one waiter, woken when any transaction settles: Promise.race over hundreds would pile up reactions)
      await new Promise<void>((resolve) => (this.slotFree = resolve));
      if (this.failure) return this.surfaceFailure();
    }
    const tx = this.channel.begin();
    const events = await this.takeBatch(tx);
    const n = events?.length ?? 0;
    // the channel ran dry: no more bytes are coming soon, ship what new files hold back (a partial batch ships
    // them with its own bytes below)
    if (n === 0) this.releaseHeld();
    if (!events) return 'BACKOFF';
    if (n === 0) {
      await tx.commit();
      return 'BACKOFF';
    }
    const seq = ++this.seq;
    let durable: Promise<void>;
    const hold = this.mayHold(n);
    try {
      ({ durable } = await this.mutex.run(() => this.encode(events, hold)));
      if (!hold) this.releaseHeld();
      else if (this.holders.size > 0) this.lingerTimer ??= setTimeout(() => this.releaseHeld(), this.o.createLingerMs);
    } catch (err) {
      // nothing of this batch was encoded (or what was is abandoned): roll back at once
      await tx.rollback();
      this.counter.increment('EventWriteFail');
      this.noteFailure(err);
      throw new EventDeliveryError(
        `sink ${this.name}: failed to write ${n} event(s) to HDFS, rolled back for retry: ${errorMessage(err)}`,
        { cause: err },
      );
    }
    const done: Promise<void> = durable
      .then(
        async () => {
          await tx.commit();
          this.counter.add('EventDrainSuccessCount', n);
          if (this.failing) {
            this.failing = false;
            this.logger.info('HDFS writes succeed again');
          }
        },
        (err: unknown) => {
          // rolled back once every transaction in flight has settled, newest first, so the events return to the
          // channel in their original order
          this.failedTxs.push({ seq, rollback: () => tx.rollback() });
          this.counter.increment('EventWriteFail');
          this.noteFailure(err);
          this.failure ??= new EventDeliveryError(
            `sink ${this.name}: failed to write ${n} event(s) to HDFS, rolled back for retry: ${errorMessage(err)}`,
            { cause: err },
          );
        },
      )
      .finally(() => {
        this.inflight.delete(done);
        const wake = this.slotFree;
        this.slotFree = undefined;
        wake?.();
      });
    this.inflight.add(done);
    if (this.o.transactionsInFlight <= 1) {
      await done;
      if (this.failure) return this.surfaceFailure();
    }
    return 'READY';
  }

  private readonly inflight = new Set<Promise<void>>();
  private slotFree: (() => void) | undefined;
  /** Bucket writers holding bytes back for a CREATE (flush(true)), and the timer that releases them. */
  private readonly holders = new Set<BucketWriter>();
  private lingerTimer: NodeJS.Timeout | undefined;

  /**
   * Whether a full batch may be held back for its new file's CREATE: only while the channel has a backlog (the batch
   * is full), the window has room (a full window must ship, or nothing would commit) and overlap is on.
   */
  private mayHold(n: number): boolean {
    return (
      (this.o.createLingerMs ?? 0) > 0 &&
      n >= this.o.batchSize &&
      this.o.transactionsInFlight > 1 &&
      this.inflight.size + 1 < this.o.transactionsInFlight
    );
  }

  /** Ships every byte held back for a CREATE (channel dry, window full, linger over, stop). */
  private releaseHeld(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    if (this.holders.size === 0) return;
    const ws = [...this.holders];
    this.holders.clear();
    for (const w of ws) w.release();
  }
  private failure: EventDeliveryError | undefined;

  private seq = 0;
  private failedTxs: Array<{ seq: number; rollback(): Promise<void> }> = [];

  /** A failed in-flight transaction: wait until every other one settled, roll the failed ones back, throw. */
  private async surfaceFailure(): Promise<Status> {
    await this.settle();
    const err = this.failure!;
    this.failure = undefined;
    throw err;
  }

  private async rollbackFailed(): Promise<void> {
    const failed = this.failedTxs.sort((a, b) => b.seq - a.seq);
    this.failedTxs = [];
    for (const f of failed) await f.rollback();
  }

  private noteFailure(err: unknown): void {
    if (!this.failing) this.logger.warn({ err: errorMessage(err) }, 'HDFS write failed; the transaction is rolled back and retried');
    this.failing = true;
  }

  /** Waits for every transaction in flight (stop, tests). */
  async settle(): Promise<void> {
    this.releaseHeld();
    while (this.inflight.size > 0) await Promise.all(this.inflight);
    await this.rollbackFailed();
  }

  /** The bucket writer of each event (validated first); one lookup for the lot when hdfs.path has no escapes. */
  private async targetsOf(events: Event[]): Promise<BucketWriter[]> {
    const targets: BucketWriter[] = new Array(events.length);
    const path = this.o.path.constant;
    const prefix = this.o.filePrefix.constant;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      this.o.validate?.(e);
      if (path !== undefined && prefix !== undefined && i > 0) {
        targets[i] = targets[0]!;
        continue;
      }
      const w = this.writerFor(path ?? this.o.path.escape(e.headers), prefix ?? this.o.filePrefix.escape(e.headers));
      if (!this.scanned.has(w.key)) await this.recover(w);
      targets[i] = w;
    }
    return targets;
  }

  /**
   * Encodes a batch under the lock. First everything that can fail (escapes, SequenceFile keys, the recovery scan of
   * new buckets) for every event, so a bad event leaves nothing half-encoded; then the appends; then one flush ticket
   * per bucket. Returns the promise that resolves when all of the batch's bytes are in HDFS.
   */
  private async encode(events: Event[], hold = false): Promise<{ durable: Promise<void> }> {
    const targets = await this.targetsOf(events);
    const touched = new Set<BucketWriter>();
    const waits: Promise<void>[] = [];
    try {
      // each run of consecutive events for the same bucket is encoded in one piece
      for (let i = 0; i < events.length; ) {
        const w = targets[i]!;
        let end = i + 1;
        while (end < events.length && targets[end] === w) end++;
        if (w.closed) throw new FlumeError('FLUME_INTERNAL', 'bucket closed while encoding'); // cannot happen under the lock
        w.appendRange(events, i, end);
        touched.add(w);
        i = end;
      }
      for (const w of touched) waits.push(w.flush(hold));
    } catch (err) {
      for (const w of touched) w.discardPending(err);
      throw err;
    }
    // beyond hdfs.maxOpenFiles: close the least recently used buckets (in the background; a failure there fails
    // this batch too, as its bytes may be in them)
    while (this.writers.size > this.o.maxOpenFiles) {
      const [key, eldest] = this.writers.entries().next().value as [string, BucketWriter];
      this.writers.delete(key);
      eldest.closed = true;
      const p = eldest.close();
      p.catch(() => undefined);
      waits.push(p);
    }
    // (wrapped: an async function returning a promise would wait for it, and hold the lock until it settles)
    return { durable: waits.length === 1 ? waits[0]! : Promise.all(waits).then(() => undefined) };
  }
}
