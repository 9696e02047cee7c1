import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import {
  listIdProblem,
  listPatternProblem,
  literalPrefix,
  matchesListPattern,
  parseListPattern,
  type ListPattern,
} from '../domain/list-pattern';
import type { HeraldDatabase } from './database';
import { findForbiddenKey } from './profiles';
import type { Database, ListsTable } from './schema';

/** Courier's RecipientPreferences (`{notifications?, categories?}`), stored as given. */
export type RecipientPreferences = Record<string, unknown>;

/** A live list, timestamps in epoch ms. */
export interface ListRecord {
  id: string;
  name: string;
  preferences?: RecipientPreferences;
  created: number;
  updated: number;
}

/** One subscriber of a list. */
export interface ListSubscription {
  userId: string;
  preferences?: RecipientPreferences;
  /** Epoch ms of the subscription. */
  created: number;
}

/** One list a user is subscribed to, with the preferences of that subscription. */
export interface UserListSubscription {
  list: ListRecord;
  preferences?: RecipientPreferences;
}

/** A subscriber to write: `preferences` replaces the subscription's preferences (absent or null clears them). */
export interface SubscriberInput {
  userId: string;
  preferences?: RecipientPreferences | null;
}

/** Keyset paging: items strictly after `after` (a list id or user id, by the listing's order), at most `limit`. */
export interface PageRequest {
  after?: string;
  limit: number;
}

export interface Page<T> {
  items: T[];
  /** More items follow the last one of this page. */
  more: boolean;
}

/** Who a fan-out sends to (api-contract §3.3); the same shape as the `Audience` the fan-out workflow carries. */
export type RecipientTarget = { list_id: string } | { list_pattern: string } | { tenant_id: string };

/** Thrown for a list id or pattern Herald does not accept, or preferences it will not store; nothing was written. */
export class InvalidListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidListError';
  }
}

export interface HeraldListStore {
  /** A live list; undefined when there is none or it is deleted. */
  get(listId: string): Promise<ListRecord | undefined>;
  /** Live lists by id, optionally only those a pattern (or exact id) matches; throws `InvalidListError` on a bad pattern. */
  list(query: PageRequest & { pattern?: string }): Promise<Page<ListRecord>>;
  /**
   * Courier's PUT: creates the list or replaces its name and preferences, keeping its subscribers. A deleted list is
   * created afresh: its old subscribers are dropped.
   */
  put(listId: string, list: { name: string; preferences?: RecipientPreferences | null }): Promise<void>;
  /** Soft delete: the list and its subscribers stay stored until restored or replaced. True when a live list was deleted. */
  delete(listId: string): Promise<boolean>;
  /** Undoes a soft delete, subscribers included. False when there is no such list at all. */
  restore(listId: string): Promise<boolean>;

  /** The list's subscribers by user id; undefined when the list does not exist or is deleted. */
  subscriptions(listId: string, page: PageRequest): Promise<Page<ListSubscription> | undefined>;
  /** The subscribers become exactly `subscribers` (those kept keep their subscription date); creates the list if needed. */
  replaceSubscribers(listId: string, subscribers: SubscriberInput[]): Promise<void>;
  /** Subscribes each of `subscribers` (updating their preferences), leaving the others; creates the list if needed. */
  addSubscribers(listId: string, subscribers: SubscriberInput[]): Promise<void>;
  /** Subscribes one user; creates the list if needed. */
  subscribe(listId: string, userId: string, preferences?: RecipientPreferences | null): Promise<void>;
  /** True when the user was subscribed. */
  unsubscribe(listId: string, userId: string): Promise<boolean>;

  /** The live lists a user is subscribed to, by list id. */
  userLists(userId: string, page: PageRequest): Promise<Page<UserListSubscription>>;
  /** Subscribes the user to each list, creating missing lists; all or nothing. */
  subscribeUser(
    userId: string,
    lists: Array<{ listId: string; preferences?: RecipientPreferences | null }>,
  ): Promise<void>;
  /** Removes every subscription of the user; returns how many there were. */
  unsubscribeUserFromAll(userId: string): Promise<number>;

