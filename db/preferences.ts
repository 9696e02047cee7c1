import type { Kysely } from 'kysely';
import {
  isPreferenceStatus,
  PREFERENCE_CHANNELS,
  preferenceView,
  type PreferenceInputs,
  type PreferenceSetting,
  type PreferenceStatus,
} from '../domain/preferences';
import type { HeraldDatabase } from './database';
import type { Database } from './schema';

/** A subscription topic (Herald's `/topics` admin API). */
export interface Topic {
  id: string;
  name: string;
  default_status: PreferenceStatus;
}

/** Courier's TopicPreference (api-contract §6): the user's view of one topic, defaults folded in. */
export interface TopicPreference {
  topic_id: string;
  topic_name: string;
  status: PreferenceStatus;
  default_status: PreferenceStatus;
  has_custom_routing: boolean;
  custom_routing?: string[];
}

/** What a user writes for a topic (`PUT /users/{id}/preferences/{topic}` `{topic: …}`). */
export interface PreferenceChoice {
  status: PreferenceStatus;
  has_custom_routing?: boolean;
  custom_routing?: string[];
}

/** Thrown when a preference is not one Herald can store (unknown status or channel); nothing was written. */
export class InvalidPreferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPreferenceError';
  }
}

export interface HeraldPreferenceStore {
  /** Creates or replaces a topic; without a name it keeps the one it had, or is named after its id. */
  putTopic(topic: { id: string; name?: string; default_status: PreferenceStatus }): Promise<Topic>;
  getTopic(id: string): Promise<Topic | undefined>;
  /** Every topic, by id. */
  listTopics(): Promise<Topic[]>;
  /** True when there was one. Users' choices for it are kept, and apply again if the topic comes back. */
  deleteTopic(id: string): Promise<boolean>;
  /**
   * The user's view of every topic and of any topic they have a choice for, by topic id; with `tenantId`, that
   * tenant's defaults apply.
   */
  list(userId: string, tenantId?: string): Promise<TopicPreference[]>;
  /** The user's view of one topic; undefined when the topic is neither configured nor chosen by the user. */
  get(userId: string, topicId: string, tenantId?: string): Promise<TopicPreference | undefined>;
  /**
   * Records the user's choice (update or create). False, writing nothing, when the topic is neither configured
   * nor already chosen by the user; throws `InvalidPreferenceError` for an unknown status or channel.
   */
  put(userId: string, topicId: string, choice: PreferenceChoice): Promise<boolean>;
  /** What `decidePreference` needs for a send to `userId` (none for a send without a user) on `topicId`. */
  inputsForSend(userId: string | undefined, topicId: string, tenantId?: string): Promise<PreferenceInputs>;
}

interface PreferenceRow {
  topic_id: string;
  status: string;
  custom_routing: string | null;
}

