import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprintBuffer, fingerprintFile } from './fingerprint.js';

const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('fingerprints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cardwatch-fp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the sha256 of the bytes', () => {
    expect(fingerprintBuffer(new TextEncoder().encode('abc'))).toBe(ABC);
    expect(fingerprintBuffer(new Uint8Array(0))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('streams a file to the same digest, reporting bytes read', async () => {
    const path = join(dir, 'abc.txt');
    writeFileSync(path, 'abc');
    const seen: number[] = [];
    expect(await fingerprintFile(path, (done) => seen.push(done))).toBe(ABC);
    expect(seen.at(-1)).toBe(3);
    const big = new Uint8Array(3_000_000).map((_, i) => i % 251);
    writeFileSync(join(dir, 'big.bin'), big);
    expect(await fingerprintFile(join(dir, 'big.bin'))).toBe(fingerprintBuffer(big));
  });

  it('refuses a missing file', async () => {
    await expect(fingerprintFile(join(dir, 'missing'))).rejects.toMatchObject({ code: 'DATA_NOT_FOUND' });
  });
});
