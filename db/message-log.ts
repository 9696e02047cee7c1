import type { MessageLog } from '../activities/ports';
import type { MessageIdentity, MessageRecord } from '../domain/message';
import { applyStatusUpdate, newMessageRecord, type StatusUpdate } from '../domain/message-record';
import type { MessageReason, MessageStatus } from '../domain/status';
import type { HeraldDatabase } from './database';
import type { MessagesTable } from './schema';

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

function fromRow(row: MessagesTable): MessageRecord {
  const record: MessageRecord = {
    id: row.id,
    status: row.status as MessageStatus,
    enqueued: Number(row.enqueued),
    recipient: row.recipient,
    event: row.event,
    notification: row.notification,
    providers: JSON.parse(row.providers),
  };
  if (row.sent !== null) record.sent = Number(row.sent);
  if (row.delivered !== null) record.delivered = Number(row.delivered);
  if (row.opened !== null) record.opened = Number(row.opened);
  if (row.clicked !== null) record.clicked = Number(row.clicked);
  if (row.reason !== null) record.reason = row.reason as MessageReason;
  if (row.error !== null) record.error = row.error;
  if (row.tags !== null) record.tags = JSON.parse(row.tags);
  if (row.trace_id !== null) record.traceId = row.trace_id;
  return record;
}

/** The message log on the database: the record `GET /messages/{id}` reads. */
export function createMessageLog(
  database: HeraldDatabase,
  now: () => number = Date.now,
): MessageLog & {
  recordEnqueued(identity: MessageIdentity): Promise<void>;
} {
  const { db } = database;
  return {
    /** Creates the record if it does not exist yet; a workflow may already have created it, which is fine. */
    async recordEnqueued(identity) {
      await db
        .insertInto('messages')
        .values(toRow(newMessageRecord(identity), now()))
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    },

    async apply(identity: MessageIdentity, update: StatusUpdate) {
      return database.writeTransaction(async (trx) => {
        const row = await trx.selectFrom('messages').selectAll().where('id', '=', identity.id).executeTakeFirst();
        const record = applyStatusUpdate(row ? fromRow(row) : newMessageRecord(identity), update);
        const values = toRow(record, now());
        await trx
          .insertInto('messages')
          .values(values)
          .onConflict((oc) => oc.column('id').doUpdateSet(values))
          .execute();
        return record;
      });
    },

    async get(id: string) {
      const row = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },
  };
}
export type HeraldMessageLog = ReturnType<typeof createMessageLog>;
