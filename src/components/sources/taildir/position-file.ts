/**
 * Flume's taildir position file: a JSON array written by Gson, one object per file, keys in the order inode, pos,
 * file, no spaces: `[{"inode":2496272,"pos":12,"file":"/var/log/test1/example.log"}]`. We write exactly that (Gson's
 * HTML-safe escapes of < > & = ' included). A crash never leaves a half-written file (Flume truncates and rewrites in
 * place): small files are rewritten with a single one-page write, larger ones through a temporary file and a rename.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { FlumeError } from '../../../core/errors.js';

export interface PositionEntry {
  inode: number;
  pos: number;
  file: string;
}

export interface LoadedPositions {
  entries: PositionEntry[];
  /** mtime of the position file (ms): every entry's file existed then. 0 when there is no file. */
  mtimeMs: number;
  /** Problems worth a log line (bad JSON, incomplete entries). */
  problems: string[];
}

const GSON_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '=': '\\u003d', "'": '\\u0027' };

/** A JSON string as Gson writes it (JSON.stringify plus Gson's HTML-safe escapes). */
export function gsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&=']/g, (c) => GSON_ESCAPES[c]!);
}

export function toJson(entries: readonly PositionEntry[]): string {
  return `[${entries.map((e) => `{"inode":${e.inode},"pos":${e.pos},"file":${gsonString(e.file)}}`).join(',')}]`;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Reads the position file. A missing or empty file gives no entries; a damaged one gives what could be read. */
export function loadPositions(file: string): LoadedPositions {
  const out: LoadedPositions = { entries: [], mtimeMs: 0, problems: [] };
  let text: string;
  try {
    out.mtimeMs = statSync(file).mtimeMs;
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') out.problems.push(`cannot read ${file}: ${(err as Error).message}`);
    return out;
  }
  if (text.trim() === '') return out;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    out.problems.push(`${file} is not valid JSON (${(err as Error).message}); every file starts as if it had no position`);
    return out;
  }
  if (!Array.isArray(data)) {
    out.problems.push(`${file} does not hold a JSON array; ignored`);
    return out;
  }
  for (const item of data as unknown[]) {
    const e = item as Partial<PositionEntry> | null;
    if (e && isCount(e.inode) && isCount(e.pos) && typeof e.file === 'string') {
      out.entries.push({ inode: e.inode, pos: e.pos, file: e.file });
    } else out.problems.push(`${file}: entry ${JSON.stringify(item)} needs inode, pos and file; ignored`);
  }
  return out;
}

/** Up to this size the file is updated in place with one write(2) of one page, which a kill -9 cannot split. */
const IN_PLACE_MAX = 4096;

export class PositionWriter {
  private readonly tmp: string;
  private last = '';
  private fd?: number;
  /** Bytes in the file now (an in-place write pads a shorter JSON with spaces up to it). */
  private size = 0;

  constructor(readonly file: string) {
    this.tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  }

  /** Creates the parent directories (Flume does it when configured). */
  prepare(): void {
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
    } catch (err) {
      const why = (err as Error).message;
      const msg = `cannot create the directory of positionFile ${this.file}: ${why}`;
      throw new FlumeError('FLUME_TAILDIR_POSITION_FILE', msg, { cause: err });
    }
  }

  /**
   * Writes the entries, synchronously (the commit that called it must not race the next one). A small file is
   * overwritten in place (trailing spaces pad a shorter JSON; both JSON readers accept them); a large one, or a
   * `clean` write (start, stop), goes to a temporary file renamed over the old one.
   */
  write(entries: readonly PositionEntry[], force = false, clean = false): boolean {
    const json = toJson(entries);
    if (!force && json === this.last) return false;
    const bytes = Buffer.from(json, 'utf8');
    if (!clean && this.fd !== undefined && bytes.length <= IN_PLACE_MAX && this.size <= IN_PLACE_MAX) {
      const out = bytes.length >= this.size ? bytes : Buffer.concat([bytes, Buffer.alloc(this.size - bytes.length, 0x20)]);
      writeSync(this.fd, out, 0, out.length, 0);
      this.size = out.length;
    } else {
      writeFileSync(this.tmp, bytes);
      renameSync(this.tmp, this.file);
      this.closeFd();
      this.fd = openSync(this.file, 'r+');
      this.size = bytes.length;
    }
    this.last = json;
    return true;
  }

  /** True when the last write fitted in place (one page). */
  smallEnough(): boolean {
    return this.size <= IN_PLACE_MAX;
  }

  close(): void {
    this.closeFd();
  }

  private closeFd(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
