/**
 * Wake-ups for the TAILDIR loop: one `fs.watch` (inotify) per group directory, which on Linux reports creations,
 * renames, deletions and writes of every file in it. A watch is only a hint that something changed: the loop still
 * scans and stats the files itself, and without a watch (fs.watch failed, inotify limits, network file systems) it
 * falls back to Flume's polling with backoffSleepIncrement / maxBackoffSleep. See docs/taildir.md for the measurements
 * behind this choice (per-file watchers such as chokidar's cost one inotify watch and one handle per file).
 */
import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from '../../../core/logging.js';
import { errorMessage } from '../../../core/errors.js';

/** `name` is the file the event is about, when the platform says. */
export type DirEvent = (dir: string, listingChanged: boolean, name: string | undefined) => void;

export class DirWatcher {
  private readonly watchers = new Map<string, FSWatcher>();

  constructor(
    private readonly logger: Logger,
    private readonly onEvent: DirEvent,
  ) {}

  watch(dir: string): void {
    if (this.watchers.has(dir)) return;
    try {
      const w = watch(dir, { persistent: false }, (type, name) => this.onEvent(dir, type === 'rename', name ?? undefined));
      w.on('error', (err) => {
        this.logger.warn({ dir, err: errorMessage(err) }, 'Directory watch failed; polling this directory instead');
        w.close();
        this.watchers.delete(dir);
      });
      this.watchers.set(dir, w);
    } catch (err) {
      this.logger.warn({ dir, err: errorMessage(err) }, 'Cannot watch the directory; polling it instead');
    }
  }

  isWatching(dir: string): boolean {
    return this.watchers.has(dir);
  }

  close(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}
