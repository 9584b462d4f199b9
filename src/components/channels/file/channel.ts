/**
 * Flume's FileChannel semantics with our own write-ahead log (see docs/file-channel.md):
 * - `put` stages in memory; `commit` writes the transaction's PUT records and a COMMIT record (carrying its takes) in
 *   one write and waits for a group fdatasync shared with every commit that queued meanwhile.
 * - The queue is an in-memory deque of pointers (file id, offset, length); bodies stay cached up to a byte budget
 *   and are otherwise read back from the log when taken.
 * - A checkpoint (the queue, in-flight takes included, and how much of each log it covers) is written every
 *   checkpointInterval and on close; start-up loads the last valid checkpoint and replays the log tail after it,
 *   or replays every log when no checkpoint is valid. Logs are deleted once checkpointed and fully consumed.
 */
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { AbstractChannel, BasicTransaction, type Transaction } from '../../../core/channel.js';
import { Deque } from '../../../core/deque.js';
import type { Event } from '../../../core/event.js';
import { ChannelError, ChannelFullError, errorMessage } from '../../../core/errors.js';
import type { Logger } from '../../../core/logging.js';
import {
  FILE_HEADER,
  T_COMMIT,
  T_PUT,
  checkRecord,
  decodeCheckpoint,
  decodePut,
  encodeCheckpoint,
  encodeTx,
  type CheckpointData,
} from './format.js';
import { DirLockError, lockDir, unlockDir } from './lock.js';
import { LogWriter, listLogs, scanLog, syncDir, type WriterHost } from './log.js';
import { Waiters } from '../../../core/waiters.js';

export const FILE_CHANNEL_COUNTERS = [
  'EventPutErrorCount',
  'EventTakeErrorCount',
  'CheckpointWriteErrorCount',
  'CheckpointBackupWriteErrorCount',
  'Unhealthy',
  'Closed',
  // flume-ts extra (not in Flume): fdatasync calls on the logs, for tuning group commit and batch sizes
  'FsyncCount',
] as const;

export const CHECKPOINT_FILE = 'checkpoint';

export interface FileChannelOptions {
  checkpointDir: string;
  backupCheckpointDir?: string;
  useDualCheckpoints: boolean;
  dataDirs: string[];
  capacity: number;
  transactionCapacity: number;
  keepAliveSeconds: number;
  checkpointIntervalMs: number;
  maxFileSize: number;
  minimumRequiredSpace: number;
  checkpointOnClose: boolean;
  fsyncPerTransaction: boolean;
  fsyncIntervalSeconds: number;
  /** Event bytes kept in memory for takes; beyond it bodies are read back from the log. */
  cacheBytes: number;
  logger: Logger;
}

/** A queued event: where its PUT record is, and the event itself while it is cached. */
interface Entry {
  f: number;
  o: number;
  n: number;
  ev: Event | undefined;
}

interface LogFileInfo {
  id: number;
  file: string;
  writer: LogWriter | undefined;
  /** Bytes covered once the file is no longer written. */
  size: number;
  reader: Promise<FileHandle> | undefined;
}

const key = (f: number, o: number): number => f * 4294967296 + o;
const cost = (e: Event): number => e.body.length + 64;

/** What the last start-up found (for logs, tests and `flume-ts` diagnostics). */
export interface ReplayReport {
  checkpoint: 'primary' | 'backup' | 'none';
  checkpointProblems: string[];
  logsScanned: number;
  bytesScanned: number;
  transactionsReplayed: number;
  uncommittedDiscarded: number;
  /** Corrupt or truncated records: `file:offset: message`. */
  corrupt: string[];
  queueSize: number;
  millis: number;
}

