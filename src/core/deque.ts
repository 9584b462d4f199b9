/** A growable ring buffer: O(1) push/shift, and unshiftAll to return rolled-back takes to the head in order. */
export class Deque<T> {
  private buf: (T | undefined)[];
  private head = 0;
  private len = 0;

  constructor(initialCapacity = 16) {
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    this.buf = new Array(cap);
  }

  get length(): number {
    return this.len;
  }

  private grow(min: number): void {
    let cap = this.buf.length;
    while (cap < min) cap *= 2;
    if (cap === this.buf.length) return;
    const next = new Array<T | undefined>(cap);
    for (let i = 0; i < this.len; i++) next[i] = this.buf[(this.head + i) & (this.buf.length - 1)];
    this.buf = next;
    this.head = 0;
  }

  push(v: T): void {
    if (this.len === this.buf.length) this.grow(this.len + 1);
    this.buf[(this.head + this.len) & (this.buf.length - 1)] = v;
    this.len++;
  }

  shift(): T | undefined {
    if (this.len === 0) return undefined;
    const v = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.len--;
    return v;
  }

  peek(): T | undefined {
    return this.len === 0 ? undefined : this.buf[this.head];
  }

  /** Removes up to n items from the head into `out`. */
  shiftInto(out: T[], n: number): number {
    const k = Math.min(n, this.len);
    const mask = this.buf.length - 1;
    for (let i = 0; i < k; i++) {
      out.push(this.buf[this.head] as T);
      this.buf[this.head] = undefined;
      this.head = (this.head + 1) & mask;
    }
    this.len -= k;
    return k;
  }

  /** Puts `items` back at the head, keeping their order (items[0] becomes the new head). */
  unshiftAll(items: readonly T[]): void {
    if (items.length === 0) return;
    if (this.len + items.length > this.buf.length) this.grow(this.len + items.length);
    const mask = this.buf.length - 1;
    for (let i = items.length - 1; i >= 0; i--) {
      this.head = (this.head - 1) & mask;
      this.buf[this.head] = items[i];
    }
    this.len += items.length;
  }

  clear(): void {
    this.buf = new Array(16);
    this.head = 0;
    this.len = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.len; i++) yield this.buf[(this.head + i) & (this.buf.length - 1)] as T;
  }
}
