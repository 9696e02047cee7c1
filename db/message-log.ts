import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Channel, ProviderKey } from '../domain/channels';
import type { MessageIdentity, MessageRecord } from '../domain/message';
import { applyStatusUpdate, newMessageRecord, type StatusUpdate } from '../domain/message-record';
import type { MessageReason, MessageStatus } from '../domain/status';
import type { HeraldDatabase } from './database';
import { enqueuedEvent, historyEventsFor, type NewHistoryEvent, type RenderedOutput } from './message-events';
import type { Database, MessagesTable } from './schema';

/** A message as `GET /messages` lists it: the record without `providers`. */
export type MessageSummary = Omit<MessageRecord, 'providers'>;

/** `GET /messages` filters, already parsed. Absent = no filter; lists are any-match. */
export interface MessageFilter {
  recipient?: string;
  statuses?: string[];
  providers?: string[];
  tags?: string[];
  event?: string;
  notification?: string;
  traceId?: string;
  messageId?: string;
  /** Only messages enqueued strictly after this epoch ms. */
  enqueuedAfter?: number;
  /** List and tenant sends are not recorded yet, so naming one matches nothing. */
  list?: string;
  tenantId?: string;
  /** Include archived messages. Nothing is archived yet, so either way changes nothing. */
  archived?: boolean;
}

/** Where a page ends in the newest-first order: the last message's (enqueued, id). */
export interface MessagePosition {
  enqueued: number;
  id: string;
}

export interface MessagePage {
  messages: MessageSummary[];
  /** More messages match after the last one of this page. */
  more: boolean;
}

/** One event of `GET /messages/{id}/history`. */
export interface HistoryEvent {
  ts: number;
  type: string;
  [field: string]: unknown;
}

/** The latest rendered output of one attempt (channel + provider), for `GET /messages/{id}/output`. */
export interface AttemptOutput {
  channel: Channel;
  provider: ProviderKey;
  output: RenderedOutput;
}

type SummaryRow = Omit<MessagesTable, 'providers' | 'updated'>;
const summaryColumns = [
  'id',
  'status',
  'reason',
  'error',
  'enqueued',
  'sent',
  'delivered',
  'opened',
  'clicked',
  'recipient',
  'event',
  'notification',
  'tags',
  'trace_id',
] as const;

function toRow(record: MessageRecord, updated: number): MessagesTable {
  return {
    id: record.id,
    status: record.status,
    reason: record.reason ?? null,
    error: record.error ?? null,
    enqueued: record.enqueued,
    sent: record.sent ?? null,
    delivered: record.delivered ?? null,
    opened: record.opened ?? null,
    clicked: record.clicked ?? null,
    recipient: record.recipient,
    event: record.event,
    notification: record.notification,
    tags: record.tags ? JSON.stringify(record.tags) : null,
    trace_id: record.traceId ?? null,
    providers: JSON.stringify(record.providers),
    updated,
  };
}

// Numbers go through Number(): PostgreSQL's driver returns bigint columns as strings.
function summaryFromRow(row: SummaryRow): MessageSummary {
  const summary: MessageSummary = {
    id: row.id,
    status: row.status as MessageStatus,
    enqueued: Number(row.enqueued),
    recipient: row.recipient,
    event: row.event,
    notification: row.notification,
  };
  if (row.sent !== null) summary.sent = Number(row.sent);
  if (row.delivered !== null) summary.delivered = Number(row.delivered);
  if (row.opened !== null) summary.opened = Number(row.opened);
  if (row.clicked !== null) summary.clicked = Number(row.clicked);
  if (row.reason !== null) summary.reason = row.reason as MessageReason;
  if (row.error !== null) summary.error = row.error;
  if (row.tags !== null) summary.tags = JSON.parse(row.tags);
  if (row.trace_id !== null) summary.traceId = row.trace_id;
  return summary;
}

function fromRow(row: MessagesTable): MessageRecord {
  return { ...summaryFromRow(row), providers: JSON.parse(row.providers) };
}

