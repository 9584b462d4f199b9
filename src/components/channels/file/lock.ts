/**
 * Directory locks (`in_use.lock`, Flume's name). Node has no flock(), so the lock file holds the owner's pid and
 * process start time; a lock whose owner is gone (kill -9) is stale and taken over. Locks held by this process are
 * tracked in memory, so two channels of one agent on the same directory are refused too.
 */
import fs from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'in_use.lock';

const heldHere = new Set<string>();

/** Linux process start time (clock ticks since boot, field 22 of /proc/<pid>/stat), or '' elsewhere. */
function startTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? '';
  } catch {
    return process.platform === 'linux' ? undefined : '';
  }
}

function alive(pid: number, start: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const now = startTime(pid);
  if (now === undefined) return false; // no /proc entry: gone
  return start === '' || now === '' || now === start;
}

export class DirLockError extends Error {}

/** Locks `dir` (which must exist); throws DirLockError with Flume's "Cannot lock" message if another owner holds it. */
export function lockDir(dir: string, descriptor: string): void {
  const abs = path.resolve(dir);
  const file = path.join(abs, LOCK_FILE);
  if (heldHere.has(abs)) {
    throw new DirLockError(
      `Cannot lock ${abs}. The directory is already locked by another file channel in this agent. ${descriptor} ` +
        'Give every file channel its own checkpointDir, backupCheckpointDir and dataDirs.',
    );
  }
  const mine = `${process.pid} ${startTime(process.pid) ?? ''}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, mine, { flag: 'wx' });
      heldHere.add(abs);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let content = '';
    try {
      content = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // removed meanwhile: retry
    }
    const [pidS, start = ''] = content.trim().split(/\s+/);
    const pid = Number(pidS);
    const stale = !Number.isInteger(pid) || pid <= 0 || pid === process.pid || !alive(pid, start);
    if (!stale) {
      throw new DirLockError(
        `Cannot lock ${abs}. The directory is already locked by process ${pid} (${file}). ${descriptor} ` +
          'Another agent uses the same directory: stop it, or give each file channel its own checkpointDir and dataDirs.',
      );
    }
    try {
      fs.unlinkSync(file);
    } catch {
      /* raced with another taker: retry */
    }
  }
  throw new DirLockError(`Cannot lock ${abs}: could not take over the stale lock file ${file}. ${descriptor}`);
}

export function unlockDir(dir: string): void {
  const abs = path.resolve(dir);
  if (!heldHere.delete(abs)) return;
  try {
    fs.unlinkSync(path.join(abs, LOCK_FILE));
  } catch {
    /* already gone */
  }
}