export class FileChannel extends AbstractChannel implements WriterHost {
  readonly transactionCapacity: number;
  readonly durable = true;
  readonly opts: FileChannelOptions;
  readonly maxFileSize: number;
  readonly fsyncPerTransaction: boolean;
  readonly descriptor: string;
  private readonly log: Logger;
  private readonly queue = new Deque<Entry>(1024);
  private readonly inflight = new Set<FileTransaction>();
  private inflightTakes = 0;
  private reserved = 0;
  private cacheUsed = 0;
  private readonly files = new Map<number, LogFileInfo>();
  private writers: LogWriter[] = [];
  private nextFileId = 1;
  private commitSeq = 1;
  private txid = 1;
  private readonly space = new Waiters();
  private isOpen = false;
  private startupError: unknown;
  private locked: string[] = [];
  private timers: NodeJS.Timeout[] = [];
  private checkpointing: Promise<void> | undefined;
  private readonly usable = new Map<string, { at: number; bytes: number }>();
  /** Statistics for benches and tests (not Flume counters). */
  readonly stats = { fsyncs: 0, checkpoints: 0, logsDeleted: 0 };
  lastReplay: ReplayReport | undefined;

  constructor(name: string, opts: FileChannelOptions) {
    super(name, FILE_CHANNEL_COUNTERS);
    this.opts = opts;
    this.transactionCapacity = opts.transactionCapacity;
    this.maxFileSize = opts.maxFileSize;
    this.fsyncPerTransaction = opts.fsyncPerTransaction;
    this.descriptor = `[channel=${name}]`;
    this.log = opts.logger;
    this.counter.gauge('Open', () => String(this.isOpen));
    this.counter.set('Closed', 1);
  }

  capacity(): number {
    return this.opts.capacity;
  }

  size(): number {
    return this.queue.length;
  }

  get open(): boolean {
    return this.isOpen;
  }

  begin(): Transaction {
    if (!this.isOpen) {
      let msg = `Channel closed ${this.descriptor}`;
      if (this.startupError !== undefined) msg += `. Due to: ${errorMessage(this.startupError)}`;
      throw new ChannelError(msg, { cause: this.startupError });
    }
    return new FileTransaction(this, this.txid++);
  }

  // ---- WriterHost
  allocFileId(): number {
    return this.nextFileId++;
  }
  nextCommitSeq(): number {
    return this.commitSeq++;
  }
  onFileOpened(id: number, file: string, writer: LogWriter): void {
    this.files.set(id, { id, file, writer, size: FILE_HEADER, reader: undefined });
  }
  onFileRotated(id: number, size: number): void {
    const f = this.files.get(id);
    if (f) {
      f.writer = undefined;
      f.size = size;
    }
  }
  countFsync(): void {
    this.stats.fsyncs++;
    this.counter.increment('FsyncCount');
  }

  // ---- lifecycle
  override async start(): Promise<void> {
    await super.start();
    this.counter.set('Unhealthy', 1);
    this.counter.set('Closed', 1);
    this.startupError = undefined;
    const o = this.opts;
    try {
      const dirs = [o.checkpointDir, ...(o.useDualCheckpoints && o.backupCheckpointDir ? [o.backupCheckpointDir] : []), ...o.dataDirs];
      for (const d of dirs) fs.mkdirSync(d, { recursive: true });
      for (const d of dirs) {
        lockDir(d, this.descriptor);
        this.locked.push(d);
      }
      await this.replay();
      this.writers = o.dataDirs.map((d) => new LogWriter(this, d));
      for (const w of this.writers) await w.openNew();
      this.isOpen = true;
      await this.checkpoint();
    } catch (err) {
      this.startupError = err;
      this.isOpen = false;
      for (const w of this.writers) await w.close().catch(() => {});
      this.writers = [];
      this.releaseLocks();
      this.log.error({ err: errorMessage(err) }, `Failed to start the file channel ${this.descriptor}`);
      if (err instanceof DirLockError) throw new ChannelError(err.message, { code: 'FLUME_CHANNEL_LOCKED' });
      throw err;
    }
    this.counter.set('ChannelSize', this.queue.length);
    this.counter.set('Unhealthy', 0);
    this.counter.set('Closed', 0);
    const t = setInterval(() => void this.checkpoint().catch(() => {}), o.checkpointIntervalMs);
    t.unref();
    this.timers.push(t);
    if (!o.fsyncPerTransaction) {
      const s = setInterval(
        () => void this.syncAll().catch((err) => this.log.error({ err: errorMessage(err) }, `fsync failed ${this.descriptor}`)),
        o.fsyncIntervalSeconds * 1000,
      );
      s.unref();
      this.timers.push(s);
    }
  }

