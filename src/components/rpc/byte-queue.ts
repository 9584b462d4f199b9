/**
 * Socket chunks queued for a frame decoder: `take(n)` returns the next n bytes, as a view when they lie in one chunk
 * (no copy), else copied into one buffer.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  /** Bytes queued. */
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  take(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.length -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let pos = 0;
    while (pos < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - pos);
      c.copy(out, pos, 0, k);
      pos += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.length -= n;
    return out;
  }
}
