import { timingSafeEqual } from 'node:crypto';

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The configured API key an `Authorization: Bearer <key>` header carries, or `undefined`. One comparison for the
 * guard and the idempotency layer, in constant time per key.
 */
export function matchApiKey(authorization: string | undefined, keys: readonly string[]): string | undefined {
  const token = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1].trim();
  if (!token) return undefined;
  return keys.find((key) => safeEqual(key, token));
}
