import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { HeraldDatabase } from './database';
import { applyOperations, findForbiddenKey, ProfilePatchError, type ProfilePatchOperation } from './profiles';
import type { Database } from './schema';

export const TOKEN_PROVIDER_KEYS = ['firebase-fcm', 'apn', 'expo', 'onesignal'] as const;
export type TokenProviderKey = (typeof TOKEN_PROVIDER_KEYS)[number];

export const TOKEN_STATUSES = ['active', 'unknown', 'failed', 'revoked'] as const;
export type TokenStatus = (typeof TOKEN_STATUSES)[number];

/** Courier's UserToken as `GET /users/{id}/tokens/{token}` returns it (api-contract §5.4). */
export interface DeviceToken {
  token: string;
  provider_key: TokenProviderKey;
  status: TokenStatus;
  status_reason?: string;
  /** ISO 8601 date after which sends skip the token, or false for never. */
  expiry_date: string | false;
  device?: Record<string, unknown>;
  properties?: unknown;
  tracking?: Record<string, unknown>;
}

/** What a client writes for one token: the UserToken, its `token` optional since the path names it. */
export interface DeviceTokenInput {
  token?: string;
  provider_key: TokenProviderKey;
  /** A date, false for no expiry; absent, null or true mean Courier's default, two months from the write. */
  expiry_date?: string | boolean | null;
  device?: Record<string, unknown> | null;
  properties?: unknown;
  tracking?: Record<string, unknown> | null;
  /** Set by the server as sends succeed or fail; a client may set it too (e.g. `revoked` at logout). */
  status?: TokenStatus;
  status_reason?: string | null;
}

/** Thrown when a token body, or what a patch would make of a token, is not a valid UserToken; nothing was written. */
export class InvalidDeviceTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidDeviceTokenError';
  }
}

const isDate = (value: string) => !Number.isNaN(Date.parse(value));
const jsonObject = z.record(z.string(), z.unknown(), { error: 'must be an object' });

/** Strict at the top level, so that a misspelt key or a patch to a path Courier does not define is refused. */
const deviceTokenSchema = z.strictObject(
  {
    token: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).optional(),
    provider_key: z.enum(TOKEN_PROVIDER_KEYS, { error: `must be one of ${TOKEN_PROVIDER_KEYS.join(', ')}` }),
    expiry_date: z
      .union([z.boolean(), z.string().refine(isDate, { error: 'must be an ISO 8601 date' })], {
        error: 'must be an ISO 8601 date or a boolean',
      })
      .nullable()
      .optional(),
    device: jsonObject.nullable().optional(),
    properties: z.unknown().optional(),
    tracking: jsonObject.nullable().optional(),
    status: z.enum(TOKEN_STATUSES, { error: `must be one of ${TOKEN_STATUSES.join(', ')}` }).optional(),
    status_reason: z.string({ error: 'must be a string' }).nullable().optional(),
  },
  { error: 'must be an object' },
);

/** `value` as a token body, or `InvalidDeviceTokenError` naming the first problem (`provider_key: must be …`). */
export function parseDeviceTokenInput(value: unknown): DeviceTokenInput {
  const forbidden = findForbiddenKey(value);
  if (forbidden !== undefined) throw new InvalidDeviceTokenError(`key ${forbidden} is not allowed`);
  const result = deviceTokenSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.path.join('.');
  throw new InvalidDeviceTokenError(path ? `${path}: ${issue.message}` : `token ${issue.message}`);
}

