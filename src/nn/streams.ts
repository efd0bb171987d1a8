/**
 * Seeds for the trainer's random streams. Each epoch's shuffle and each (epoch, step, worker)'s dropout
 * masks get their own PRNG derived from the run seed, so a result depends only on those coordinates and
 * never on timing or on how many batches ran before in the same process.
 */
import { Prng } from '../util/prng.js';

const SHUFFLE_STREAM = 0x5e1f;
const DROPOUT_STREAM = 0xd80b;

/** murmur3's 32-bit finaliser: a cheap, well-mixing bijection. */
function mix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A 32-bit seed derived from the run seed and any number of integer coordinates. */
export function deriveSeed(seed: number, ...coordinates: number[]): number {
  let h = mix32(seed ^ 0x6a09e667);
  for (const c of coordinates) h = mix32(h ^ mix32((c >>> 0) + 0x9e3779b9));
  return h;
}

/** The PRNG that shuffles the rows of epoch `epoch`. */
export function shufflePrng(seed: number, epoch: number): Prng {
  return new Prng(deriveSeed(seed, epoch), SHUFFLE_STREAM);
}

/** The PRNG of the dropout masks of one worker's slice at (epoch, step). */
export function dropoutPrng(seed: number, epoch: number, step: number, worker: number): Prng {
  return new Prng(deriveSeed(seed, epoch, step, worker), DROPOUT_STREAM);
}