  override async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.isOpen) {
      for (const w of this.writers) await w.idle();
      if (this.opts.checkpointOnClose) await this.checkpoint().catch(() => {});
      else if (this.checkpointing) await this.checkpointing.catch(() => {});
      this.isOpen = false;
      for (const w of this.writers)
        await w.close().catch((err) => this.log.error({ err: errorMessage(err) }, 'Error while closing the log'));
      this.writers = [];
      await this.closeReaders();
      this.releaseLocks();
    }
    this.counter.set('Closed', 1);
    await super.stop();
  }

  /**
   * For tests: drop everything as a killed process would (no checkpoint, no final fsync), release the locks.
   */
  async abandon(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.isOpen = false;
    for (const w of this.writers) await w.abandon();
    await this.closeReaders();
    this.writers = [];
    this.releaseLocks();
  }

  private releaseLocks(): void {
    for (const d of this.locked) unlockDir(d);
    this.locked = [];
  }

  private async closeReaders(): Promise<void> {
    for (const f of this.files.values()) {
      if (f.reader) {
        const r = f.reader;
        f.reader = undefined;
        await r.then((h) => h.close()).catch(() => {});
      }
    }
  }

  // ---- transactions
  /** @internal Removes up to n entries from the head for a take. */
  takeEntries(tx: FileTransaction, n: number): Entry[] {
    const out: Entry[] = [];
    this.queue.shiftInto(out, n);
    if (out.length > 0) {
      this.inflightTakes += out.length;
      this.inflight.add(tx);
      this.counter.set('ChannelSize', this.queue.length);
    }
    return out;
  }

  /** @internal Events for taken entries: cached ones directly, others read back from the log (coalesced reads). */
  async materialize(entries: Entry[]): Promise<Event[]> {
    const out: Event[] = [];
    let i = 0;
    while (i < entries.length) {
      const e = entries[i]!;
      if (e.ev) {
        out.push(e.ev);
        i++;
        continue;
      }
      // a run of uncached entries in the same file, close together
      let j = i + 1;
      let end = e.o + e.n;
      while (j < entries.length) {
        const x = entries[j]!;
        if (x.ev || x.f !== e.f || x.o < end || x.o - end > 256 * 1024 || x.o + x.n - e.o > 8 * 1024 * 1024) break;
        end = x.o + x.n;
        j++;
      }
      let buf: Buffer | undefined;
      let readErr: unknown;
      try {
        buf = await this.readRange(e.f, e.o, end - e.o);
      } catch (err) {
        readErr = err;
      }
      for (let k = i; k < j; k++) {
        const x = entries[k]!;
        const where = `${this.files.get(x.f)?.file ?? `log-${x.f}`}:${x.o}`;
        if (!buf) {
          const code = (readErr as NodeJS.ErrnoException)?.code;
          if (code !== 'ENOENT') {
            this.counter.increment('EventTakeErrorCount');
            throw new ChannelError(`Take failed due to IO error ${this.descriptor}: ${errorMessage(readErr)}`, { cause: readErr });
          }
          this.corruptTake(where, 'the log file is missing');
          continue;
        }
        const rel = x.o - e.o;
        const problem = buf.length < rel + x.n ? 'the log file is shorter than the record' : checkRecord(buf, rel, rel + x.n);
        if (problem) {
          this.corruptTake(where, problem);
          continue;
        }
        try {
          out.push(decodePut(buf.subarray(rel, rel + x.n)));
        } catch (err) {
          this.corruptTake(where, errorMessage(err));
        }
      }
      i = j;
    }
    return out;
  }

  private corruptTake(where: string, problem: string): void {
    this.counter.increment('EventTakeErrorCount');
    this.log.error(
      `Corrupt event record at ${where} (${problem}); the event is skipped and will be discarded when this take commits ${this.descriptor}`,
    );
  }

  private async readRange(f: number, o: number, n: number): Promise<Buffer> {
    const info = this.files.get(f);
    if (!info) {
      const err = new Error(`log file id ${f} is not known`) as NodeJS.ErrnoException;
      err.code = 'ENOENT';
      throw err;
    }
    info.reader ??= fsp.open(info.file, 'r');
    let fh: FileHandle;
    try {
      fh = await info.reader;
    } catch (err) {
      info.reader = undefined;
      throw err;
    }
    const buf = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await fh.read(buf, got, n - got, o + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === n ? buf : buf.subarray(0, got);
  }

  private async usableSpace(dir: string): Promise<number> {
    // statfs at most once a second per directory (as Flume, which caches the usable space too)
    const now = Date.now();
    const c = this.usable.get(dir);
    if (c && now - c.at <= 1000) return c.bytes;
    const s = await fsp.statfs(dir);
    const bytes = s.bavail * s.bsize;
    this.usable.set(dir, { at: now, bytes });
    return bytes;
  }

  /** @internal */
  async commitTx(tx: FileTransaction): Promise<void> {
    const puts = tx.puts;
    const takes = tx.takes;
    if (!this.isOpen) throw new ChannelError(`Channel closed ${this.descriptor}`);
    const writer = this.writers[tx.id % this.writers.length]!;
    if (puts.length > 0) {
      let bytes = 0;
      for (const e of puts) bytes += e.body.length + 32;
      let usable: number;
      try {
        usable = await this.usableSpace(writer.dir);
      } catch (err) {
        this.counter.add('EventPutErrorCount', puts.length);
        throw new ChannelError(`Put failed due to IO error ${this.descriptor}: ${errorMessage(err)}`, { cause: err });
      }
      const required = this.opts.minimumRequiredSpace + bytes;
      if (usable <= required) {
        this.counter.add('EventPutErrorCount', puts.length);
        throw new ChannelError(
          `Put failed due to IO error ${this.descriptor}: Usable space exhausted, only ${usable} bytes remaining, ` +
            `required ${required} bytes (in ${writer.dir}). Free disk space or lower minimumRequiredSpace.`,
          { code: 'FLUME_CHANNEL_DISK_FULL' },
        );
      }
      await this.reserve(puts.length);
    }
    const enc = encodeTx(tx.id, puts, takes);
    try {
      await new Promise<void>((resolve, reject) =>
        writer.submit({ enc, resolve, reject, apply: (f, base) => this.apply(tx, enc.putRel, enc.putLen, f, base) }),
      );
    } catch (err) {
      this.reserved -= puts.length;
      if (puts.length > 0) {
        this.counter.add('EventPutErrorCount', puts.length);
        this.space.wakeAll();
      }
      if (takes.length > 0) this.counter.add('EventTakeErrorCount', takes.length);
      this.log.error({ err: errorMessage(err) }, `Commit failed due to IO error ${this.descriptor}`);
      throw new ChannelError(`Commit failed due to IO error ${this.descriptor}: ${errorMessage(err)}`, { cause: err });
    }
  }

  /** Waits up to keep-alive for room for n more events (Flume waits at put time; our puts are staged, so at commit). */
  private async reserve(n: number): Promise<void> {
    const deadline = Date.now() + this.opts.keepAliveSeconds * 1000;
    while (this.queue.length + this.inflightTakes + this.reserved + n > this.opts.capacity) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new ChannelFullError(
          "The channel has reached it's capacity. This might be the result of a sink on the channel having too low of " +
            'batch size, a downstream system running slower than normal, or that the channel capacity is just too low. ' +
            this.descriptor,
        );
      }
      await this.space.wait(left);
    }
    this.reserved += n;
  }

  /** Runs synchronously in write order once a transaction is on disk. */
  private apply(tx: FileTransaction, putRel: number[], putLen: number[], f: number, base: number): void {
    const puts = tx.puts;
    const budget = this.opts.cacheBytes;
    for (let i = 0; i < puts.length; i++) {
      const e = puts[i]!;
      let ev: Event | undefined;
      if (this.cacheUsed < budget) {
        ev = e;
        this.cacheUsed += cost(e);
      }
      this.queue.push({ f, o: base + putRel[i]!, n: putLen[i]!, ev });
    }
    this.reserved -= puts.length;
    for (const t of tx.takes) if (t.ev) this.cacheUsed -= cost(t.ev);
    if (tx.takes.length > 0) {
      this.inflightTakes -= tx.takes.length;
      this.inflight.delete(tx);
    }
    this.counter.add('EventPutSuccessCount', puts.length);
    this.counter.add('EventTakeSuccessCount', tx.takes.length);
    this.counter.set('ChannelSize', this.queue.length);
    if (tx.takes.length > 0) this.space.wakeAll();
    if (puts.length > 0) this.notifyAvailable();
  }

  /** @internal */
  rollbackTx(tx: FileTransaction): void {
    if (tx.takes.length === 0) return;
    this.queue.unshiftAll(tx.takes);
    this.inflightTakes -= tx.takes.length;
    this.inflight.delete(tx);
    this.counter.set('ChannelSize', this.queue.length);
    this.notifyAvailable();
  }

  // ---- checkpoint
  private async syncAll(): Promise<void> {
    for (const w of this.writers) await w.sync();
  }

  /** Writes a checkpoint now (serialised with any running one); logs and counts errors, and rethrows them. */
  checkpoint(): Promise<void> {
    const run = async () => {
      if (this.checkpointing) await this.checkpointing.catch(() => {});
      if (!this.isOpen) return;
      await this.doCheckpoint();
    };
    const p = run();
    const mine: Promise<void> = p
      .catch(() => {})
      .finally(() => {
        if (this.checkpointing === mine) this.checkpointing = undefined;
      });
    this.checkpointing = mine;
    return p;
  }

  private async doCheckpoint(): Promise<void> {
    // 1. a consistent snapshot, taken synchronously: in-flight takes first (they return to the head on restart)
    const n = this.inflightTakes + this.queue.length;
    const entries = new Uint32Array(n * 3);
    let k = 0;
    let minLive = Infinity;
    const push = (e: Entry) => {
      entries[k++] = e.f;
      entries[k++] = e.o;
      entries[k++] = e.n;
      if (e.f < minLive) minLive = e.f;
    };
    for (const tx of this.inflight) for (const e of tx.takes) push(e);
    for (const e of this.queue) push(e);
    const files = new Map<number, number>();
    const closed: number[] = [];
    for (const f of this.files.values()) {
      files.set(f.id, f.writer ? f.writer.applied : f.size);
      if (!f.writer) closed.push(f.id);
    }
    const data: CheckpointData = {
      writtenAt: Date.now(),
      commitSeq: this.commitSeq,
      txid: this.txid,
      nextFileId: this.nextFileId,
      files,
      entries: k === entries.length ? entries : entries.subarray(0, k),
    };
    // 2. everything the snapshot covers must be durable before the checkpoint says so
    const buf = encodeCheckpoint(data);
    try {
      await this.syncAll();
      await writeAtomic(this.opts.checkpointDir, CHECKPOINT_FILE, buf);
    } catch (err) {
      this.counter.increment('CheckpointWriteErrorCount');
      this.log.error({ err: errorMessage(err) }, `Error writing the checkpoint in ${this.opts.checkpointDir} ${this.descriptor}`);
      throw err;
    }
    this.stats.checkpoints++;
    if (this.opts.useDualCheckpoints && this.opts.backupCheckpointDir) {
      try {
        await writeAtomic(this.opts.backupCheckpointDir, CHECKPOINT_FILE, buf);
      } catch (err) {
        this.counter.increment('CheckpointBackupWriteErrorCount');
        this.log.error(
          { err: errorMessage(err) },
          `Error writing the backup checkpoint in ${this.opts.backupCheckpointDir} ${this.descriptor}`,
        );
        return; // keep the logs: the backup still needs them
      }
    }
    // 3. delete logs that are closed, covered by this checkpoint and hold no live event
    const dirs = new Set<string>();
    for (const id of closed) {
      if (id >= minLive) continue;
      const f = this.files.get(id);
      if (!f || f.writer) continue;
      this.files.delete(id);
      if (f.reader) await f.reader.then((h) => h.close()).catch(() => {});
      try {
        await fsp.unlink(f.file);
        this.stats.logsDeleted++;
        dirs.add(path.dirname(f.file));
        this.log.debug(`Deleted consumed log ${f.file} ${this.descriptor}`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn({ err: errorMessage(err) }, `Could not delete ${f.file}`);
      }
    }
    for (const d of dirs) await syncDir(d);
  }

  // ---- replay
  private async loadCheckpoint(report: ReplayReport): Promise<CheckpointData | undefined> {
    const candidates: Array<['primary' | 'backup', string]> = [['primary', this.opts.checkpointDir]];
    if (this.opts.useDualCheckpoints && this.opts.backupCheckpointDir) candidates.push(['backup', this.opts.backupCheckpointDir]);
    for (const [which, dir] of candidates) {
      const file = path.join(dir, CHECKPOINT_FILE);
      let buf: Buffer;
      try {
        buf = await fsp.readFile(file);
      } catch (err) {
        report.checkpointProblems.push(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : errorMessage(err)}`);
        continue;
      }
      try {
        const c = decodeCheckpoint(buf);
        report.checkpoint = which;
        return c;
      } catch (err) {
        report.checkpointProblems.push(`${file}: corrupt (${errorMessage(err)})`);
      }
    }
    return undefined;
  }

  private async replay(): Promise<void> {
    const t0 = Date.now();
    const report: ReplayReport = {
      checkpoint: 'none',
      checkpointProblems: [],
      logsScanned: 0,
      bytesScanned: 0,
      transactionsReplayed: 0,
      uncommittedDiscarded: 0,
      corrupt: [],
      queueSize: 0,
      millis: 0,
    };
    this.queue.clear();
    this.inflight.clear();
    this.inflightTakes = 0;
    this.reserved = 0;
    this.cacheUsed = 0;
    this.files.clear();
    const logs: { id: number; file: string }[] = [];
    for (const d of this.opts.dataDirs) logs.push(...listLogs(d));
    logs.sort((a, b) => a.id - b.id);
    const ckpt = await this.loadCheckpoint(report);
    const known = new Set(logs.map((l) => l.id));
    let maxSeq = 0;
    let maxTx = 0;
    let maxId = 0;
    const base: Entry[] = [];
    if (ckpt) {
      maxSeq = ckpt.commitSeq;
      maxTx = ckpt.txid;
      maxId = ckpt.nextFileId - 1;
      let missing = 0;
      const e = ckpt.entries;
      for (let i = 0; i < e.length; i += 3) {
        if (!known.has(e[i]!)) missing++;
        else base.push({ f: e[i]!, o: e[i + 1]!, n: e[i + 2]!, ev: undefined });
      }
      if (missing > 0) {
        const msg = `checkpoint lists ${missing} event(s) in log files that no longer exist; they cannot be recovered`;
        report.corrupt.push(msg);
        this.log.error(`${msg} ${this.descriptor}`);
      }
    } else if (logs.length > 0) {
      this.log.warn(
        `No valid checkpoint (${report.checkpointProblems.join('; ')}); replaying all ${logs.length} log file(s) ${this.descriptor}`,
      );
    }
    // scan the tails
    interface Tx {
      seq: number;
      puts: Entry[];
      takes: Uint32Array;
    }
    const committed: Tx[] = [];
    for (const l of logs) {
      if (l.id > maxId) maxId = l.id;
      const start = ckpt?.files.get(l.id) ?? 0;
      const pending = new Map<number, Entry[]>();
      const size = await scanLog(
        l.file,
        l.id,
        start,
        (r) => {
          if (r.txid > maxTx) maxTx = r.txid;
          if (r.type === T_PUT) {
            let list = pending.get(r.txid);
            if (!list) pending.set(r.txid, (list = []));
            list.push({ f: l.id, o: r.off, n: r.len, ev: undefined });
          } else if (r.type === T_COMMIT) {
            const puts = pending.get(r.txid) ?? [];
            pending.delete(r.txid);
            if (puts.length !== r.nPuts) {
              const msg = `${l.file}:${r.off}: transaction ${r.txid} committed ${r.nPuts} put(s) but only ${puts.length} valid PUT record(s) were found`;
              report.corrupt.push(msg);
              this.log.error(`${msg} ${this.descriptor}`);
            }
            if (r.commitSeq! > maxSeq) maxSeq = r.commitSeq!;
            committed.push({ seq: r.commitSeq!, puts, takes: r.takes! });
          }
        },
        (offset, message) => {
          const msg = `${l.file}:${offset}: ${message}`;
          report.corrupt.push(msg);
          this.log.error(`Corrupt log record at ${msg} ${this.descriptor}`);
        },
      );
      for (const list of pending.values()) report.uncommittedDiscarded += list.length;
      report.logsScanned++;
      report.bytesScanned += Math.max(0, size - start);
      this.files.set(l.id, { id: l.id, file: l.file, writer: undefined, size, reader: undefined });
    }
    committed.sort((a, b) => a.seq - b.seq);
    const taken = new Set<number>();
    for (const t of committed) for (let i = 0; i < t.takes.length; i += 2) taken.add(key(t.takes[i]!, t.takes[i + 1]!));
    const keep = (e: Entry) => taken.size === 0 || !taken.has(key(e.f, e.o));
    for (const e of base) if (keep(e)) this.queue.push(e);
    for (const t of committed) for (const e of t.puts) if (keep(e)) this.queue.push(e);
    report.transactionsReplayed = committed.length;
    this.commitSeq = maxSeq + 1;
    this.txid = maxTx + 1;
    this.nextFileId = Math.max(this.nextFileId, maxId + 1);
    report.queueSize = this.queue.length;
    report.millis = Date.now() - t0;
    this.lastReplay = report;
    this.log.info(
      `Replay done: ${report.queueSize} event(s) queued from ${report.checkpoint === 'none' ? 'the logs only' : `the ${report.checkpoint} checkpoint`}` +
        ` + ${report.transactionsReplayed} transaction(s) in ${report.logsScanned} log(s), ${report.bytesScanned} bytes, ${report.millis} ms` +
        (report.uncommittedDiscarded ? `; ${report.uncommittedDiscarded} uncommitted put(s) rolled back` : '') +
        (report.corrupt.length ? `; ${report.corrupt.length} corrupt record(s) skipped` : '') +
        ` ${this.descriptor}`,
    );
    if (this.queue.length > this.opts.capacity) {
      this.log.warn(
        `Replayed ${this.queue.length} events, more than capacity ${this.opts.capacity}; puts wait until sinks drain ${this.descriptor}`,
      );
    }
  }
}

async function writeAtomic(dir: string, name: string, buf: Buffer): Promise<void> {
  const tmp = path.join(dir, `${name}.tmp`);
  const fh = await fsp.open(tmp, 'w');
  try {
    let off = 0;
    while (off < buf.length) off += (await fh.write(buf, off, buf.length - off, off)).bytesWritten;
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, path.join(dir, name));
  await syncDir(dir);
}

export class FileTransaction extends BasicTransaction {
  readonly id: number;
  private readonly ch: FileChannel;
  puts: Event[] = [];
  takes: Entry[] = [];

  constructor(ch: FileChannel, id: number) {
    super(ch.name);
    this.ch = ch;
    this.id = id;
  }

  protected doPut(events: readonly Event[]): void {
    const cap = this.ch.transactionCapacity;
    this.ch.counter.add('EventPutAttemptCount', events.length);
    if (this.puts.length + events.length > cap) {
      throw new ChannelError(
        `Put queue for FileBackedTransaction of capacity ${cap} full, consider committing more frequently, ` +
          `increasing capacity or increasing thread count. ${this.ch.descriptor}`,
      );
    }
    for (const e of events) this.puts.push(e);
  }

  protected async doTake(max: number): Promise<Event[]> {
    const cap = this.ch.transactionCapacity;
    this.ch.counter.increment('EventTakeAttemptCount');
    if (this.takes.length >= cap) {
      throw new ChannelError(
        `Take list for FileBackedTransaction, capacity ${cap} full, consider committing more frequently, ` +
          `increasing capacity, or increasing thread count. ${this.ch.descriptor}`,
      );
    }
    if (!this.ch.open) throw new ChannelError(`Channel closed ${this.ch.descriptor}`);
    const got = this.ch.takeEntries(this, Math.min(max, cap - this.takes.length));
    if (got.length === 0) return [];
    for (const e of got) this.takes.push(e);
    return this.ch.materialize(got);
  }

  protected doCommit(): Promise<void> | void {
    if (this.puts.length === 0 && this.takes.length === 0) return;
    return this.ch.commitTx(this);
  }

  protected doRollback(): void {
    this.ch.rollbackTx(this);
    this.puts = [];
    this.takes = [];
  }
}