export interface HeraldDeviceTokenStore {
  /** The user's tokens, oldest first. */
  list(userId: string): Promise<DeviceToken[]>;
  get(userId: string, token: string): Promise<DeviceToken | undefined>;
  /** Creates or replaces one token. Throws `InvalidDeviceTokenError` when the body names a different token. */
  put(userId: string, token: string, input: DeviceTokenInput): Promise<void>;
  /** The user's tokens become exactly `tokens` (a token listed twice: the last wins). */
  putMany(userId: string, tokens: Array<DeviceTokenInput & { token: string }>): Promise<void>;
  /**
   * Applies JSON Patch operations to the token as `get` returns it, all or nothing. False when there is no such
   * token; throws `InvalidDeviceTokenError`, having changed nothing, when an operation cannot apply or the result
   * is not a valid token (another `token`, an unknown provider or key).
   */
  patch(userId: string, token: string, operations: ProfilePatchOperation[]): Promise<boolean>;
  /** True when there was one. */
  delete(userId: string, token: string): Promise<boolean>;
  /** Records what a send learned about a token (`failed` after a provider refused it…). False when unknown. */
  setStatus(userId: string, token: string, status: TokenStatus, reason?: string): Promise<boolean>;
  /** Tokens a send to `providerKey` may use: active or not yet tried, and not expired at `now`. */
  activeTokens(userId: string, providerKey: TokenProviderKey, now?: number): Promise<string[]>;
}

/** The part of a token kept as JSON text in `data`; `token`, `provider_key` and `status` are columns. */
interface TokenData {
  expiry_date: string | false;
  status_reason?: string;
  device?: Record<string, unknown>;
  properties?: unknown;
  tracking?: Record<string, unknown>;
}

interface TokenRow {
  token: string;
  provider_key: string;
  status: string;
  data: string;
}

/** Courier's documented default lifetime of a token registered without `expiry_date`. */
const DEFAULT_LIFETIME_MONTHS = 2;

