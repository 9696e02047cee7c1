import { applyPatch, deepClone, JsonPatchError, validate, type Operation } from 'fast-json-patch';
import type { Kysely } from 'kysely';
import type { HeraldDatabase } from './database';
import type { Database } from './schema';

/** A stored profile: any JSON object (Courier's profile keys, §5.3 of the API contract, plus whatever else). */
export type Profile = Record<string, unknown>;

/** One RFC 6902 operation as Courier's `PATCH /profiles/{id}` carries it in `{patch: [...]}`. */
export interface ProfilePatchOperation {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

/** A patch that cannot be applied (bad op, bad path, failing `test`): nothing was changed. */
export class ProfilePatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfilePatchError';
  }
}

/** Keys that could reach an object's prototype once the profile is read back and spread somewhere. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The first forbidden key anywhere in `value` (as a JSON pointer-ish path), or undefined. */
export function findForbiddenKey(value: unknown, path = ''): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findForbiddenKey(value[i], `${path}/${i}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return `${path}/${key}`;
      const found = findForbiddenKey((value as Record<string, unknown>)[key], `${path}/${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Profile {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export interface HeraldProfileStore {
  /** The stored profile, or undefined when there is none. */
  get(userId: string): Promise<Profile | undefined>;
  /** Courier's POST: top-level keys of `profile` overwrite, the others are kept; creates the profile if missing. */
  merge(userId: string, profile: Profile): Promise<void>;
  /** Courier's PUT: the stored profile becomes exactly `profile`; creates it if missing. */
  replace(userId: string, profile: Profile): Promise<void>;
  /**
   * Courier's PATCH: applies the RFC 6902 operations all or nothing. False when there is no such profile; throws
   * `ProfilePatchError` (having changed nothing) when an operation is invalid or a `test` fails.
   */
  patch(userId: string, operations: ProfilePatchOperation[]): Promise<boolean>;
  /** Removes the profile; true when there was one. */
  delete(userId: string): Promise<boolean>;
}

export function createProfileStore(database: HeraldDatabase): HeraldProfileStore {
  const read = async (db: Kysely<Database>, userId: string): Promise<Profile | undefined> => {
    const row = await db.selectFrom('profiles').select('profile').where('user_id', '=', userId).executeTakeFirst();
    return row ? (JSON.parse(row.profile) as Profile) : undefined;
  };

  /** Writes `profile` for `userId`, inserting or updating; runs inside the key's write transaction. */
  const write = async (trx: Kysely<Database>, userId: string, profile: Profile, exists: boolean): Promise<void> => {
    const forbidden = findForbiddenKey(profile);
    if (forbidden !== undefined) throw new ProfilePatchError(`profile key ${forbidden} is not allowed`);
    const now = Date.now();
    const text = JSON.stringify(profile);
    if (exists) {
      await trx.updateTable('profiles').set({ profile: text, updated: now }).where('user_id', '=', userId).execute();
    } else {
      await trx.insertInto('profiles').values({ user_id: userId, profile: text, created: now, updated: now }).execute();
    }
  };

  return {
    get: (userId) => read(database.db, userId),

    merge: (userId, profile) =>
      database.writeTransaction(userId, async (trx) => {
        const current = await read(trx, userId);
        await write(trx, userId, { ...(current ?? {}), ...profile }, current !== undefined);
      }),

    replace: (userId, profile) =>
      database.writeTransaction(userId, async (trx) => {
        const current = await read(trx, userId);
        await write(trx, userId, { ...profile }, current !== undefined);
      }),

    patch: (userId, operations) =>
      database.writeTransaction(userId, async (trx) => {
        const current = await read(trx, userId);
        if (current === undefined) return false;
        await write(trx, userId, applyOperations(current, operations), true);
        return true;
      }),

    delete: (userId) =>
      database.writeTransaction(userId, async (trx) => {
        const result = await trx.deleteFrom('profiles').where('user_id', '=', userId).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      }),
  };
}

/** Applies `operations` to a copy of `profile`; throws `ProfilePatchError` on the first that cannot apply. */
export function applyOperations(profile: Profile, operations: ProfilePatchOperation[]): Profile {
  const ops = operations as Operation[];
  for (const op of operations) {
    for (const pointer of [op.path, op.from]) {
      if (typeof pointer === 'string' && pointer.split('/').some((part) => FORBIDDEN_KEYS.has(part))) {
        throw new ProfilePatchError(`patch path ${pointer} is not allowed`);
      }
    }
    const forbidden = findForbiddenKey(op.value);
    if (forbidden !== undefined) throw new ProfilePatchError(`patch value key ${forbidden} is not allowed`);
  }
  const document = deepClone(profile) as Profile;
  const invalid = validate(ops, document);
  if (invalid) throw new ProfilePatchError(describe(invalid));
  let result: unknown;
  try {
    result = applyPatch(document, ops, true, true, true).newDocument;
  } catch (error) {
    throw new ProfilePatchError(error instanceof JsonPatchError ? describe(error) : String(error));
  }
  if (!isPlainObject(result)) throw new ProfilePatchError('patch must leave the profile an object');
  return result;
}

function describe(error: JsonPatchError): string {
  const first = error.message.split('\n')[0];
  const index = error.index !== undefined ? `patch[${error.index}]` : 'patch';
  return `${index}: ${first}`;
}
