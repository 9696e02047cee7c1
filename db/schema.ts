import type { Generated } from 'kysely';

/** Table shapes as Kysely sees them. JSON columns hold serialised text so SQLite and PostgreSQL store them alike. */
export interface MessagesTable {
  id: string;
  status: string;
  reason: string | null;
  error: string | null;
  enqueued: number;
  sent: number | null;
  delivered: number | null;
  opened: number | null;
  clicked: number | null;
  recipient: string;
  event: string;
  notification: string;
  tags: string | null;
  trace_id: string | null;
  providers: string;
  updated: number;
}

/** `GET /messages/{id}/history`: one row per event, in the order the log learned of them (`id`). */
export interface MessageEventsTable {
  id: Generated<number>;
  message_id: string;
  /** Epoch ms of the observation. */
  ts: number;
  type: string;
  /** The event's other fields (`channel`, `integration`, `reason`, `output`…) as JSON text. */
  payload: string;
}

/** One row per tag of a message, so `GET /messages?tag=` filters with an index in any SQL database. */
export interface MessageTagsTable {
  message_id: string;
  tag: string;
}

/** One row per provider a message was attempted through, for `GET /messages?provider=`. */
export interface MessageProvidersTable {
  message_id: string;
  provider: string;
}

/** One `Idempotency-Key` per API key (db/idempotency.ts): a claim while the first request runs, then its answer. */
export interface IdempotencyKeysTable {
  /** sha256 of (API key, Idempotency-Key). */
  key_hash: string;
  /** sha256 of (method, path, raw body) of the first request. */
  fingerprint: string;
  status: 'in_flight' | 'done';
  response_status: number | null;
  response_body: string | null;
  /** Epoch ms of the first request. */
  created: number;
  /** Epoch ms after which the key is free again. */
  expires: number;
  /** While in flight: epoch ms after which the claim counts as abandoned. Null once done. */
  locked_until: number | null;
}

/** Courier's stored profiles (db/profiles.ts): the profile object as JSON text, keyed by user id. */
export interface ProfilesTable {
  user_id: string;
  profile: string;
  /** Epoch ms. */
  created: number;
  updated: number;
}

export interface Database {
  messages: MessagesTable;
  message_events: MessageEventsTable;
  message_tags: MessageTagsTable;
  message_providers: MessageProvidersTable;
  idempotency_keys: IdempotencyKeysTable;
  profiles: ProfilesTable;
}
