/**
 * The admin API key check. The key comes from the environment (`CARDWATCH_ADMIN_KEY`), never from a config
 * file; clients send it as `Authorization: Bearer <key>` or `x-api-key: <key>`.
 *
 * Both sides are hashed (SHA-256) before a constant-time comparison: `timingSafeEqual` needs equal lengths,
 * and comparing digests means neither the key's length nor its prefix leaks through response timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { CardwatchError } from '../util/errors.js';

/** The environment variable holding the admin key; unset or empty = admin routes off. */
export const ADMIN_KEY_ENV = 'CARDWATCH_ADMIN_KEY';

/** Sent with a 401 so clients know how to authenticate (RFC 9110 §11.6.1). */
const CHALLENGE = 'Bearer realm="cardwatch admin"';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The key a request presents, from `Authorization: Bearer …` or `x-api-key`; null when it presents none. */
export function presentedKey(headers: IncomingHttpHeaders): string | null {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (match !== null) return match[1] as string;
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.length > 0 ? apiKey : null;
}

/**
 * A checker for one key: throws `UNAUTHORIZED` (401, with `WWW-Authenticate`) unless the request presents it.
 * @example
 * const check = adminKeyChecker('s3cret');
 * check({ authorization: 'Bearer s3cret' }); // passes
 * check({ 'x-api-key': 'nope' }); // throws UNAUTHORIZED
 */
export function adminKeyChecker(key: string): (headers: IncomingHttpHeaders) => void {
  if (key.length === 0) throw new RangeError('the admin key must not be empty');
  const expected = digest(key);
  return function checkAdminKey(headers) {
    const presented = presentedKey(headers);
    const details = { headers: { 'www-authenticate': CHALLENGE } };
    if (presented === null) {
      throw new CardwatchError(
        'UNAUTHORIZED',
        `admin routes need the admin key (${ADMIN_KEY_ENV}): send "Authorization: Bearer <key>" or "x-api-key: <key>"`,
        { details },
      );
    }
    if (!timingSafeEqual(digest(presented), expected)) {
      throw new CardwatchError('UNAUTHORIZED', 'the admin key is wrong', { details });
    }
  };
}
