import { describe, expect, it } from 'vitest';
import { create } from '../../support/context.js';
import { createEvent, SliceEvent, type Event } from '../../../src/core/event.js';
import type { EventSerializer } from '../../../src/core/serializer.js';
import { textSerializer } from '../../../src/components/serializers/text.js';
import { headerAndTextSerializer } from '../../../src/components/serializers/header_and_text.js';
import { avroEventSerializer } from '../../../src/components/serializers/avro_event.js';
import { encodeBatch, encodeBatchParts } from '../../../src/components/sinks/file_roll.js';
import { MIN_VIEW, textBatchParts } from '../../../src/components/serializers/batch.js';

// writeBatch must give exactly the bytes of write() per event, concatenated (write() is checked against Flume's
// classes in serializers.test.ts), for every shape of event a source makes.

/** Lines of one received buffer as netcat makes them: "\n"-separated (some "\r\n"), events are slices without the "\n". */
function slices(text: string): SliceEvent[] {
  const buf = Buffer.from(text, 'utf8');
  const out: SliceEvent[] = [];
  let s = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0x0a) {
      out.push(new SliceEvent(buf, s, i));
      s = i + 1;
    }
  }
  return out;
}

/** A deterministic mix: adjacent slices, slices of other buffers, gaps, replaced bodies, headers, plain events. */
function mixedBatch(seed: number): Event[] {
  let x = seed;
  const rnd = (n: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
    return x % n;
  };
  const events: Event[] = [];
  const texts = ['a\nbb\n\nccc\r\nd€\n', 'one\ntwo\nthree\n', 'x\n', '\n\n\n', 'ümlaut\nline two\n'];
  for (let k = 0; k < 12; k++) {
    const kind = rnd(6);
    if (kind <= 2) {
      const evs = slices(texts[rnd(texts.length)]!);
      const skip = rnd(3) === 0 ? 1 : 0; // leave a gap: not adjacent any more
      for (let i = 0; i < evs.length; i += 1 + skip) events.push(evs[i]!);
    } else if (kind === 3) {
      const [e] = slices(`replaced${k}\n`);
      e!.body = Buffer.from(`new body ${k}`);
      events.push(e!);
    } else if (kind === 4) {
      const evs = slices('h1\nh2\n');
      evs[0]!.headers = { timestamp: '1700000000000', host: '10.0.0.1' };
      evs[1]!.headers.k = 'vé';
      events.push(...evs);
    } else {
      events.push(createEvent(`plain ${k}`, rnd(2) ? { a: '1', b: '2' } : {}));
    }
  }
  return events;
}

const perEvent = (s: EventSerializer, events: readonly Event[]): Buffer => Buffer.concat(events.map((e) => s.write(e) ?? Buffer.alloc(0)));

const configs: [string, () => EventSerializer][] = [
  ['text', () => create(textSerializer, {})],
  ['text appendNewline=false', () => create(textSerializer, { appendNewline: 'false' })],
  ['header_and_text', () => create(headerAndTextSerializer, {})],
  ['header_and_text appendNewline=false', () => create(headerAndTextSerializer, { appendNewline: 'false' })],
];

describe.each(configs)('%s writeBatch', (_name, make) => {
  it('equals write() per event for mixed batches', () => {
    const s = make();
    for (let seed = 1; seed <= 200; seed++) {
      const events = mixedBatch(seed);
      expect(s.writeBatch!(events)).toEqual(perEvent(s, events));
    }
  });

  it('handles an empty batch, and a run of adjacent lines from one buffer', () => {
    const s = make();
    expect(s.writeBatch!([])?.length).toBe(0);
    const lines = slices('first\nsecond\r\n\nfourth €\n');
    expect(s.writeBatch!(lines)).toEqual(perEvent(s, lines));
  });

  it('is what file_roll writes for a batch', () => {
    const s = make();
    const events = mixedBatch(7);
    expect(encodeBatch(s, events)).toEqual(perEvent(s, events));
  });
});

describe('text writeBatchParts (vectored writes)', () => {
  /** Long lines (some over MIN_VIEW) in a few received buffers, mixed with short ones and plain events. */
  function longBatch(seed: number): Event[] {
    const events = mixedBatch(seed);
    const sizes = [10, MIN_VIEW - 2, MIN_VIEW, MIN_VIEW + 1, 5000, 300];
    const text = sizes.map((n, k) => `${String.fromCharCode(97 + k).repeat(n)}${k === 3 ? '\r' : ''}\n`).join('');
    const runs = slices(text);
    events.splice(seed % events.length, 0, ...runs.slice(0, 3));
    events.push(...runs.slice(3));
    events.push(...slices(`${'z'.repeat(MIN_VIEW * 2)}\n`));
    // a slice whose buffer ends without "\n" (the newline must be added)
    events.push(new SliceEvent(Buffer.from('y'.repeat(MIN_VIEW + 5)), 0, MIN_VIEW + 5));
    return events;
  }

  it.each([true, false])('gives the bytes of writeBatch (appendNewline %s), with views for long runs', (nl) => {
    const s = create(textSerializer, { appendNewline: String(nl) });
    let views = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const events = longBatch(seed);
      const parts = s.writeBatchParts!(events);
      // compared as strings: toEqual on long Buffers walks them byte by byte and is slow
      const want = perEvent(s, events).toString('latin1');
      expect(Buffer.concat(parts).toString('latin1')).toBe(want);
      expect(Buffer.concat(encodeBatchParts(s, events)).toString('latin1')).toBe(want);
      views += parts.filter((p) => p.length >= MIN_VIEW).length;
    }
    expect(views).toBeGreaterThan(40);
  });

  it('a batch of short lines is one copied buffer; an empty batch has no parts', () => {
    expect(textBatchParts(slices('a\nbb\nccc\n'), true)).toHaveLength(1);
    expect(textBatchParts([], true)).toEqual([]);
  });

  it('encodeBatchParts falls back to one buffer for serializers without parts', () => {
    const s = create(headerAndTextSerializer, {});
    const events = mixedBatch(3);
    expect(encodeBatchParts(s, events)).toEqual([perEvent(s, events)]);
  });
});

describe('text writeBatch coalescing', () => {
  it('does not join slices whose separator is not "\\n"', () => {
    const buf = Buffer.from('ab|cd|');
    const events = [new SliceEvent(buf, 0, 2), new SliceEvent(buf, 3, 5)];
    expect(create(textSerializer, {}).writeBatch!(events)?.toString()).toBe('ab\ncd\n');
  });
});

describe('avro_event writeBatch', () => {
  /** The bytes of a batch and the flush after it. */
  const withFlush = (s: EventSerializer, b: Buffer | undefined): Buffer =>
    Buffer.concat([b ?? Buffer.alloc(0), s.flush?.() ?? Buffer.alloc(0)]);

  it.each(['2048000', '64', '1'])('equals write() per event for mixed batches (syncIntervalBytes %s)', (sync) => {
    // one instance for both (the sync marker is random per instance; a flush leaves no state behind)
    const s = create(avroEventSerializer, { syncIntervalBytes: sync });
    for (let seed = 1; seed <= 100; seed++) {
      const events = mixedBatch(seed);
      events.push(createEvent(Buffer.alloc(300, 7), { ü: 'ß€', many: 'x'.repeat(200), timestamp: '1', a: '', b: 'c' }));
      const batch = withFlush(s, s.writeBatch!(events)); // first: SliceEvents without a header map yet
      const one = withFlush(s, perEvent(s, events));
      expect(batch).toEqual(one);
    }
  });
});
