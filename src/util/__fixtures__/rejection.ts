/** Test helper shared by the suites that check which CardwatchError an async call fails with. */
import { expect } from 'vitest';
import { CardwatchError } from '../errors.js';

/** The CardwatchError `promise` rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<CardwatchError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CardwatchError) return error;
    throw error;
  }
  return expect.fail('expected a rejection with a CardwatchError');
}
