/**
 * The HDFS sink (Flume's HDFSEventSink) over WebHDFS: per event the bucket (escaped hdfs.path + escaped
 * hdfs.filePrefix) picks a BucketWriter (LRU-capped at hdfs.maxOpenFiles); at the end of the transaction every bucket
 * written to is flushed (one CREATE/APPEND each) and only then the transaction commits.
 */
import { BatchingSink } from '../../../core/abstract-sink.js';
import type { Channel } from '../../../core/channel.js';
import type { Event } from '../../../core/event.js';
import type { Logger } from '../../../core/logging.js';
import { errorMessage } from '../../../core/errors.js';
import { BucketPath } from '../../../core/bucket-path.js';
import { BucketWriter, runCloseJob, type BucketOptions, type CloseJob } from './bucket-writer.js';
import type { FileFormat } from './formats.js';
import { WebHdfsClient, resolveHdfsPath } from './webhdfs.js';

export interface HdfsSinkOptions {
  batchSize: number;
  path: BucketPath;
  filePrefix: BucketPath;
  bucket: BucketOptions;
  maxOpenFiles: number;
  /** hdfs.webhdfs.address override (else derived from hdfs.path). */
  address?: string;
  user?: string;
  doAs?: string;
  callTimeoutMs: number;
  /** Parallel flushes of different buckets (hdfs.threadsPoolSize). */
  parallelism: number;
  newFormat(): FileFormat;
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

export class HdfsSink extends BatchingSink {
  private readonly o: HdfsSinkOptions;
  private readonly writers = new Map<string, BucketWriter>();
  private readonly clients = new Map<string, WebHdfsClient>();
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
    this.closerTimer = setInterval(() => void this.mutex.run(() => this.runCloseJobs(false)), 1000);
    this.closerTimer.unref();
  }

  override async stop(): Promise<void> {
    if (this.closerTimer) clearInterval(this.closerTimer);
    this.closerTimer = undefined;
    await this.mutex.run(async () => {
      for (const w of this.writers.values()) {
        w.clearTimers();
        try {
          await w.close();
        } catch (err) {
          this.logger.warn({ err: errorMessage(err), bucket: w.key }, 'Closing file at stop failed');
        }
      }
      this.writers.clear();
      await this.runCloseJobs(true);
      if (this.closeJobs.size > 0) {
        this.logger.warn({ files: [...this.closeJobs.keys()] }, 'Files left in use at stop; they are closed and renamed when the sink next writes to their directory');
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

  private client(baseUrl: string): WebHdfsClient {
    let c = this.clients.get(baseUrl);
    if (!c) {
      c = new WebHdfsClient({ baseUrl, user: this.o.user, doAs: this.o.doAs, timeoutMs: this.o.callTimeoutMs });
      this.clients.set(baseUrl, c);
    }
    return c;
  }

  private closeLater(job: CloseJob): void {
    const delay = this.o.bucket.retryInterval > 0 ? this.o.bucket.retryInterval * 1000 : 0;
    this.closeJobs.set(job.tmpPath, { ...job, due: job.tries === 0 ? this.now() : this.now() + delay });
  }

  private async runCloseJobs(force: boolean): Promise<void> {
    for (const job of [...this.closeJobs.values()]) {
      if (!force && job.due > this.now()) continue;
      job.tries++;
      try {
        const r = await runCloseJob(job);
        this.closeJobs.delete(job.tmpPath);
        this.counter.increment('ConnectionClosedCount');
        this.logger.info({ file: job.tmpPath, result: r, to: job.finalPath }, 'Closed file left by a failed write');
      } catch (err) {
        if (job.tries >= this.o.bucket.closeTries) {
          this.closeJobs.delete(job.tmpPath);
          this.logger.warn({ file: job.tmpPath, tries: job.tries }, `Unsuccessfully attempted to close ${job.tmpPath} ${job.tries} times; it is renamed when the sink next restarts`);
        } else {
          job.due = this.now() + Math.max(1000, this.o.bucket.retryInterval * 1000);
          this.logger.debug({ err: errorMessage(err), file: job.tmpPath }, 'Closing file failed; will retry');
        }
      }
    }
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

  private lookupWriter(key: string, realPath: string, realName: string): BucketWriter {
    const hit = this.writers.get(key);
    if (hit && !hit.closed) {
      // LRU: most recently used last
      this.writers.delete(key);
      this.writers.set(key, hit);
      return hit;
    }
    const loc = resolveHdfsPath(realPath, this.o.address);
    const dir = loc.path.length > 1 ? loc.path.replace(/\/+$/, '') : '';
    const client = this.client(loc.baseUrl);
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
      now: this.now,
    });
    this.writers.set(key, w);
    return w;
  }

  /** Closes the least recently used writers beyond hdfs.maxOpenFiles (their pending bytes are shipped first). */
  private async enforceMaxOpen(): Promise<void> {
    while (this.writers.size > this.o.maxOpenFiles) {
      const [key, eldest] = this.writers.entries().next().value as [string, BucketWriter];
      this.writers.delete(key);
      eldest.closed = true;
      await eldest.close();
    }
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
      if (st.type !== 'FILE' || !name.startsWith(head) || !name.endsWith(inUseSuffix) || name.length <= head.length + inUseSuffix.length) continue;
      const rest = name.slice(head.length, name.length - inUseSuffix.length);
      if (!/^\d+/.test(rest)) continue;
      const tmpPath = `${w.dir}/${name}`;
      if (this.closeJobs.has(tmpPath) || [...this.writers.values()].some((x) => x.openTmpPath === tmpPath)) continue;
      const finalPath = `${w.dir}/${name.slice(inUsePrefix.length, name.length - inUseSuffix.length)}`;
      try {
        await runCloseJob({ client, tmpPath, finalPath, committedLength: undefined, tries: 0 });
        this.logger.info({ from: tmpPath, to: finalPath }, 'Recovered an in-use file left by an earlier run');
      } catch (err) {
        this.logger.warn({ err: errorMessage(err), file: tmpPath }, 'Could not rename a leftover in-use file');
      }
    }
    this.scanned.add(w.key);
  }

  protected deliver(events: Event[]): Promise<void> {
    return this.mutex.run(() => this.deliverLocked(events));
  }

  private async deliverLocked(events: Event[]): Promise<void> {
    const touched = new Set<BucketWriter>();
    try {
      for (const e of events) {
        const realPath = this.o.path.escape(e.headers);
        const realName = this.o.filePrefix.escape(e.headers);
        const w = this.writerFor(realPath, realName);
        if (!this.scanned.has(w.key)) await this.recover(w);
        await w.append(e);
        touched.add(w);
        if (this.writers.size > this.o.maxOpenFiles) await this.enforceMaxOpen();
      }
      await this.flushAll([...touched]);
    } catch (err) {
      for (const w of touched) w.discardPending();
      for (const w of this.writers.values()) w.discardPending();
      if (!this.failing) this.logger.warn({ err: errorMessage(err) }, 'HDFS write failed; the transaction is rolled back and retried');
      this.failing = true;
      throw err;
    }
    if (this.failing) {
      this.failing = false;
      this.logger.info('HDFS writes succeed again');
    }
  }

  private async flushAll(ws: BucketWriter[]): Promise<void> {
    const n = Math.max(1, this.o.parallelism);
    let i = 0;
    const errors: unknown[] = [];
    const worker = async (): Promise<void> => {
      while (i < ws.length) {
        const w = ws[i++]!;
        try {
          await w.flush();
        } catch (err) {
          errors.push(err);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(n, ws.length) }, worker));
    if (errors.length > 0) throw errors[0];
  }
}
