/**
 * Batch encoders for the line serializers (text, header_and_text): one output buffer per batch, bodies copied
 * straight from the buffers they were received in. Runs of SliceEvents that were adjacent lines of the same received
 * buffer (body, "\n", body, …) are copied with one memcpy: the bytes are the same as body + "\n" per event.
 */
import { bodyLength, headersIfAny, SliceEvent, type Event } from '../../core/event.js';

const NL = 0x0a;

/** Total length of the bodies of `events`. */
export function bodiesLength(events: readonly Event[]): number {
  let n = 0;
  for (let i = 0; i < events.length; i++) n += bodyLength(events[i]!);
  return n;
}

/**
 * Copies the body of `events[i]` to `out` at `at`, followed by "\n" when `nl`; with `nl` and `coalesce`, also the bodies
 * of the following events that are the next lines of the same received buffer. Returns [next index, next offset].
 */
export function copyLines(events: readonly Event[], i: number, out: Buffer, at: number, nl: boolean, coalesce: boolean): [number, number] {
  const e = events[i]!;
  const src = e instanceof SliceEvent ? e.sourceBuffer() : undefined;
  if (src === undefined || !(e instanceof SliceEvent)) {
    const b = e.body;
    at += b.copy(out, at);
    if (nl) out[at++] = NL;
    return [i + 1, at];
  }
  const start = e.start;
  const [j, end] = coalesce ? sliceRun(events, i, src, nl) : [i + 1, e.end];
  at += src.copy(out, at, start, end);
  if (nl) out[at++] = NL;
  return [j, at];
}

/** text: body [+ "\n"] per event. */
export function textBatch(events: readonly Event[], nl: boolean): Buffer {
  const out = Buffer.allocUnsafe(bodiesLength(events) + (nl ? events.length : 0));
  let i = 0;
  let at = 0;
  while (i < events.length) [i, at] = copyLines(events, i, out, at, nl, true);
  return out;
}

/** Pieces shorter than this are copied into a shared buffer rather than written as views of their own. */
export const MIN_VIEW = 2048;
const NL_BUF = Buffer.from('\n');

/**
 * text for a vectored write: the same bytes as textBatch, as a list of buffers. A run of adjacent lines of one received
 * buffer (a netcat read) is one view into that buffer, its last "\n" included when the buffer has it; pieces shorter
 * than MIN_VIEW (plain events, replaced bodies, short runs) are copied into shared buffers between the views. The
 * views share memory with the events' received buffers, which nobody writes to (Node reads into a fresh buffer each
 * time), so the caller must write them before the events are released, as a sink does before its commit.
 */
export function textBatchParts(events: readonly Event[], nl: boolean): Buffer[] {
  const parts: Buffer[] = [];
  let copyFrom = -1; // first event of the pending run of small pieces
  const flushCopies = (to: number): void => {
    if (copyFrom < 0) return;
    parts.push(textBatch(copyFrom === 0 && to === events.length ? events : events.slice(copyFrom, to), nl));
    copyFrom = -1;
  };
  let i = 0;
  while (i < events.length) {
    const e = events[i]!;
    const src = e instanceof SliceEvent ? e.sourceBuffer() : undefined;
    if (src === undefined || !(e instanceof SliceEvent)) {
      if (copyFrom < 0) copyFrom = i;
      i++;
      continue;
    }
    const [j, end] = sliceRun(events, i, src, nl);
    const withNl = nl && end < src.length && src[end] === NL;
    if (end + (withNl ? 1 : 0) - e.start < MIN_VIEW) {
      if (copyFrom < 0) copyFrom = i;
      i = j;
      continue;
    }
    flushCopies(i);
    parts.push(src.subarray(e.start, withNl ? end + 1 : end));
    if (nl && !withNl) parts.push(NL_BUF);
    i = j;
  }
  flushCopies(events.length);
  return parts;
}

/**
 * The end of the run of SliceEvents from `i` that are adjacent lines of `src` ("\n"-separated; only with `nl`, as
 * without it the "\n" between them is not part of the output). Returns [index after the run, end offset in src].
 */
function sliceRun(events: readonly Event[], i: number, src: Buffer, nl: boolean): [number, number] {
  let end = (events[i] as SliceEvent).end;
  let j = i + 1;
  if (nl) {
    while (j < events.length) {
      const n = events[j]!;
      if (!(n instanceof SliceEvent) || n.start !== end + 1 || src[end] !== NL || n.sourceBuffer() !== src) break;
      end = n.end;
      j++;
    }
  }
  return [j, end];
}

/** header_and_text: `<java map> ` + body [+ "\n"] per event; `head` is the serializer's per-event prefix. */
export function headerAndTextBatch(events: readonly Event[], nl: boolean, head: (h: Record<string, string>) => string): Buffer {
  const heads: (string | undefined)[] = new Array<string | undefined>(events.length);
  let size = bodiesLength(events) + (nl ? events.length : 0);
  for (let i = 0; i < events.length; i++) {
    const h = headersIfAny(events[i]!);
    if (h === undefined) {
      size += EMPTY_HEAD.length;
      continue;
    }
    const s = head(h);
    heads[i] = s;
    size += Buffer.byteLength(s);
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = 0; i < events.length; ) {
    const s = heads[i];
    if (s === undefined) at += EMPTY_HEAD.copy(out, at);
    else at += out.write(s, at, 'utf8');
    [i, at] = copyLines(events, i, out, at, nl, false);
  }
  return out;
}

const EMPTY_HEAD = Buffer.from('{} ');
