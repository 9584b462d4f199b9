import { describe, expect, it } from 'vitest';
import { Deque } from '../../src/core/deque.js';

describe('Deque', () => {
  it('keeps FIFO order across growth and returns rolled-back items to the head in order', () => {
    const d = new Deque<number>(2);
    for (let i = 0; i < 100; i++) d.push(i);
    const out: number[] = [];
    d.shiftInto(out, 10);
    expect(out).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    d.unshiftAll(out);
    expect(d.length).toBe(100);
    expect([...d].slice(0, 12)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(d.shift()).toBe(0);
  });
});
