/** Callers waiting for a condition (space in a channel, events arriving): each waits at most `ms`, wakeAll() frees all. */
export class Waiters {
  private waiters: Array<() => void> = [];

  /** Resolves at the next wakeAll(), or after `ms`. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      }, ms);
      this.waiters.push(done);
    });
  }

  wakeAll(): void {
    if (this.waiters.length === 0) return;
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}
