/**
 * Flume's EventDeserializers over a spool file, reading from a byte position and telling the byte position after
 * each event, so that a commit stores exactly where the next read starts (Flume: ResettableFileInputStream +
 * DurablePositionTracker).
 *
 * LINE (serialization/LineDeserializer.java): splits on `\n` only (a `\r` stays in the body); a line of more than
 * maxLineLength chars (UTF-16 units, Java's count) is cut into maxLineLength-char events, and a line of exactly
 * maxLineLength chars is followed by an empty event (Flume counts the `\n` against the limit). Input is decoded with
 * inputCharset under decodeErrorPolicy and re-encoded in outputCharset; valid UTF-8 → UTF-8 is passed through.
 * BLOB (morphline BlobDeserializer): the file in events of at most maxBlobLength bytes.
 */
import { isUtf8 } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import { SliceEvent, type Event } from '../../../core/event.js';
import type { Logger } from '../../../core/logging.js';
import { decode, encode, validSequenceLength, MalformedInputError, type Charset, type DecodePolicy } from '../text-codec.js';

export interface ReadResult {
  events: Event[];
  /** Byte offset just after the last event (the position to store once they are committed). */
  end: number;
}

export interface Deserializer {
  read(n: number): Promise<ReadResult>;
  /** Rewinds to a stored position (the batch was not committed). */
  reset(pos: number): void;
  /** The last read batch was committed. */
  commit?(): void;
}

const CHUNK = 256 * 1024;

/** A window over a file of fixed `size` (the size when it was opened, as Flume reads it). */
class FileWindow {
  buf: Buffer = Buffer.alloc(0);
  bufStart = 0;
  constructor(
    readonly fh: FileHandle,
    readonly size: number,
  ) {}

  get bufEnd(): number {
    return this.bufStart + this.buf.length;
  }

  /** Makes the window start at `pos` and hold at least `want` bytes (or up to EOF). */
  async load(pos: number, want: number): Promise<void> {
    if (pos >= this.bufStart && pos + want <= this.bufEnd) return;
    if (pos < this.bufStart || pos > this.bufEnd) {
      this.buf = Buffer.alloc(0);
      this.bufStart = pos;
    }
    const keep = this.buf.subarray(pos - this.bufStart);
    const len = Math.min(Math.max(want - keep.length, CHUNK), this.size - (pos + keep.length));
    if (len <= 0) {
      this.buf = keep;
      this.bufStart = pos;
      return;
    }
    const fresh = Buffer.allocUnsafe(keep.length + len);
    keep.copy(fresh, 0);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await this.fh.read(fresh, keep.length + got, len - got, pos + keep.length + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.buf = fresh.subarray(0, keep.length + got);
    this.bufStart = pos;
  }
}

export interface LineOptions {
  maxLineLength: number;
  inputCharset: Charset;
  outputCharset: Charset;
  policy: DecodePolicy;
}

export class LineDeserializer implements Deserializer {
  private readonly w: FileWindow;
  private pos: number;
  /** Segments of a cut line not returned yet. */
  private queue: Array<{ event: Event; end: number }> = [];
  private warned = false;

  constructor(
    fh: FileHandle,
    size: number,
    start: number,
    private readonly o: LineOptions,
    private readonly logger: Logger,
    private readonly file: string,
  ) {
    this.w = new FileWindow(fh, size);
    this.pos = start;
  }

  reset(pos: number): void {
    this.pos = pos;
    this.queue = [];
  }

  async read(n: number): Promise<ReadResult> {
    const events: Event[] = [];
    let end = this.pos;
    try {
      while (events.length < n) {
        if (this.queue.length === 0 && !(await this.readLine())) break;
        const q = this.queue.shift()!;
        events.push(q.event);
        end = q.end;
      }
    } catch (err) {
      if (events.length === 0 || !(err instanceof MalformedInputError)) throw err;
      // hand out the good lines first; the next read() meets the bad bytes again and throws
      this.reset(end);
    }
    return { events, end };
  }

  /** Reads the next line into the queue (one or more events); false at end of file. */
  private async readLine(): Promise<boolean> {
    const w = this.w;
    if (this.pos >= w.size) return false;
    const limit = Math.max(CHUNK, this.o.maxLineLength * 4 + 4);
    await w.load(this.pos, 1);
    let nl = w.buf.indexOf(0x0a, this.pos - w.bufStart);
    while (nl < 0 && w.bufEnd < w.size && w.bufEnd - this.pos < limit) {
      await w.load(this.pos, w.bufEnd - this.pos + CHUNK);
      nl = w.buf.indexOf(0x0a, this.pos - w.bufStart);
    }
    const s = this.pos - w.bufStart;
    if (nl >= 0) {
      this.cut(s, nl, true);
      return true;
    }
    const atEof = w.bufEnd >= w.size;
    this.cut(s, w.buf.length, false, !atEof);
    return this.queue.length > 0 || this.pos < w.size;
  }