export function createPreferenceStore(database: HeraldDatabase): HeraldPreferenceStore {
  const { db } = database;

  const readTopic = async (executor: Kysely<Database>, id: string): Promise<Topic | undefined> => {
    const row = await executor
      .selectFrom('topics')
      .select(['id', 'name', 'default_status'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toTopic(row) : undefined;
  };

  const readChoice = (executor: Kysely<Database>, userId: string, topicId: string) =>
    executor
      .selectFrom('preferences')
      .select(['topic_id', 'status', 'custom_routing'])
      .where('user_id', '=', userId)
      .where('topic_id', '=', topicId)
      .executeTakeFirst();

  const tenantDefaults = async (tenantId: string | undefined): Promise<Map<string, PreferenceSetting>> => {
    if (tenantId === undefined) return new Map();
    const row = await db.selectFrom('tenants').select('data').where('id', '=', tenantId).executeTakeFirst();
    return row ? parseTenantDefaults(row.data) : new Map();
  };

  const view = (topicId: string, topic: Topic | undefined, inputs: PreferenceInputs): TopicPreference => {
    const { status, default_status, custom_routing } = preferenceView(inputs);
    return {
      topic_id: topicId,
      topic_name: topic?.name ?? topicId,
      status,
      default_status,
      has_custom_routing: custom_routing !== undefined,
      ...(custom_routing ? { custom_routing } : {}),
    };
  };

  return {
    putTopic: ({ id, name, default_status }) => {
      if (!isPreferenceStatus(default_status)) {
        return Promise.reject(new InvalidPreferenceError(`default_status ${String(default_status)} is not known`));
      }
      return database.writeTransaction(`topic:${id}`, async (trx) => {
        const current = await readTopic(trx, id);
        const topic: Topic = { id, name: name ?? current?.name ?? id, default_status };
        const now = Date.now();
        if (current) {
          await trx
            .updateTable('topics')
            .set({ name: topic.name, default_status, updated: now })
            .where('id', '=', id)
            .execute();
        } else {
          await trx
            .insertInto('topics')
            .values({ id, name: topic.name, default_status, created: now, updated: now })
            .execute();
        }
        return topic;
      });
    },

    getTopic: (id) => readTopic(db, id),

    listTopics: async () => {
      const rows = await db.selectFrom('topics').select(['id', 'name', 'default_status']).execute();
      return rows.map(toTopic).sort((a, b) => byCodeUnit(a.id, b.id));
    },

    deleteTopic: async (id) => {
      const result = await db.deleteFrom('topics').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    list: async (userId, tenantId) => {
      const [topics, choices, defaults] = await Promise.all([
        db.selectFrom('topics').select(['id', 'name', 'default_status']).execute(),
        db
          .selectFrom('preferences')
          .select(['topic_id', 'status', 'custom_routing'])
          .where('user_id', '=', userId)
          .execute(),
        tenantDefaults(tenantId),
      ]);
      const topicsById = new Map(topics.map((row) => [row.id, toTopic(row)]));
      const choicesById = new Map(choices.map((row) => [row.topic_id, row]));
      const ids = [...new Set([...topicsById.keys(), ...choicesById.keys()])].sort(byCodeUnit);
      return ids.map((id) => {
        const topic = topicsById.get(id);
        return view(id, topic, inputsFrom(topic, choicesById.get(id), defaults.get(id)));
      });
    },

    get: async (userId, topicId, tenantId) => {
      const [topic, choice, defaults] = await Promise.all([
        readTopic(db, topicId),
        readChoice(db, userId, topicId),
        tenantDefaults(tenantId),
      ]);
      if (!topic && !choice) return undefined;
      return view(topicId, topic, inputsFrom(topic, choice, defaults.get(topicId)));
    },

    put: (userId, topicId, choice) => {
      let row: { status: PreferenceStatus; custom_routing: string | null };
      try {
        row = choiceRow(choice);
      } catch (error) {
        return Promise.reject(error);
      }
      return database.writeTransaction(`preferences:${userId}`, async (trx) => {
        const [topic, existing] = await Promise.all([readTopic(trx, topicId), readChoice(trx, userId, topicId)]);
        if (!topic && !existing) return false;
        const values = { ...row, updated: Date.now() };
        await trx
          .insertInto('preferences')
          .values({ user_id: userId, topic_id: topicId, ...values })
          .onConflict((conflict) => conflict.columns(['user_id', 'topic_id']).doUpdateSet(values))
          .execute();
        return true;
      });
    },

    inputsForSend: async (userId, topicId, tenantId) => {
      const [topic, choice, defaults] = await Promise.all([
        readTopic(db, topicId),
        userId === undefined ? undefined : readChoice(db, userId, topicId),
        tenantDefaults(tenantId),
      ]);
      return inputsFrom(topic, choice, defaults.get(topicId));
    },
  };
}

function toTopic(row: { id: string; name: string; default_status: string }): Topic {
  // Only putTopic writes topics and it checks the status; anything else would be a hand edit, read as the default.
  const status = isPreferenceStatus(row.default_status) ? row.default_status : 'OPTED_IN';
  return { id: row.id, name: row.name, default_status: status };
}

function inputsFrom(
  topic: Topic | undefined,
  choice: PreferenceRow | undefined,
  tenantDefault: PreferenceSetting | undefined,
): PreferenceInputs {
  const inputs: PreferenceInputs = {};
  if (topic) inputs.topicDefault = topic.default_status;
  if (tenantDefault) inputs.tenantDefault = tenantDefault;
  if (choice && isPreferenceStatus(choice.status)) {
    const routing = choice.custom_routing === null ? undefined : (JSON.parse(choice.custom_routing) as string[]);
    inputs.user = { status: choice.status, ...(routing ? { custom_routing: routing } : {}) };
  }
  return inputs;
}

/**
 * A choice as stored: `custom_routing` is null unless custom routing is on. It is on when `has_custom_routing` says
 * so, or when it is left out and channels are given (the v5 client's type lets callers send only the list).
 */
function choiceRow(choice: PreferenceChoice): { status: PreferenceStatus; custom_routing: string | null } {
  if (!isPreferenceStatus(choice.status)) {
    throw new InvalidPreferenceError(`status ${String(choice.status)} is not one of OPTED_IN, OPTED_OUT, REQUIRED`);
  }
  const unknown = (choice.custom_routing ?? []).find((c) => !(PREFERENCE_CHANNELS as readonly string[]).includes(c));
  if (unknown !== undefined) {
    throw new InvalidPreferenceError(
      `custom_routing channel ${unknown} is not one of ${PREFERENCE_CHANNELS.join(', ')}`,
    );
  }
  const channels = [...new Set(choice.custom_routing ?? [])];
  if (choice.has_custom_routing === false || (channels.length === 0 && choice.has_custom_routing === undefined)) {
    return { status: choice.status, custom_routing: null };
  }
  if (channels.length === 0) {
    // Routing a topic to no channel would be an opt-out in disguise, and REQUIRED topics would ignore it anyway.
    throw new InvalidPreferenceError('custom_routing must name at least one channel when has_custom_routing is true');
  }
  return { status: choice.status, custom_routing: JSON.stringify(channels) };
}

/**
 * The tenant's `default_preferences.items`, as the tenants API stores them in `data`; items Herald cannot read
 * (unknown status) are ignored rather than failing the send.
 */
function parseTenantDefaults(data: string): Map<string, PreferenceSetting> {
  const defaults = new Map<string, PreferenceSetting>();
  let items: unknown;
  try {
    items = (JSON.parse(data) as { default_preferences?: { items?: unknown } })?.default_preferences?.items;
  } catch {
    return defaults;
  }
  if (!Array.isArray(items)) return defaults;
  for (const item of items as Array<Record<string, unknown> | null>) {
    if (!item || typeof item.id !== 'string' || !isPreferenceStatus(item.status)) continue;
    const routing = Array.isArray(item.custom_routing)
      ? item.custom_routing.filter((c): c is string => typeof c === 'string')
      : [];
    const on = item.has_custom_routing !== false && routing.length > 0;
    defaults.set(item.id, { status: item.status, ...(on ? { custom_routing: routing } : {}) });
  }
  return defaults;
}

/** Plain code-unit order, the same on SQLite and PostgreSQL whatever their collation. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
