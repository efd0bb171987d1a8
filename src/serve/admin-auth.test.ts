import { describe, expect, it } from 'vitest';
import { isCardwatchError } from '../util/errors.js';
import { adminKeyChecker, presentedKey } from './admin-auth.js';

describe('presentedKey', () => {
  it.each([
    [{ authorization: 'Bearer abc' }, 'abc'],
    [{ authorization: 'bearer   abc  ' }, 'abc'],
    [{ authorization: 'Basic abc' }, null],
    [{ authorization: 'Bearer a b' }, null],
    [{ 'x-api-key': 'k' }, 'k'],
    [{ 'x-api-key': '' }, null],
    [{}, null],
  ])('%j → %j', (headers, key) => {
    expect(presentedKey(headers)).toBe(key);
  });
});

describe('adminKeyChecker', () => {
  const check = adminKeyChecker('the-right-key');

  it('passes the right key, by either header', () => {
    expect(() => check({ authorization: 'Bearer the-right-key' })).not.toThrow();
    expect(() => check({ 'x-api-key': 'the-right-key' })).not.toThrow();
  });

  it.each([{ 'x-api-key': 'the-right-ke' }, { 'x-api-key': 'the-right-keyy' }, { 'x-api-key': 'x' }, {}])(
    'refuses %j with UNAUTHORIZED and a challenge header',
    (headers) => {
      let thrown: unknown = null;
      try {
        check(headers);
      } catch (error) {
        thrown = error;
      }
      expect(isCardwatchError(thrown) && thrown.statusCode).toBe(401);
      expect(isCardwatchError(thrown) && thrown.details).toEqual({
        headers: { 'www-authenticate': 'Bearer realm="cardwatch admin"' },
      });
    },
  );

  it('refuses to be built with an empty key', () => {
    expect(() => adminKeyChecker('')).toThrow(RangeError);
  });
});
