/**
 * Flume's TaildirMatcher: one file group = a literal parent directory + a regex that must match the whole file name
 * (Java PathMatcher `regex:`). Directories are never matched. With cachePatternMatching the listing is reused until
 * the directory's mtime changes, with Flume's rule for the second in which it last changed (listed again until the
 * clock has passed that second), and also whenever a watcher saw the directory change.
 */
import { readdir, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { FlumeError } from '../../../core/errors.js';

export interface Matched {
  path: string;
  st: Stats;
}

/** Splits `/dir/regex` the way java.io.File does: duplicate and trailing separators dropped, the last part is the regex. */
export function splitPattern(pattern: string): { dir: string; regex: string } {
  let p = pattern.replace(/\/+/g, '/');
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  const i = p.lastIndexOf('/');
  const dir = i < 0 ? '.' : i === 0 ? '/' : p.slice(0, i);
  const abs = path.isAbsolute(dir) ? dir : path.join(process.cwd(), dir);
  return { dir: abs, regex: p.slice(i + 1) };
}

/** The file-name regex, anchored at both ends as Java's Matcher.matches(). */
export function compileNameRegex(regex: string): RegExp {
  try {
    return new RegExp(`^(?:${regex})$`);
  } catch (err) {
    throw new FlumeError('FLUME_TAILDIR_PATTERN', `invalid file name regex "${regex}": ${(err as Error).message}`, { cause: err });
  }
}

const join = (dir: string, name: string): string => (dir.endsWith('/') ? dir + name : `${dir}/${name}`);

export class GroupMatcher {
  readonly dir: string;
  readonly regex: RegExp;
  private lastDirMtime = -1;
  private lastChecked = -1;
  private cached: string[] = [];
  /** Set by a watcher event on the directory: list again. */
  dirty = true;

  constructor(
    readonly group: string,
    readonly pattern: string,
    private readonly cache: boolean,
  ) {
    const p = splitPattern(pattern);
    this.dir = p.dir;
    this.regex = compileNameRegex(p.regex);
  }

  pathOf(name: string): string {
    return join(this.dir, name);
  }

  /** Matching names (cached as Flume does). Throws when the directory cannot be listed. */
  async names(): Promise<string[]> {
    const now = Math.floor(Date.now() / 1000) * 1000;
    const dirMtime = (await stat(this.dir)).mtimeMs;
    if (!this.cache || this.dirty || this.lastDirMtime < dirMtime || !(dirMtime < this.lastChecked)) {
      this.dirty = false;
      const all = await readdir(this.dir);
      this.cached = all.filter((n) => this.regex.test(n));
      this.lastDirMtime = dirMtime;
      this.lastChecked = now;
    }
    return this.cached;
  }

  /** The matching regular files with their stats, oldest mtime first (Flume's order). Vanished files are skipped. */
  async files(): Promise<Matched[]> {
    return this.statNames(await this.names());
  }

  /** Like files(), for the given names only (those a watcher reported written to). */
  async statNames(candidates: Iterable<string>): Promise<Matched[]> {
    const names = [...candidates].filter((n) => this.regex.test(n));
    const stats = await Promise.all(
      names.map((name) =>
        stat(this.pathOf(name)).then(
          (st) => (st.isDirectory() ? undefined : { path: this.pathOf(name), st }),
          () => undefined, // deleted between the listing and the stat: handled as gone on this scan
        ),
      ),
    );
    const out = stats.filter((m): m is Matched => m !== undefined);
    return out.sort((a, b) => a.st.mtimeMs - b.st.mtimeMs);
  }
}

/** Finds the file with this dev:inode in `dir` under any name (a file renamed out of its pattern). */
export async function findByInode(dir: string, dev: number, ino: number, skip?: (name: string) => boolean): Promise<Matched | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  for (const name of names) {
    if (skip?.(name)) continue;
    const p = join(dir, name);
    try {
      const st = await stat(p);
      if (st.ino === ino && (dev < 0 || st.dev === dev) && st.isFile()) return { path: p, st };
    } catch {
      // gone
    }
  }
  return undefined;
}
