/**
 * Reusable Float32Array rows for single-row scoring. One array per request would be garbage at 15,000
 * requests/s; one shared array would be wrong, because ONNX Runtime reads its input on a later tick
 * (`session.run` defers to `setImmediate`) while other requests are already filling theirs. So each request
 * takes an array from the pool and gives it back once its score is in.
 */
export class RowPool {
  private readonly free: Float32Array[] = [];

  /**
   * @param width values per row
   * @param keep most idle arrays kept; beyond it returned arrays are left to the GC (a burst must not pin
   *   memory for ever)
   */
  constructor(
    readonly width: number,
    private readonly keep = 256,
  ) {}

  /** An array of `width` values; its contents are whatever the last user left (callers overwrite every slot). */
  take(): Float32Array {
    return this.free.pop() ?? new Float32Array(this.width);
  }

  give(row: Float32Array): void {
    if (row.length === this.width && this.free.length < this.keep) this.free.push(row);
  }

  /** Idle arrays held (for tests). */
  get idle(): number {
    return this.free.length;
  }
}
