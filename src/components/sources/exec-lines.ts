/**
 * Java's BufferedReader.readLine() over a byte stream: a line ends at `\n`, `\r` or `\r\n`; the terminator is not
 * part of the line; a last line without terminator is returned at end of input. Works on raw bytes (the line
 * terminators are ASCII in every charset the exec source accepts), so a line is a slice of the chunk that held it.
 */
const LF = 0x0a;
const CR = 0x0d;

export class ReadLineSplitter {
  /** Bytes of an unfinished line carried over from earlier chunks. */
  private pending: Buffer | undefined;
  /** The previous chunk ended with `\r`: a `\n` at the start of the next chunk belongs to it. */
  private skipLf = false;

  /** Calls `line(buf, start, end)` for each complete line in `chunk`. */
  push(chunk: Buffer, line: (buf: Buffer, start: number, end: number) => void): void {
    let data = chunk;
    let pos = 0;
    if (this.skipLf) {
      this.skipLf = false;
      if (data.length > 0 && data[0] === LF) pos = 1;
    }
    if (this.pending) {
      const end = nextTerminator(data, pos);
      if (end < 0) {
        this.pending = Buffer.concat([this.pending, data.subarray(pos)]);
        return;
      }
      data = Buffer.concat([this.pending, data.subarray(pos)]);
      pos = 0;
      this.pending = undefined;
    }
    let cr = data.indexOf(CR, pos); // cached: without it every line would rescan the chunk for a `\r`
    for (;;) {
      if (cr >= 0 && cr < pos) cr = data.indexOf(CR, pos);
      const lf = data.indexOf(LF, pos);
      const t = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
      if (t < 0) break;
      line(data, pos, t);
      if (data[t] === CR) {
        if (t + 1 < data.length) pos = data[t + 1] === LF ? t + 2 : t + 1;
        else {
          this.skipLf = true;
          pos = t + 1;
        }
      } else pos = t + 1;
    }
    if (pos < data.length) this.pending = Buffer.from(data.subarray(pos));
  }

  /** End of input: the unterminated last line, if any. */
  end(line: (buf: Buffer, start: number, end: number) => void): void {
    const p = this.pending;
    this.pending = undefined;
    this.skipLf = false;
    if (p && p.length > 0) line(p, 0, p.length);
  }
}

function nextTerminator(buf: Buffer, from: number): number {
  const lf = buf.indexOf(LF, from);
  const cr = buf.indexOf(CR, from);
  if (cr < 0) return lf;
  if (lf < 0) return cr;
  return Math.min(cr, lf);
}