  /**
   * One page of a fan-out's recipients: distinct user ids strictly greater than `after`, ascending in the database's
   * order (bytewise on SQLite and on PostgreSQL with the C collation), at most `limit`. A pattern's lists are merged
   * without duplicates; deleted lists count as empty. Throws `InvalidListError` on a bad pattern.
   */
  recipientsPage(target: RecipientTarget, after: string | undefined, limit: number): Promise<string[]>;
}

/**
 * Every list write takes this one key: writes that span lists (a user subscribing to several) and writes to one list
 * must exclude each other, and `writeTransaction` holds a single key. On SQLite writes are serial anyway.
 */
const LISTS_WRITE_KEY = 'lists';
/** How many lists one round trip reads while filtering `GET /lists?pattern=` in code. */
const PATTERN_SCAN_BATCH = 500;
/** Rows per multi-row insert, well under both databases' bound-parameter limits. */
const INSERT_CHUNK = 500;

type Db = Kysely<Database>;

export function createListStore(database: HeraldDatabase): HeraldListStore {
  const { db } = database;

  /** `column` is one of `values`, as a single bound parameter whatever the number of values. */
  const inSet = (column: string, values: string[]): Expression<SqlBool> =>
    database.dialect === 'postgres'
      ? sql<SqlBool>`${sql.ref(column)} = any(${values}::text[])`
      : sql<SqlBool>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(values)}))`;

  const liveList = (executor: Db, listId: string) =>
    executor.selectFrom('lists').selectAll().where('id', '=', listId).where('deleted', 'is', null).executeTakeFirst();

  /** Creates the list (named after its id) unless it is live; a deleted one starts over without its old subscribers. */
  const ensureLive = async (trx: Db, listId: string, now: number): Promise<void> => {
    const row = await trx.selectFrom('lists').select('deleted').where('id', '=', listId).executeTakeFirst();
    if (row && row.deleted === null) return;
    if (row) await recreate(trx, listId, { name: listId, preferences: null }, now);
    else await insertList(trx, listId, { name: listId, preferences: null }, now);
  };

  const upsertSubscribers = async (trx: Db, listId: string, subscribers: SubscriberInput[], now: number) => {
    // One row per user: PostgreSQL refuses an upsert that touches the same row twice, and the last mention wins.
    const byUser = new Map(subscribers.map((s) => [s.userId, preferencesText(s.preferences)]));
    const rows = [...byUser].map(([user_id, preferences]) => ({ list_id: listId, user_id, preferences, created: now }));
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await trx
        .insertInto('list_subscriptions')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .onConflict((oc) =>
          oc.columns(['list_id', 'user_id']).doUpdateSet((eb) => ({ preferences: eb.ref('excluded.preferences') })),
        )
        .execute();
    }
  };

  const write = <T>(work: (trx: Db, now: number) => Promise<T>): Promise<T> =>
    database.writeTransaction(LISTS_WRITE_KEY, (trx) => work(trx, Date.now()));

  /** Ids of the live lists a pattern matches: narrowed in SQL by its literal prefix, then matched exactly here. */
  const matchingListIds = async (pattern: ListPattern): Promise<string[]> => {
    let query = db.selectFrom('lists').select('id').where('deleted', 'is', null);
    const prefix = literalPrefix(pattern);
    if (prefix !== undefined) query = query.where(startsWithParts('id', prefix));
    const rows = await query.execute();
    return rows.map((row) => row.id).filter((id) => matchesListPattern(pattern, id));
  };

  return {
    get: async (listId) => {
      const row = await liveList(db, listId);
      return row ? listFromRow(row) : undefined;
    },

    list: async ({ pattern, after, limit }) => {
      const parsed = pattern === undefined ? undefined : parsePattern(pattern);
      const prefix = parsed && literalPrefix(parsed);
      const batch = parsed ? Math.max(limit + 1, PATTERN_SCAN_BATCH) : limit + 1;
      const found: ListRecord[] = [];
      let position = after;
      // Filtering in code after SQL's order keeps the keyset position valid: read on until the page is full.
      for (;;) {
        let query = db.selectFrom('lists').selectAll().where('deleted', 'is', null);
        if (prefix !== undefined) query = query.where(startsWithParts('id', prefix));
        if (position !== undefined) query = query.where('id', '>', position);
        const rows = await query.orderBy('id').limit(batch).execute();
        for (const row of rows) {
          if (!parsed || matchesListPattern(parsed, row.id)) found.push(listFromRow(row));
        }
        if (found.length > limit || rows.length < batch) break;
        position = rows[rows.length - 1].id;
      }
      return { items: found.slice(0, limit), more: found.length > limit };
    },

    put: async (listId, list) => {
      checkListId(listId);
      const preferences = preferencesText(list.preferences);
      return write(async (trx, now) => {
        const row = await trx.selectFrom('lists').select('deleted').where('id', '=', listId).executeTakeFirst();
        if (!row) await insertList(trx, listId, { name: list.name, preferences }, now);
        else if (row.deleted !== null) await recreate(trx, listId, { name: list.name, preferences }, now);
        else {
          await trx
            .updateTable('lists')
            .set({ name: list.name, preferences, updated: now })
            .where('id', '=', listId)
            .execute();
        }
      });
    },

    delete: (listId) =>
      write(async (trx, now) => {
        const result = await trx
          .updateTable('lists')
          .set({ deleted: now, updated: now })
          .where('id', '=', listId)
          .where('deleted', 'is', null)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) > 0;
      }),

    restore: (listId) =>
      write(async (trx, now) => {
        const row = await trx.selectFrom('lists').select('deleted').where('id', '=', listId).executeTakeFirst();
        if (!row) return false;
        if (row.deleted !== null) {
          await trx.updateTable('lists').set({ deleted: null, updated: now }).where('id', '=', listId).execute();
        }
        return true;
      }),

    subscriptions: async (listId, { after, limit }) => {
      if (!(await liveList(db, listId))) return undefined;
      let query = db.selectFrom('list_subscriptions').selectAll().where('list_id', '=', listId);
      if (after !== undefined) query = query.where('user_id', '>', after);
      const rows = await query
        .orderBy('user_id')
        .limit(limit + 1)
        .execute();
      return {
        items: rows.slice(0, limit).map((row) => ({
          userId: row.user_id,
          ...optionalPreferences(row.preferences),
          created: row.created,
        })),
        more: rows.length > limit,
      };
    },

    replaceSubscribers: async (listId, subscribers) => {
      checkListId(listId);
      subscribers.forEach((s) => preferencesText(s.preferences));
      return write(async (trx, now) => {
        await ensureLive(trx, listId, now);
        const keep = subscribers.map((s) => s.userId);
        let removal = trx.deleteFrom('list_subscriptions').where('list_id', '=', listId);
        if (keep.length > 0) removal = removal.where((eb) => eb.not(inSet('user_id', keep)));
        await removal.execute();
        await upsertSubscribers(trx, listId, subscribers, now);
      });
    },

    addSubscribers: async (listId, subscribers) => {
      checkListId(listId);
      subscribers.forEach((s) => preferencesText(s.preferences));
      return write(async (trx, now) => {
        await ensureLive(trx, listId, now);
        await upsertSubscribers(trx, listId, subscribers, now);
      });
    },

    subscribe: async (listId, userId, preferences) => {
      checkListId(listId);
      preferencesText(preferences);
      return write(async (trx, now) => {
        await ensureLive(trx, listId, now);
        await upsertSubscribers(trx, listId, [{ userId, preferences }], now);
      });
    },

    unsubscribe: (listId, userId) =>
      write(async (trx) => {
        const result = await trx
          .deleteFrom('list_subscriptions')
          .where('list_id', '=', listId)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      }),

    userLists: async (userId, { after, limit }) => {
      let query = db
        .selectFrom('list_subscriptions as s')
        .innerJoin('lists as l', 'l.id', 's.list_id')
        .select([
          'l.id',
          'l.name',
          'l.preferences as list_preferences',
          'l.created',
          'l.updated',
          's.preferences as subscription_preferences',
        ])
        .where('s.user_id', '=', userId)
        .where('l.deleted', 'is', null);
      if (after !== undefined) query = query.where('s.list_id', '>', after);
      const rows = await query
        .orderBy('s.list_id')
        .limit(limit + 1)
        .execute();
      return {
        items: rows.slice(0, limit).map((row) => ({
          list: listFromRow({ ...row, preferences: row.list_preferences }),
          ...optionalPreferences(row.subscription_preferences),
        })),
        more: rows.length > limit,
      };
    },

    subscribeUser: async (userId, lists) => {
      lists.forEach((list) => {
        checkListId(list.listId);
        preferencesText(list.preferences);
      });
      return write(async (trx, now) => {
        for (const list of lists) {
          await ensureLive(trx, list.listId, now);
          await upsertSubscribers(trx, list.listId, [{ userId, preferences: list.preferences }], now);
        }
      });
    },

    unsubscribeUserFromAll: (userId) =>
      write(async (trx) => {
        const result = await trx.deleteFrom('list_subscriptions').where('user_id', '=', userId).executeTakeFirst();
        return Number(result.numDeletedRows);
      }),

    recipientsPage: async (target, after, limit) => {
      if (limit <= 0) return [];
      if ('tenant_id' in target) {
        let query = db.selectFrom('tenant_members').select('user_id').where('tenant_id', '=', target.tenant_id);
        if (after !== undefined) query = query.where('user_id', '>', after);
        const rows = await query.orderBy('user_id').limit(limit).execute();
        return rows.map((row) => row.user_id);
      }
      let listIds: string[];
      if ('list_id' in target) {
        listIds = (await liveList(db, target.list_id)) ? [target.list_id] : [];
      } else {
        listIds = await matchingListIds(parsePattern(target.list_pattern));
      }
      if (listIds.length === 0) return [];
      let query = db
        .selectFrom('list_subscriptions')
        .select('user_id')
        .distinct()
        .where((eb) => (listIds.length === 1 ? eb('list_id', '=', listIds[0]) : inSet('list_id', listIds)));
      if (after !== undefined) query = query.where('user_id', '>', after);
      const rows = await query.orderBy('user_id').limit(limit).execute();
      return rows.map((row) => row.user_id);
    },
  };
}

async function insertList(
  trx: Db,
  listId: string,
  list: { name: string; preferences: string | null },
  now: number,
): Promise<void> {
  await trx
    .insertInto('lists')
    .values({ id: listId, name: list.name, preferences: list.preferences, created: now, updated: now, deleted: null })
    .execute();
}

/** A deleted list comes back as a new one: its old subscribers belonged to the list that was deleted. */
async function recreate(
  trx: Db,
  listId: string,
  list: { name: string; preferences: string | null },
  now: number,
): Promise<void> {
  await trx.deleteFrom('list_subscriptions').where('list_id', '=', listId).execute();
  await trx
    .updateTable('lists')
    .set({ name: list.name, preferences: list.preferences, created: now, updated: now, deleted: null })
    .where('id', '=', listId)
    .execute();
}

/**
 * `column` is `prefix` or starts with `prefix.`. LIKE rather than a range, so the narrowing does not depend on the
 * collation; SQLite's LIKE ignores ASCII case, which only lets more rows through to the exact match in code.
 */
function startsWithParts(column: string, prefix: string): Expression<SqlBool> {
  const escaped = prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql<SqlBool>`(${sql.ref(column)} = ${prefix} or ${sql.ref(column)} like ${`${escaped}.%`} escape '\\')`;
}

function checkListId(listId: string): void {
  const problem = listIdProblem(listId);
  if (problem) throw new InvalidListError(problem);
}

function parsePattern(pattern: string): ListPattern {
  const problem = listPatternProblem(pattern);
  if (problem) throw new InvalidListError(problem);
  return parseListPattern(pattern);
}

/** Preferences as stored: JSON text, or null when absent. Refuses keys that could reach a prototype once read back. */
function preferencesText(preferences: RecipientPreferences | null | undefined): string | null {
  if (preferences === undefined || preferences === null) return null;
  const forbidden = findForbiddenKey(preferences);
  if (forbidden !== undefined) throw new InvalidListError(`preferences key ${forbidden} is not allowed`);
  return JSON.stringify(preferences);
}

function optionalPreferences(text: string | null): { preferences?: RecipientPreferences } {
  return text === null ? {} : { preferences: JSON.parse(text) as RecipientPreferences };
}

function listFromRow(row: Pick<ListsTable, 'id' | 'name' | 'preferences' | 'created' | 'updated'>): ListRecord {
  return {
    id: row.id,
    name: row.name,
    ...optionalPreferences(row.preferences),
    created: row.created,
    updated: row.updated,
  };
}
