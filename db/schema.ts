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

/** `/users/{id}/tokens`: `data` holds the rest of Courier's UserToken (device, expiry_date, properties, tracking). */
export interface DeviceTokensTable {
  user_id: string;
  token: string;
  provider_key: string;
  /** `active` | `unknown` | `failed` | `revoked`. */
  status: string;
  data: string;
  created: number;
  updated: number;
}

export interface ListsTable {
  id: string;
  name: string;
  /** RecipientPreferences as JSON text, or null. */
  preferences: string | null;
  created: number;
  updated: number;
  /** Epoch ms of a soft delete (`DELETE /lists/{id}`), null while the list is live. */
  deleted: number | null;
}

export interface ListSubscriptionsTable {
  list_id: string;
  user_id: string;
  preferences: string | null;
  created: number;
}

/** `data` holds the rest of Courier's Tenant: brand_id, default_preferences, properties, user_profile. */
export interface TenantsTable {
  id: string;
  name: string;
  parent_tenant_id: string | null;
  data: string;
  created: number;
  updated: number;
}

export interface TenantMembersTable {
  tenant_id: string;
  user_id: string;
  /** The membership's own profile (`PUT /users/{id}/tenants/{tenant}` `{profile}`), JSON text or null. */
  profile: string | null;
  created: number;
}

/** A subscription topic and the status users have until they choose. */
export interface TopicsTable {
  id: string;
  name: string;
  /** `OPTED_IN` | `OPTED_OUT` | `REQUIRED`. */
  default_status: string;
  created: number;
  updated: number;
}

/** A user's own choice for one topic. */
export interface PreferencesTable {
  user_id: string;
  topic_id: string;
  status: string;
  /** Channels allowed for the topic, JSON array text; null means no custom routing. */
  custom_routing: string | null;
  updated: number;
}

/** Herald templates: `content` is the per-channel TemplateContent (domain/template.ts) as JSON text. */
export interface TemplatesTable {
  id: string;
  name: string;
  topic_id: string | null;
  content: string;
  /** Default routing for sends that give none, JSON text or null. */
  routing: string | null;
  /** Where an imported template came from, e.g. `sendgrid:d-…`; null when written through the API. */
  source: string | null;
  created: number;
  updated: number;
}

/** `definition` is the AutomationDefinition (domain/automation.ts) as JSON text. */
export interface AutomationTemplatesTable {
  id: string;
  alias: string | null;
  name: string;
  /** `published` | `draft`: only published templates run from triggers or by id. */
  status: string;
  definition: string;
  created: number;
  updated: number;
}

export interface AutomationTriggersTable {
  /** `track/<Event Name>`, `identify`, `group`. */
  event: string;
  template_id: string;
  created: number;
}

/** One inbound event taken (Segment, /inbound/courier); the key makes a redelivery a no-op. */
export interface InboundEventsTable {
  /** `segment` | `courier`. */
  source: string;
  message_id: string;
  event: string;
  user_id: string | null;
  payload: string;
  /** Run ids started for it, JSON array text. */
  runs: string;
  received: number;
}

export interface AutomationRunsTable {
  run_id: string;
  template_id: string | null;
  cancelation_token: string | null;
  /** `RUNNING` | `COMPLETED` | `CANCELED` | `FAILED`. */
  status: string;
  /** Index of the step being run, null once finished. */
  current_step: number | null;
  /** JSON array of step outcomes. */
  history: string;
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
  device_tokens: DeviceTokensTable;
  lists: ListsTable;
  list_subscriptions: ListSubscriptionsTable;
  tenants: TenantsTable;
  tenant_members: TenantMembersTable;
  topics: TopicsTable;
  preferences: PreferencesTable;
  templates: TemplatesTable;
  automation_templates: AutomationTemplatesTable;
  automation_triggers: AutomationTriggersTable;
  inbound_events: InboundEventsTable;
  automation_runs: AutomationRunsTable;
}