/** `GET /messages` filters as SQL conditions: plain comparisons and EXISTS on the child tables, portable SQL. */
function filterConditions(filter: MessageFilter, after?: MessagePosition) {
  return (eb: ExpressionBuilder<Database, 'messages'>) => {
    const conditions: Expression<SqlBool>[] = [];
    if (filter.recipient !== undefined) conditions.push(eb('recipient', '=', filter.recipient));
    if (filter.messageId !== undefined) conditions.push(eb('id', '=', filter.messageId));
    if (filter.event !== undefined) conditions.push(eb('event', '=', filter.event));
    if (filter.notification !== undefined) conditions.push(eb('notification', '=', filter.notification));
    if (filter.traceId !== undefined) conditions.push(eb('trace_id', '=', filter.traceId));
    if (filter.statuses?.length) conditions.push(eb('status', 'in', filter.statuses));
    if (filter.enqueuedAfter !== undefined) conditions.push(eb('enqueued', '>', filter.enqueuedAfter));
    if (filter.tags?.length) {
      const tags = filter.tags;
      conditions.push(
        eb.exists(
          eb
            .selectFrom('message_tags')
            .select('message_tags.message_id')
            .whereRef('message_tags.message_id', '=', 'messages.id')
            .where('message_tags.tag', 'in', tags),
        ),
      );
    }
    if (filter.providers?.length) {
      const providers = filter.providers;
      conditions.push(
        eb.exists(
          eb
            .selectFrom('message_providers')
            .select('message_providers.message_id')
            .whereRef('message_providers.message_id', '=', 'messages.id')
            .where('message_providers.provider', 'in', providers),
        ),
      );
    }
    // No message records a list or tenant yet: asking for one finds nothing (until sends to them exist).
    if (filter.list !== undefined || filter.tenantId !== undefined) conditions.push(sql<SqlBool>`1 = 0`);
    if (after) {
      conditions.push(
        eb.or([
          eb('enqueued', '<', after.enqueued),
          eb.and([eb('enqueued', '=', after.enqueued), eb('id', '<', after.id)]),
        ]),
      );
    }
    return eb.and(conditions);
  };
}

async function appendEvents(trx: Kysely<Database>, messageId: string, events: NewHistoryEvent[]): Promise<void> {
  if (events.length === 0) return;
  await trx
    .insertInto('message_events')
    .values(events.map((e) => ({ message_id: messageId, ts: e.ts, type: e.type, payload: JSON.stringify(e.payload) })))
    .execute();
}

async function addTags(trx: Kysely<Database>, messageId: string, tags: string[] | undefined): Promise<void> {
  const unique = [...new Set(tags ?? [])];
  if (unique.length === 0) return;
  await trx
    .insertInto('message_tags')
    .values(unique.map((tag) => ({ message_id: messageId, tag })))
    .onConflict((oc) => oc.columns(['message_id', 'tag']).doNothing())
    .execute();
}

async function addProviders(trx: Kysely<Database>, messageId: string, providers: string[]): Promise<void> {
  if (providers.length === 0) return;
  await trx
    .insertInto('message_providers')
    .values(providers.map((provider) => ({ message_id: messageId, provider })))
    .onConflict((oc) => oc.columns(['message_id', 'provider']).doNothing())
    .execute();
}

/** RENDERED events of a message, oldest first, as (channel, provider, output). */
async function renderedOutputs(db: Kysely<Database>, messageId: string): Promise<AttemptOutput[]> {
  const rows = await db
    .selectFrom('message_events')
    .select('payload')
    .where('message_id', '=', messageId)
    .where('type', '=', 'RENDERED')
    .orderBy('id')
    .execute();
  return rows.map((row) => {
    const payload = JSON.parse(row.payload) as {
      channel: { id: Channel };
      integration: { id: ProviderKey };
      output: RenderedOutput;
    };
    return { channel: payload.channel.id, provider: payload.integration.id, output: payload.output };
  });
}

/**
 * The message log on the database: the record `GET /messages/{id}` reads, the history events behind
 * `/messages/{id}/history` and `/output`, and the tag and provider rows `GET /messages` filters on.
 */
