/**
 * Prediction ids are UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter, then 62
 * random bits. Why v7 rather than v4 or a ULID:
 * - it is still a UUID, so the API contract (`prediction_id` is a UUID) and any downstream UUID validator or
 *   column keep working, which a ULID's base32 text would not;
 * - ids sort by creation time, so the primary-key B-tree of the log only ever grows at its right edge (random
 *   v4 keys touch random pages: more page splits, a bigger file, slower inserts at high rates), and an id
 *   alone tells when a prediction was made.
 * Within one process ids are strictly increasing (RFC 9562 §6.2 method 1: the counter runs within a
 * millisecond, and a clock that steps back is ignored), so two predictions of the same millisecond keep
 * their order.
 */
import { randomFillSync } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const COUNTER_MAX = 0xfff;

/** Random bytes drawn 4 KiB at a time: one syscall per 512 ids instead of one per id. */
const pool = new Uint8Array(4096);
let poolOffset = pool.length;

let lastMs = -1;
let counter = 0;

function randomBytes8(): number {
  if (poolOffset + 8 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const offset = poolOffset;
  poolOffset += 8;
  return offset;
}

/**
 * A new time-sortable prediction id (UUID v7 text, lowercase).
 * @example newPredictionId(Date.UTC(2024, 4, 1)) // '018f3153-5800-7000-8b3c-…' (first 48 bits = the time)
 */
export function newPredictionId(now: number = Date.now()): string {
  let ms = Math.floor(now);
  if (ms <= lastMs) {
    // Same millisecond (or the clock went back): keep the last time and count up; when the 12-bit counter
    // runs out, borrow the next millisecond rather than repeat or reorder ids.
    ms = lastMs;
    counter += 1;
    if (counter > COUNTER_MAX) {
      ms += 1;
      counter = 0;
    }
  } else {
    counter = 0;
  }
  lastMs = ms;
  const r = randomBytes8();
  // 48-bit time as two parts: JS bitwise operators work on 32 bits only.
  const high = Math.floor(ms / 0x1_0000_0000);
  const low = ms >>> 0;
  return (
    HEX[(high >>> 8) & 0xff] +
    HEX[high & 0xff] +
    HEX[(low >>> 24) & 0xff] +
    HEX[(low >>> 16) & 0xff] +
    '-' +
    HEX[(low >>> 8) & 0xff] +
    HEX[low & 0xff] +
    '-' +
    HEX[0x70 | (counter >>> 8)] +
    HEX[counter & 0xff] +
    '-' +
    HEX[0x80 | (pool[r] & 0x3f)] +
    HEX[pool[r + 1]] +
    '-' +
    HEX[pool[r + 2]] +
    HEX[pool[r + 3]] +
    HEX[pool[r + 4]] +
    HEX[pool[r + 5]] +
    HEX[pool[r + 6]] +
    HEX[pool[r + 7]]
  );
}

/**
 * The creation time (ms since the epoch) encoded in a UUID v7, or null for any other string.
 * @example predictionIdTime(newPredictionId(1714521600000)) // 1714521600000 (or a ms later under a burst)
 */
export function predictionIdTime(id: string): number | null {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(id)) return null;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
