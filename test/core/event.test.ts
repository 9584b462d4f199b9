import { describe, expect, it } from 'vitest';
import { SliceEvent, bodyLength, createEvent } from '../../src/core/event.js';

describe('SliceEvent', () => {
  it('reads like a plain event: body is the slice, headers are created on demand and keep their writes', () => {
    const chunk = Buffer.from('first\nsecond\n');
    const e = new SliceEvent(chunk, 6, 12);
    expect(bodyLength(e)).toBe(6);
    expect(e.body.toString()).toBe('second');
    expect(e.headers).toEqual({});
    e.headers.host = 'h1';
    expect(e.headers).toEqual({ host: 'h1' });
    e.headers = { a: 'b' };
    expect(Object.keys(e.headers)).toEqual(['a']);
    expect(e.sourceBuffer()).toBe(chunk);
    e.body = Buffer.from('replaced');
    // writers that copy straight from the received buffer must not once the body was replaced
    expect(e.sourceBuffer()).toBeUndefined();
    expect(e.body.toString()).toBe('replaced');
    expect(bodyLength(e)).toBe(8);
    expect(bodyLength(createEvent('xyz'))).toBe(3);
  });
});
