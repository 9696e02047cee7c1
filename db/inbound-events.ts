import type { HeraldDatabase } from './database';

/** Who sent an inbound event: Segment (either way it is wired) or `POST /inbound/courier`. */
export type InboundSource = 'segment' | 'courier';

/** An inbound event Herald has taken, with the automation runs it started. */
export interface InboundEventRecord {
  source: InboundSource;
  /** The sender's id for the event; with `source`, the key that makes a redelivery a no-op. */
  messageId: string;
  /** The trigger name: `track/<Event Name>`, `identify` or `group`. */
  event: string;
  userId?: string;
  /** The whole event as received. */
  payload: Record<string, unknown>;
  runs: string[];
  /** Epoch ms. */
  received: number;
}

export interface HeraldInboundEventStore {
  get(source: InboundSource, messageId: string): Promise<InboundEventRecord | undefined>;
  /**
   * Records a taken event. False when the event was already recorded (a concurrent redelivery won): the stored
   * record is left as it was.
   */
  record(event: Omit<InboundEventRecord, 'received'>): Promise<boolean>;
}

export function createInboundEventStore(database: HeraldDatabase): HeraldInboundEventStore {
  const { db } = database;
  return {
    async get(source, messageId) {
      const row = await db
        .selectFrom('inbound_events')
        .selectAll()
        .where('source', '=', source)
        .where('message_id', '=', messageId)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        source: row.source as InboundSource,
        messageId: row.message_id,
        event: row.event,
        ...(row.user_id !== null ? { userId: row.user_id } : {}),
        payload: JSON.parse(row.payload) as Record<string, unknown>,
        runs: JSON.parse(row.runs) as string[],
        received: Number(row.received),
      };
    },

    async record({ source, messageId, event, userId, payload, runs }) {
      // A conflict is not an error: two deliveries of one event raced, and the other one recorded it.
      const result = await db
        .insertInto('inbound_events')
        .values({
          source,
          message_id: messageId,
          event,
          user_id: userId ?? null,
          payload: JSON.stringify(payload),
          runs: JSON.stringify(runs),
          received: Date.now(),
        })
        .onConflict((oc) => oc.columns(['source', 'message_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
  };
}
