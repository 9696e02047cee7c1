import { createHash } from 'node:crypto';
import type { HeraldDatabase } from './database';
import type { IdempotencyKeysTable } from './schema';

const HOUR = 60 * 60 * 1000;
/** Courier's retention for an `Idempotency-Key`: 24 h by default, extendable to a year, never shorter than 24 h. */
export const DEFAULT_RETENTION_MS = 24 * HOUR;
export const MAX_RETENTION_MS = 365 * 24 * HOUR;
/** How long a claim may stay in flight before another request with the same key may take it over. */
export const DEFAULT_LEASE_MS = 2 * 60 * 1000;

/** sha256 of (API key, Idempotency-Key), unambiguous whatever characters either holds. */
export function idempotencyKeyHash(apiKey: string, idempotencyKey: string): string {
  return createHash('sha256')
    .update(JSON.stringify([apiKey, idempotencyKey]))
    .digest('hex');
}

/** sha256 of (method, path, raw body): what "the same request" means. */
export function requestFingerprint(method: string, path: string, rawBody: Buffer | string | undefined): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${path}\n`)
    .update(rawBody ?? '')
    .digest('hex');
}

/** The right to run the request for a key; pass it back to `complete` or `release`. */
export interface IdempotencyClaim {
  keyHash: string;
  /** Epoch ms of the first request under this key (kept when an abandoned claim is taken over). */
  created: number;
  expires: number;
  /** Identifies this holder: only the current holder's `complete`/`release` take effect. */
  lockedUntil: number;
}

export type ClaimOutcome =
  | { kind: 'claimed'; claim: IdempotencyClaim }
  /** The first request's answer, to replay. */
  | { kind: 'done'; status: number; body: string }
  /** A request with this key is running now: retry shortly. */
  | { kind: 'in_flight' }
  /** The key was used with a different method, path or body. */
  | { kind: 'mismatch' };

export interface ClaimRequest {
  keyHash: string;
  fingerprint: string;
  /** How long the answer is kept, already bounded (see `retentionFor`). */
  retentionMs: number;
}

/** `x-idempotency-expiration` (epoch ms, or ISO-8601) as a retention from `now`, bounded to [24 h, 1 year]. */
export function retentionFor(expiration: number | undefined, now: number): number {
  if (expiration === undefined) return DEFAULT_RETENTION_MS;
  return Math.min(MAX_RETENTION_MS, Math.max(DEFAULT_RETENTION_MS, expiration - now));
}

/**
 * Parses `x-idempotency-expiration`: epoch milliseconds (a number that small it can only be seconds is read as
 * seconds), or an ISO-8601 date. Undefined when absent; `null` when present but unreadable.
 */
export function parseExpirationHeader(value: string | undefined): number | undefined | null {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    return n < 1e11 ? n * 1000 : n;
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * `Idempotency-Key` storage. The key's row is the lock: a request claims the key with an INSERT that does nothing
 * on conflict, so of concurrent requests exactly one inserts. The others read the row: an answer to replay, a
 * claim still running (retry later), or a different request under the same key. An expired row is replaced, and a
 * claim whose holder vanished (crash) is taken over after its lease, keeping `created` so the message id derived
 * from it does not change. Every write is a single conditional statement, so this is the same on SQLite and
 * PostgreSQL.
 */
export function createIdempotencyStore(
  database: HeraldDatabase,
  options: { now?: () => number; leaseMs?: number } = {},
) {
  const { db } = database;
  const now = options.now ?? Date.now;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;

  return {
    async claim(request: ClaimRequest): Promise<ClaimOutcome> {
      for (let attempt = 0; attempt < 3; attempt++) {
        const at = now();
        const fresh: IdempotencyKeysTable = {
          key_hash: request.keyHash,
          fingerprint: request.fingerprint,
          status: 'in_flight',
          response_status: null,
          response_body: null,
          created: at,
          expires: at + request.retentionMs,
          locked_until: at + leaseMs,
        };
        const inserted = await db
          .insertInto('idempotency_keys')
          .values(fresh)
          .onConflict((oc) => oc.column('key_hash').doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { kind: 'claimed', claim: claimOf(fresh) };

        const row = await db
          .selectFrom('idempotency_keys')
          .selectAll()
          .where('key_hash', '=', request.keyHash)
          .executeTakeFirst();
        if (!row) continue; // deleted in between (released): try the insert again
        const expires = Number(row.expires);
        if (expires <= at) {
          // Lapsed: the key is new again. Conditional on the row still being the lapsed one, so one replacer wins.
          const replaced = await db
            .updateTable('idempotency_keys')
            .set(fresh)
            .where('key_hash', '=', request.keyHash)
            .where('expires', '=', expires)
            .executeTakeFirst();
          if (Number(replaced.numUpdatedRows) === 1) return { kind: 'claimed', claim: claimOf(fresh) };
          continue;
        }
        if (row.fingerprint !== request.fingerprint) return { kind: 'mismatch' };
        if (row.status === 'done') {
          return { kind: 'done', status: Number(row.response_status), body: row.response_body ?? '' };
        }
        const lockedUntil = Number(row.locked_until);
        if (lockedUntil > at) return { kind: 'in_flight' };
        // The holder's lease ran out (it crashed, or lost the database): take the claim over, same `created`.
        const takenOver = await db
          .updateTable('idempotency_keys')
          .set({ locked_until: at + leaseMs })
          .where('key_hash', '=', request.keyHash)
          .where('status', '=', 'in_flight')
          .where('locked_until', '=', lockedUntil)
          .executeTakeFirst();
        if (Number(takenOver.numUpdatedRows) === 1) {
          return {
            kind: 'claimed',
            claim: { keyHash: request.keyHash, created: Number(row.created), expires, lockedUntil: at + leaseMs },
          };
        }
      }
      // Lost three races in a row: someone else is working on this key.
      return { kind: 'in_flight' };
    },

    /** Stores the answer for replay. False when the claim was no longer ours (taken over after its lease). */
    async complete(claim: IdempotencyClaim, response: { status: number; body: string }): Promise<boolean> {
      const result = await db
        .updateTable('idempotency_keys')
        .set({ status: 'done', response_status: response.status, response_body: response.body, locked_until: null })
        .where('key_hash', '=', claim.keyHash)
        .where('status', '=', 'in_flight')
        .where('locked_until', '=', claim.lockedUntil)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Gives the key up without an answer (nothing to replay): the next request with it runs afresh. */
    async release(claim: IdempotencyClaim): Promise<void> {
      await db
        .deleteFrom('idempotency_keys')
        .where('key_hash', '=', claim.keyHash)
        .where('status', '=', 'in_flight')
        .where('locked_until', '=', claim.lockedUntil)
        .execute();
    },

    /** Deletes lapsed keys (claims are replaced on reuse anyway; this only keeps the table small). */
    async purgeExpired(): Promise<number> {
      const result = await db.deleteFrom('idempotency_keys').where('expires', '<=', now()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function claimOf(row: IdempotencyKeysTable): IdempotencyClaim {
  return { keyHash: row.key_hash, created: row.created, expires: row.expires, lockedUntil: row.locked_until! };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