  /** Events of bytes [s, e) of the window (window-relative); `nl`: a `\n` follows at e; `more`: the line goes on. */
  private cut(s: number, e: number, nl: boolean, more = false): void {
    const { maxLineLength: max, inputCharset: cs, outputCharset: out, policy } = this.o;
    const buf = this.w.buf;
    const base = this.w.bufStart;
    if (cs === 'UTF-8' && out === 'UTF-8' && e - s < max && isUtf8(buf.subarray(s, e))) {
      this.queue.push({ event: new SliceEvent(buf, s, e), end: base + e + (nl ? 1 : 0) });
      this.pos = base + e + (nl ? 1 : 0);
      return;
    }
    const cuts = cutPoints(buf, s, e, max, cs, policy, base, more);
    let from = s;
    for (const c of cuts.points) {
      this.push(buf, from, c, base + c);
      from = c;
    }
    if (cuts.points.length > 0 && !this.warned) {
      this.warned = true;
      this.logger.warn({ file: this.file, offset: base + s, maxLineLength: max }, 'Line length exceeds max, truncating line!');
    }
    if (more) {
      this.pos = base + (cuts.points.length > 0 ? from : cuts.consumed);
      return;
    }
    if (cuts.tailUnits > 0 || nl) this.push(buf, from, e, base + e + (nl ? 1 : 0));
    this.pos = base + e + (nl ? 1 : 0);
  }

  private push(buf: Buffer, s: number, e: number, end: number): void {
    const { inputCharset: cs, outputCharset: out, policy } = this.o;
    const body =
      cs === out && (cs === 'ISO-8859-1' || (cs === 'UTF-8' && isUtf8(buf.subarray(s, e))))
        ? buf.subarray(s, e)
        : encode(decodeAt(buf, s, e, cs, policy, this.w.bufStart), out);
    this.queue.push({ event: { headers: {}, body }, end });
  }
}

function decodeAt(buf: Buffer, s: number, e: number, cs: Charset, policy: DecodePolicy, base: number): string {
  try {
    return decode(buf, s, e, cs, policy);
  } catch (err) {
    if (err instanceof MalformedInputError) throw new MalformedInputError(base + err.offset);
    throw err;
  }
}

/**
 * Where Flume's LineDeserializer cuts bytes [s, e) into events of `max` chars. `tailUnits`: chars after the last
 * cut; `consumed`: (with `more`) the window offset up to which complete characters were counted.
 */
function cutPoints(buf: Buffer, s: number, e: number, max: number, cs: Charset, policy: DecodePolicy, base: number, more: boolean) {
  const points: number[] = [];
  let units = 0;
  let i = s;
  while (i < e) {
    let len = 1;
    let u = 1;
    if (cs === 'UTF-8') {
      len = validSequenceLength(buf, i, e);
      if (len === 0) {
        if (more && e - i < 4) break; // an incomplete character at the end of the window: wait for the rest
        if (policy === 'FAIL') throw new MalformedInputError(base + i);
        len = 1;
        u = policy === 'REPLACE' ? 1 : 0;
      } else if (len === 4) u = 2;
    } else if (cs === 'US-ASCII' && buf[i]! >= 0x80) {
      if (policy === 'FAIL') throw new MalformedInputError(base + i);
      u = policy === 'REPLACE' ? 1 : 0;
    }
    if (units + u > max && units > 0) {
      points.push(i); // a surrogate pair is kept whole (Flume would split it into two '?')
      units = 0;
    }
    units += u;
    i += len;
    if (units >= max) {
      points.push(i);
      units = 0;
    }
  }
  return { points, tailUnits: units, consumed: i };
}

/** BlobDeserializer: events of at most maxBlobLength bytes. */
export class BlobDeserializer implements Deserializer {
  private pos: number;
  private warned = false;
  constructor(
    private readonly fh: FileHandle,
    private readonly size: number,
    start: number,
    private readonly maxBlobLength: number,
    private readonly logger: Logger,
  ) {
    this.pos = start;
  }

  reset(pos: number): void {
    this.pos = pos;
  }

  async read(n: number): Promise<ReadResult> {
    const events: Event[] = [];
    while (events.length < n && this.pos < this.size) {
      const len = Math.min(this.maxBlobLength, this.size - this.pos);
      const body = Buffer.allocUnsafe(len);
      let got = 0;
      while (got < len) {
        const { bytesRead } = await this.fh.read(body, got, len - got, this.pos + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      if (got >= this.maxBlobLength && !this.warned) {
        this.warned = true;
        this.logger.warn({ maxBlobLength: this.maxBlobLength }, 'File length exceeds maxBlobLength, truncating BLOB event!');
      }
      events.push({ headers: {}, body: body.subarray(0, got) });
      this.pos += got;
      if (got === 0) break;
    }
    return { events, end: this.pos };
  }
}
