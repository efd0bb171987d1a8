/** Content fingerprints: the sha256 of a file's bytes names its prepared dataset and pins runs to data. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { CardwatchError, describeError } from '../util/errors.js';

/**
 * @example
 * fingerprintBuffer(new TextEncoder().encode('abc'))
 * // → 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 */
export function fingerprintBuffer(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The sha256 (hex) of a file, streamed (constant memory). `onBytes` gets the running byte count.
 * @throws CardwatchError DATA_NOT_FOUND for a missing file.
 */
export async function fingerprintFile(path: string, onBytes?: (bytesDone: number) => void): Promise<string> {
  const hash = createHash('sha256');
  let done = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      done += bytes.length;
      onBytes?.(done);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
      throw new CardwatchError('DATA_NOT_FOUND', `no such file: ${path}`, { cause: error });
    }
    throw new CardwatchError('INVALID_INPUT', `cannot read ${path}: ${describeError(error)}`, {
      cause: error,
    });
  }
  return hash.digest('hex');
}
