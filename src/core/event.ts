/** A Flume event: string headers and a byte body. Headers are mutable, as interceptors in Flume mutate them. */
export interface Event {
  headers: Record<string, string>;
  body: Buffer;
}

export function createEvent(body: Buffer | Uint8Array | string, headers: Record<string, string> = {}): Event {
  const buf =
    typeof body === 'string'
      ? Buffer.from(body, 'utf8')
      : Buffer.isBuffer(body)
        ? body
        : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return { headers, body: buf };
}

export const bodyLength = (e: Event): number => (e instanceof SliceEvent ? e.bodyLength : e.body.length);

/**
 * Copies the event's body into `out` at `at` and returns its length; a SliceEvent's straight from the buffer it was
 * received in, without making a view.
 */
export function copyBody(e: Event, out: Buffer, at: number): number {
  const src = e instanceof SliceEvent ? e.sourceBuffer() : undefined;
  return src !== undefined ? src.copy(out, at, (e as SliceEvent).start, (e as SliceEvent).end) : e.body.copy(out, at);
}

/** The event's header map, or undefined when it is a SliceEvent that has none (without making one). */
export const headersIfAny = (e: Event): Record<string, string> | undefined => (e instanceof SliceEvent ? e.peekHeaders() : e.headers);

/**
 * An event whose body is a slice of a received buffer (a netcat line): it keeps the buffer and the offsets and makes
 * the `Buffer` view, and the header map, only when something asks for them. A source that reads millions of lines
 * per second then allocates one small object per event instead of three, which is most of its garbage-collection
 * cost. It behaves as a plain `Event` for every reader and writer of `headers` and `body`.
 */
export class SliceEvent implements Event {
  private h: Record<string, string> | undefined;
  private b: Buffer | undefined;
  /** The received buffer; undefined once `body` was replaced (then `b` is the body and the buffer can be collected). */
  private source: Buffer | undefined;
  constructor(
    source: Buffer,
    readonly start: number,
    readonly end: number,
  ) {
    this.source = source;
  }

  get headers(): Record<string, string> {
    return (this.h ??= {});
  }
  set headers(v: Record<string, string>) {
    this.h = v;
  }

  get body(): Buffer {
    return (this.b ??= this.source!.subarray(this.start, this.end));
  }

  /** The body's length without making the view. */
  get bodyLength(): number {
    return this.b ? this.b.length : this.end - this.start;
  }
  set body(v: Buffer) {
    this.b = v;
    this.source = undefined;
  }

  /**
   * The received buffer whose bytes `[start, end)` are still the body, or undefined once `body` was replaced. Lets a
   * writer copy the bytes (and runs of adjacent lines) straight from it without making a view per event.
   */
  sourceBuffer(): Buffer | undefined {
    return this.source;
  }

  /** The header map if one was made or set, else undefined (no map is made for asking). */
  peekHeaders(): Record<string, string> | undefined {
    return this.h;
  }
}
