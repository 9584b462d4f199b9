/**
 * A size- and day-rolling log file, as the LogFile appender of Flume 1.11's conf/log4j2.xml:
 * `fileName=${LOG_DIR}/flume.log`, `filePattern=${LOG_DIR}/archive/flume.log.%d{yyyyMMdd}-%i`, a roll when the file
 * reaches 100 MB or at midnight, at most 20 archives per day (DefaultRolloverStrategy max=20: the oldest index goes),
 * and archives deleted oldest first once they add up to more than 1 GB (Delete / IfAccumulatedFileSize).
 *
 * Lines are written synchronously (a log line is never lost in a crash after the call returned).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface RollingFileOptions {
  /** The live file, e.g. `./flume.log`. */
  file: string;
  /** Roll when the file would grow past this many bytes (default 100 MB). */
  maxBytes?: number;
  /** Archives kept per day (default 20). */
  maxIndex?: number;
  /** Total bytes of archives kept (default 1 GB). */
  maxArchiveBytes?: number;
  /** Directory of the archives (default `<dir of file>/archive`). */
  archiveDir?: string;
}

const MB = 1024 * 1024;

const day = (d: Date) => `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;

export class RollingFile {
  private fd: number;
  private size: number;
  private day: string;
  private readonly file: string;
  private readonly archiveDir: string;
  private readonly maxBytes: number;
  private readonly maxIndex: number;
  private readonly maxArchiveBytes: number;

  constructor(o: RollingFileOptions) {
    this.file = o.file;
    this.archiveDir = o.archiveDir ?? path.join(path.dirname(o.file), 'archive');
    this.maxBytes = o.maxBytes ?? 100 * MB;
    this.maxIndex = Math.max(1, o.maxIndex ?? 20);
    this.maxArchiveBytes = o.maxArchiveBytes ?? 1024 * MB;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    this.fd = fs.openSync(this.file, 'a');
    const st = fs.fstatSync(this.fd);
    this.size = st.size;
    this.day = day(st.size > 0 ? st.mtime : new Date());
  }

  write(line: string): void {
    const bytes = Buffer.byteLength(line);
    const today = day(new Date());
    if (this.size > 0 && (this.size + bytes > this.maxBytes || today !== this.day)) this.roll();
    this.day = today;
    fs.writeSync(this.fd, line);
    this.size += bytes;
  }

  /** Archive names of one day, oldest (lowest index) first. */
  private archivesOf(d: string): Array<{ name: string; index: number }> {
    const prefix = `${path.basename(this.file)}.${d}-`;
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.archiveDir);
    } catch {
      return [];
    }
    return names
      .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
      .map((n) => ({ name: n, index: Number(n.slice(prefix.length)) }))
      .sort((a, b) => a.index - b.index);
  }

  private roll(): void {
    fs.closeSync(this.fd);
    fs.mkdirSync(this.archiveDir, { recursive: true });
    const base = `${path.basename(this.file)}.${this.day}-`;
    let existing = this.archivesOf(this.day);
    if (existing.length >= this.maxIndex) {
      // max reached: the oldest goes, the others move down one index
      fs.rmSync(path.join(this.archiveDir, existing[0]!.name), { force: true });
      existing = existing.slice(1);
      for (let i = 0; i < existing.length; i++) {
        fs.renameSync(path.join(this.archiveDir, existing[i]!.name), path.join(this.archiveDir, `${base}${i + 1}`));
      }
    }
    const next = existing.length + 1;
    fs.renameSync(this.file, path.join(this.archiveDir, `${base}${next}`));
    this.deleteOverCap();
    this.fd = fs.openSync(this.file, 'a');
    this.size = 0;
  }

  /** Deletes the oldest archives while all of them together exceed maxArchiveBytes. */
  private deleteOverCap(): void {
    const prefix = `${path.basename(this.file)}.`;
    const files = fs
      .readdirSync(this.archiveDir)
      .filter((n) => n.startsWith(prefix))
      .map((n) => {
        const st = fs.statSync(path.join(this.archiveDir, n));
        return { n, size: st.size, mtime: st.mtimeMs };
      })
      .sort((a, b) => b.mtime - a.mtime || (a.n < b.n ? 1 : -1));
    let total = 0;
    for (const f of files) {
      total += f.size;
      if (total > this.maxArchiveBytes) fs.rmSync(path.join(this.archiveDir, f.n), { force: true });
    }
  }

  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}