export function createDeviceTokenStore(database: HeraldDatabase): HeraldDeviceTokenStore {
  const { db } = database;
  const columns = ['token', 'provider_key', 'status', 'data'] as const;
  // One key per user: concurrent writes to one user's tokens queue, other users' do not wait.
  const lockKey = (userId: string) => `device-tokens:${userId}`;

  const read = (executor: Kysely<Database>, userId: string, token: string) =>
    executor
      .selectFrom('device_tokens')
      .select(columns)
      .where('user_id', '=', userId)
      .where('token', '=', token)
      .executeTakeFirst();

  const write = async (
    trx: Kysely<Database>,
    userId: string,
    token: string,
    input: DeviceTokenInput,
    exists: boolean,
  ): Promise<void> => {
    const now = Date.now();
    const row = toRow(input, now);
    if (exists) {
      await trx
        .updateTable('device_tokens')
        .set({ ...row, updated: now })
        .where('user_id', '=', userId)
        .where('token', '=', token)
        .execute();
    } else {
      await trx
        .insertInto('device_tokens')
        .values({ user_id: userId, token, ...row, created: now, updated: now })
        .execute();
    }
  };

  return {
    list: async (userId) => {
      const rows = await db
        .selectFrom('device_tokens')
        .select(columns)
        .where('user_id', '=', userId)
        .orderBy('created')
        .orderBy('token')
        .execute();
      return rows.map(toDeviceToken);
    },

    get: async (userId, token) => {
      const row = await read(db, userId, token);
      return row ? toDeviceToken(row) : undefined;
    },

    put: async (userId, token, given) => {
      const input = parseDeviceTokenInput(given);
      if (input.token !== undefined && input.token !== token) {
        throw new InvalidDeviceTokenError('token in the body must match the token in the path');
      }
      await database.writeTransaction(lockKey(userId), async (trx) => {
        const exists = (await read(trx, userId, token)) !== undefined;
        await write(trx, userId, token, input, exists);
      });
    },

    putMany: async (userId, given) => {
      const tokens = given.map((input, index) => {
        try {
          const parsed = parseDeviceTokenInput(input);
          if (parsed.token === undefined) throw new InvalidDeviceTokenError('token: is required');
          return { ...parsed, token: parsed.token };
        } catch (error) {
          throw error instanceof InvalidDeviceTokenError
            ? new InvalidDeviceTokenError(`tokens[${index}]: ${error.message}`)
            : error;
        }
      });
      await database.writeTransaction(lockKey(userId), async (trx) => {
        const previous = await trx
          .selectFrom('device_tokens')
          .select(['token', 'created'])
          .where('user_id', '=', userId)
          .execute();
        const created = new Map(previous.map((row) => [row.token, row.created]));
        await trx.deleteFrom('device_tokens').where('user_id', '=', userId).execute();
        const now = Date.now();
        const latest = new Map(tokens.map((input) => [input.token, input]));
        if (latest.size === 0) return;
        await trx
          .insertInto('device_tokens')
          .values(
            [...latest.entries()].map(([token, input]) => ({
              user_id: userId,
              token,
              ...toRow(input, now),
              // Re-registering a token keeps its age, so `list` order stays "oldest first".
              created: created.get(token) ?? now,
              updated: now,
            })),
          )
          .execute();
      });
    },

    patch: (userId, token, operations) =>
      database.writeTransaction(lockKey(userId), async (trx) => {
        const row = await read(trx, userId, token);
        if (!row) return false;
        let patched: Record<string, unknown>;
        try {
          patched = applyOperations(toDeviceToken(row) as unknown as Record<string, unknown>, operations);
        } catch (error) {
          if (error instanceof ProfilePatchError) throw new InvalidDeviceTokenError(error.message);
          throw error;
        }
        const input = parseDeviceTokenInput(patched);
        if (input.token !== token) throw new InvalidDeviceTokenError('a patch cannot change the token itself');
        await write(trx, userId, token, input, true);
        return true;
      }),

    delete: async (userId, token) => {
      const result = await db
        .deleteFrom('device_tokens')
        .where('user_id', '=', userId)
        .where('token', '=', token)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    setStatus: (userId, token, status, reason) =>
      database.writeTransaction(lockKey(userId), async (trx) => {
        const row = await read(trx, userId, token);
        if (!row) return false;
        const data = JSON.parse(row.data) as TokenData;
        const { status_reason: _previous, ...rest } = data;
        const next: TokenData = reason === undefined ? rest : { ...rest, status_reason: reason };
        await trx
          .updateTable('device_tokens')
          .set({ status, data: JSON.stringify(next), updated: Date.now() })
          .where('user_id', '=', userId)
          .where('token', '=', token)
          .execute();
        return true;
      }),

    activeTokens: async (userId, providerKey, now = Date.now()) => {
      const rows = await db
        .selectFrom('device_tokens')
        .select(['token', 'data'])
        .where('user_id', '=', userId)
        .where('provider_key', '=', providerKey)
        .where('status', 'in', ['active', 'unknown'])
        .orderBy('created')
        .orderBy('token')
        .execute();
      return rows
        .filter((row) => {
          const expiry = (JSON.parse(row.data) as TokenData).expiry_date;
          return expiry === false || Date.parse(expiry) > now;
        })
        .map((row) => row.token);
    },
  };
}

function toRow(input: DeviceTokenInput, now: number): { provider_key: string; status: string; data: string } {
  const data: TokenData = { expiry_date: expiryDate(input.expiry_date, now) };
  if (input.status_reason) data.status_reason = input.status_reason;
  if (input.device) data.device = input.device;
  if (input.properties !== undefined) data.properties = input.properties;
  if (input.tracking) data.tracking = input.tracking;
  return { provider_key: input.provider_key, status: input.status ?? 'unknown', data: JSON.stringify(data) };
}

/**
 * The expiry to store. Courier documents "defaults to 2 months; false disables expiration", so a token written
 * without one gets a concrete date, which `GET` then shows; `true` is read as "use the default".
 */
function expiryDate(given: DeviceTokenInput['expiry_date'], now: number): string | false {
  if (given === false) return false;
  if (typeof given === 'string') return given;
  const expiry = new Date(now);
  expiry.setUTCMonth(expiry.getUTCMonth() + DEFAULT_LIFETIME_MONTHS);
  return expiry.toISOString();
}

function toDeviceToken(row: TokenRow): DeviceToken {
  const data = JSON.parse(row.data) as TokenData;
  return {
    token: row.token,
    provider_key: row.provider_key as TokenProviderKey,
    status: row.status as TokenStatus,
    ...(data.status_reason !== undefined ? { status_reason: data.status_reason } : {}),
    expiry_date: data.expiry_date,
    ...(data.device !== undefined ? { device: data.device } : {}),
    ...(data.properties !== undefined ? { properties: data.properties } : {}),
    ...(data.tracking !== undefined ? { tracking: data.tracking } : {}),
  };
}