export function createMessageLog(database: HeraldDatabase, now: () => number = Date.now) {
  const { db } = database;

  async function exists(id: string): Promise<boolean> {
    return (await db.selectFrom('messages').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  return {
    /**
     * Creates the record, with its ENQUEUED event, if it does not exist yet. A workflow may already have created
     * it (and the event with it), which is fine.
     */
    async recordEnqueued(identity: MessageIdentity): Promise<void> {
      await database.writeTransaction(identity.id, async (trx) => {
        const inserted = await trx
          .insertInto('messages')
          .values(toRow(newMessageRecord(identity), now()))
          .onConflict((oc) => oc.column('id').doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
        await addTags(trx, identity.id, identity.tags);
        await appendEvents(trx, identity.id, [enqueuedEvent(identity)]);
      });
    },

    /**
     * Applies one observation and appends the history events it implies, in one write transaction. An update
     * that changes nothing (a provider retrying its webhook) appends nothing.
     */
    async apply(identity: MessageIdentity, update: StatusUpdate): Promise<MessageRecord> {
      return database.writeTransaction(identity.id, async (trx) => {
        const row = await trx.selectFrom('messages').selectAll().where('id', '=', identity.id).executeTakeFirst();
        const before = row ? fromRow(row) : newMessageRecord(identity);
        const record = applyStatusUpdate(before, update);
        const attempt = update.attempt;
        const previousOutput =
          row && attempt?.output
            ? (await renderedOutputs(trx, identity.id))
                .filter((o) => o.channel === attempt.channel && o.provider === attempt.provider)
                .pop()?.output
            : undefined;
        const values = toRow(record, now());
        await trx
          .insertInto('messages')
          .values(values)
          .onConflict((oc) => oc.column('id').doUpdateSet(values))
          .execute();
        if (!row) await addTags(trx, identity.id, identity.tags);
        const known = new Set(before.providers.map((p) => p.provider));
        await addProviders(trx, identity.id, [
          ...new Set(record.providers.map((p) => p.provider).filter((p) => !known.has(p))),
        ]);
        await appendEvents(trx, identity.id, [
          ...(row ? [] : [enqueuedEvent(identity)]),
          ...historyEventsFor(before, record, update, previousOutput),
        ]);
        return record;
      });
    },

    async get(id: string): Promise<MessageRecord | undefined> {
      const row = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },

    /** One page of matching messages, newest first by (enqueued, id), starting after `page.after`. */
    async list(filter: MessageFilter, page: { after?: MessagePosition; limit: number }): Promise<MessagePage> {
      const rows = await db
        .selectFrom('messages')
        .select(summaryColumns)
        .where(filterConditions(filter, page.after))
        .orderBy('enqueued', 'desc')
        .orderBy('id', 'desc')
        .limit(page.limit + 1)
        .execute();
      return { messages: rows.slice(0, page.limit).map(summaryFromRow), more: rows.length > page.limit };
    },

    /** A message's history in the order the log learned it, optionally of some types; undefined: no such message. */
    async history(id: string, types?: string[]): Promise<HistoryEvent[] | undefined> {
      if (!(await exists(id))) return undefined;
      let query = db
        .selectFrom('message_events')
        .select(['ts', 'type', 'payload'])
        .where('message_id', '=', id)
        .orderBy('id');
      if (types?.length) query = query.where('type', 'in', types);
      const rows = await query.execute();
      return rows.map((row) => ({ ts: Number(row.ts), type: row.type, ...JSON.parse(row.payload) }));
    },

    /** The latest rendered output of each attempt, in the order they were first rendered; undefined: no such message. */
    async outputs(id: string): Promise<AttemptOutput[] | undefined> {
      if (!(await exists(id))) return undefined;
      const latest = new Map<string, AttemptOutput>();
      for (const output of await renderedOutputs(db, id)) latest.set(`${output.channel}/${output.provider}`, output);
      return [...latest.values()];
    },
  };
}
export type HeraldMessageLog = ReturnType<typeof createMessageLog>;
