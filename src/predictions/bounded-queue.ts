/**
 * A fixed-capacity FIFO over a ring buffer: O(1) push, and a batch can be read from the head without being
 * removed, then dropped only once the database has committed it. That two-step take is what keeps records
 * queued (in order) across a failed write. An Array with `shift`/`splice` would be O(n) per batch.
 */
export class BoundedQueue<T> {
  readonly capacity: number;
  private readonly slots: (T | undefined)[];
  private head = 0;
  private size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`queue capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  get length(): number {
    return this.size;
  }

  /** Adds at the tail; false (and nothing added) when full. */
  push(item: T): boolean {
    if (this.size === this.capacity) return false;
    this.slots[(this.head + this.size) % this.capacity] = item;
    this.size += 1;
    return true;
  }

  /** The first `count` items (fewer if the queue is shorter), oldest first, without removing them. */
  peek(count: number): T[] {
    const n = Math.min(count, this.size);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = this.slots[(this.head + i) % this.capacity] as T;
    return out;
  }

  /** Removes the first `count` items (after they were written). */
  drop(count: number): void {
    const n = Math.min(count, this.size);
    for (let i = 0; i < n; i++) this.slots[(this.head + i) % this.capacity] = undefined;
    this.head = (this.head + n) % this.capacity;
    this.size -= n;
  }

  /** True if any queued item satisfies `test` (a linear scan: for rare paths only). */
  some(test: (item: T) => boolean): boolean {
    for (let i = 0; i < this.size; i++) {
      if (test(this.slots[(this.head + i) % this.capacity] as T)) return true;
    }
    return false;
  }
}
