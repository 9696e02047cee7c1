import type { RawQuery } from '../messages/message-query';
import { BadRequest } from '../errors/api-error';

/**
 * Cursors of the lists and tenants APIs: the key of the last item of a page (a list, user or tenant id), base64url
 * encoded with a marker so a stray string is refused rather than read as a position. base64url has no `+`, `/` or
 * `=`, so the cursor survives every SDK's query encoding.
 */
const MARKER = 'k:';

export function encodeCursor(lastKey: string): string {
  return Buffer.from(MARKER + lastKey, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  // No `%` in base64url: one left means the classic v5 client encoded the value once more.
  const text = cursor.includes('%') ? safeDecode(cursor) : cursor;
  if (/^[A-Za-z0-9_-]+$/.test(text)) {
    const decoded = Buffer.from(text, 'base64url').toString('utf8');
    if (decoded.startsWith(MARKER) && decoded.length > MARKER.length) return decoded.slice(MARKER.length);
  }
  throw new BadRequest('cursor is not a cursor this API returned');
}

/**
 * A single-valued query parameter: the first value if repeated, absent when empty or the literal `undefined` the
 * classic v5 client sends for unset parameters (api-contract §1.6).
 */
export function queryParam(query: RawQuery, name: string): string | undefined {
  const raw = query[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value === undefined || value === '' || value === 'undefined' ? undefined : value;
}

/** The `cursor` query parameter as a page position. */
export function afterFrom(query: RawQuery): string | undefined {
  const cursor = queryParam(query, 'cursor');
  return cursor === undefined ? undefined : decodeCursor(cursor);
}

/** Courier's `paging` object: `cursor` only when there is a next page (api-contract §17.8). */
export function pagingView<T>(page: { items: T[]; more: boolean }, keyOf: (item: T) => string) {
  const last = page.items[page.items.length - 1];
  return page.more && last !== undefined ? { cursor: encodeCursor(keyOf(last)), more: true } : { more: false };
}

export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
