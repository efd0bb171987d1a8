import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './bounded-queue.js';

describe('BoundedQueue', () => {
  it('keeps FIFO order across wrap-around; peek does not remove, drop does', () => {
    const queue = new BoundedQueue<number>(3);
    expect([queue.push(1), queue.push(2), queue.push(3), queue.push(4)]).toEqual([true, true, true, false]);
    expect(queue.peek(2)).toEqual([1, 2]);
    expect(queue.length).toBe(3);
    queue.drop(2);
    expect(queue.push(5)).toBe(true);
    expect(queue.push(6)).toBe(true);
    expect(queue.peek(10)).toEqual([3, 5, 6]);
    expect(queue.some((x) => x === 5)).toBe(true);
    expect(queue.some((x) => x === 1)).toBe(false);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new BoundedQueue(0)).toThrow('positive integer');
  });
});
