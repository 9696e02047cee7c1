import { Migrator, PostgresAdapter, sql, type CreateTableBuilder, type Kysely, type Migration } from 'kysely';

/**
 * Versioned schema changes, in order. Listed in code rather than discovered on disk so the compiled build, the
 * test runner and the Docker image all see the same list. Never edit a migration that has shipped; add one.
 */
export const migrations: Record<string, Migration> = {
  '0001_messages': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('error', 'text')
        .addColumn('enqueued', 'bigint', (c) => c.notNull())
        .addColumn('sent', 'bigint')
        .addColumn('delivered', 'bigint')
        .addColumn('opened', 'bigint')
        .addColumn('clicked', 'bigint')
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('notification', 'text', (c) => c.notNull())
        .addColumn('tags', 'text')
        .addColumn('trace_id', 'text')
        .addColumn('providers', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('updated', 'bigint', (c) => c.notNull())
        .execute();
      // `GET /messages` pages newest first by (enqueued, id).
      await db.schema.createIndex('messages_enqueued').on('messages').columns(['enqueued', 'id']).execute();
      await db.schema.createIndex('messages_recipient').on('messages').columns(['recipient', 'enqueued']).execute();
    },
  },
  '0002_message_events': {
    async up(db: Kysely<any>) {
      // Kysely runs SQLite migrations outside a transaction (PostgreSQL's inside one). This one takes its own, so a
      // crash during the backfill leaves nothing half done; a process racing another start-up fails on the first
      // CREATE TABLE (no IF NOT EXISTS on purpose) and retries, by when there is nothing left to do.
      const work = async (trx: Kysely<any>) => {
        await trx.schema
          .createTable('message_events')
          .$call(autoIncrementId(trx))
          .addColumn('message_id', 'text', (c) => c.notNull())
          .addColumn('ts', 'bigint', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .execute();
        // History reads one message's events in append order.
        await trx.schema
          .createIndex('message_events_message')
          .on('message_events')
          .columns(['message_id', 'id'])
          .execute();

        // Child tables rather than JSON columns: `tag=`/`provider=` filters become indexed EXISTS subqueries that
        // read the same on SQLite and PostgreSQL, where searching inside JSON text needs each one's own functions.
        await trx.schema
          .createTable('message_tags')
          .addColumn('message_id', 'text', (c) => c.notNull())
          .addColumn('tag', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('message_tags_pk', ['message_id', 'tag'])
          .execute();
        await trx.schema.createIndex('message_tags_tag').on('message_tags').columns(['tag', 'message_id']).execute();
        await trx.schema
          .createTable('message_providers')
          .addColumn('message_id', 'text', (c) => c.notNull())
          .addColumn('provider', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('message_providers_pk', ['message_id', 'provider'])
          .execute();
        await trx.schema
          .createIndex('message_providers_provider')
          .on('message_providers')
          .columns(['provider', 'message_id'])
          .execute();

        await backfillMessageChildren(trx);
      };
      await (db.isTransaction ? work(db) : db.transaction().execute(work));
    },
  },
  '0003_idempotency': {
    async up(db: Kysely<any>) {
      // `Idempotency-Key` claims and stored answers (db/idempotency.ts). The primary key is the lock.
      await db.schema
        .createTable('idempotency_keys')
        .addColumn('key_hash', 'text', (c) => c.primaryKey())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('response_status', 'integer')
        .addColumn('response_body', 'text')
        .addColumn('created', 'bigint', (c) => c.notNull())
        .addColumn('expires', 'bigint', (c) => c.notNull())
        .addColumn('locked_until', 'bigint')
        .execute();
      await db.schema.createIndex('idempotency_keys_expires').on('idempotency_keys').column('expires').execute();
    },
  },
  '0004_profiles': {
    async up(db: Kysely<any>) {
      // Courier's stored profiles (db/profiles.ts): one JSON object per user id.
      await db.schema
        .createTable('profiles')
        .addColumn('user_id', 'text', (c) => c.primaryKey())
        .addColumn('profile', 'text', (c) => c.notNull())
        .addColumn('created', 'bigint', (c) => c.notNull())
        .addColumn('updated', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0005_recipients_and_templates': {
    async up(db: Kysely<any>) {
      // Device tokens (`/users/{id}/tokens`): the rest of the token (device, expiry, properties…) is JSON text.
      await db.schema
        .createTable('device_tokens')
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('provider_key', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created', 'bigint', (c) => c.notNull())
        .addColumn('updated', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('device_tokens_pk', ['user_id', 'token'])
        .execute();

      // Lists (`/lists`) and their subscribers; a deleted list keeps its rows until it is restored or replaced.
      await db.schema
        .createTable('lists')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('preferences', 'text')
        .addColumn('created', 'bigint', (c) => c.notNull())
        .addColumn('updated', 'bigint', (c) => c.notNull())
        .addColumn('deleted', 'bigint')
        .execute();
      await db.schema
        .createTable('list_subscriptions')
        .addColumn('list_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('preferences', 'text')
        .addColumn('created', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('list_subscriptions_pk', ['list_id', 'user_id'])
        .execute();
      // A user's lists (`/profiles/{id}/lists`), and fan-out paging by user id across several lists.
      await db.schema.createIndex('list_subscriptions_user').on('list_subscriptions').columns(['user_id']).execute();

      // Tenants (`/tenants`): name and parent as columns, the rest of the Tenant object as JSON text.
      await db.schema
        .createTable('tenants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('parent_tenant_id', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created', 'bigint', (c) => c.notNull())
        .addColumn('updated', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('tenant_members')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('profile', 'text')
        .addColumn('created', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('tenant_members_pk', ['tenant_id', 'user_id'])
        .execute();
      await db.schema.createIndex('tenant_members_user').on('tenant_members').columns(['user_id']).execute();

      // Subscription topics and each user's preference for them.
      await db.schema
        .createTable('topics')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('default_status', 'text', (c) => c.notNull())
        .addColumn('created', 'bigint', (c) => c.notNull())
        .addColumn('updated', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('preferences')
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('topic_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('custom_routing', 'text')
        .addColumn('updated', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('preferences_pk', ['user_id', 'topic_id'])
        .execute();

      // Herald templates: per-channel content as JSON text, optionally tied to a topic.
      await db.schema
        .createTable('templates')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('topic_id', 'text')
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('routing', 'text')
        .addColumn('source', 'text')
        .addColumn('created', 'bigint', (c) => c.notNull())
        .addColumn('updated', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0006_automations': {
    async up(db: Kysely<any>) {
      // Automation templates: the definition (`{cancelation_token?, steps}`) as JSON text.
      await db.schema
        .createTable('automation_templates')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('alias', 'text', (c) => c.unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('created', 'bigint', (c) => c.notNull())
        .addColumn('updated', 'bigint', (c) => c.notNull())
        .execute();
      // Which inbound events (`track/Order Completed`, `identify`, `group`) start which templates.
      await db.schema
        .createTable('automation_triggers')
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('template_id', 'text', (c) => c.notNull())
        .addColumn('created', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('automation_triggers_pk', ['event', 'template_id'])
        .execute();
      await db.schema
        .createIndex('automation_triggers_template')
        .on('automation_triggers')
        .column('template_id')
        .execute();
      // Inbound events already taken (Segment, /inbound/courier), keyed by source and the sender's messageId.
      await db.schema
        .createTable('inbound_events')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('runs', 'text', (c) => c.notNull())
        .addColumn('received', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('inbound_events_pk', ['source', 'message_id'])
        .execute();
      // Automation runs: what GET /automations/runs/{id} shows, and how a cancel step finds runs by token.
      await db.schema
        .createTable('automation_runs')
        .addColumn('run_id', 'text', (c) => c.primaryKey())
        .addColumn('template_id', 'text')
        .addColumn('cancelation_token', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('current_step', 'integer')
        .addColumn('history', 'text', (c) => c.notNull())
        .addColumn('created', 'bigint', (c) => c.notNull())
        .addColumn('updated', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('automation_runs_token')
        .on('automation_runs')
        .columns(['cancelation_token', 'status'])
        .execute();
    },
  },
};

/** `id` counting up in insertion order: `integer primary key autoincrement` on SQLite, `bigserial` on PostgreSQL. */
function autoIncrementId(db: Kysely<any>) {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  return (table: CreateTableBuilder<any, any>) =>
    postgres
      ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
      : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

/**
 * Messages logged before 0002 get their tag and provider rows, so the new filters find them, and an ENQUEUED
 * event, so their history starts like every other (what happened after that was not kept). Written out here
 * rather than calling the message log, so this migration does the same thing whatever that code becomes.
 */
async function backfillMessageChildren(db: Kysely<any>): Promise<void> {
  const batch = 500;
  let after = '';
  for (;;) {
    const rows: LoggedMessage[] = await db
      .selectFrom('messages')
      .select(['id', 'enqueued', 'recipient', 'event', 'tags', 'providers'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(batch)
      .execute();
    if (rows.length === 0) return;
    const tags = rows.flatMap((row) =>
      unique<string>(row.tags ? JSON.parse(row.tags) : []).map((tag) => ({ message_id: row.id, tag })),
    );
    const providers = rows.flatMap((row) =>
      unique((JSON.parse(row.providers) as Array<{ provider: string }>).map((p) => p.provider)).map((provider) => ({
        message_id: row.id,
        provider,
      })),
    );
    const events = rows.map((row) => ({
      message_id: row.id,
      ts: Number(row.enqueued),
      type: 'ENQUEUED',
      payload: JSON.stringify({ event: row.event, recipient: row.recipient }),
    }));
    for (const [table, values] of [
      ['message_tags', tags],
      ['message_providers', providers],
      ['message_events', events],
    ] as const) {
      for (let i = 0; i < values.length; i += batch) {
        await db
          .insertInto(table)
          .values(values.slice(i, i + batch))
          .execute();
      }
    }
    after = rows[rows.length - 1].id;
  }
}

interface LoggedMessage {
  id: string;
  enqueued: number | string;
  recipient: string;
  event: string;
  tags: string | null;
  providers: string;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/**
 * Kysely's migrator over `migrations`. On PostgreSQL its bookkeeping tables are pinned to the current schema:
 * unpinned, Kysely looks for them in every schema of the database and, finding another application's (or another
 * Herald schema's), would skip creating Herald's own.
 */
export async function createMigrator(db: Kysely<any>): Promise<Migrator> {
  let migrationTableSchema: string | undefined;
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    migrationTableSchema = rows[0]?.schema ?? undefined;
  }
  return new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableSchema });
}

/**
 * Brings the schema up to date. Gateway and worker both call this at start-up; on SQLite, Kysely takes no lock
 * across processes, so when two start together one may lose the race: it waits a moment and tries again, by which
 * time the other has finished and there is nothing left to do.
 */
export async function migrateToLatest(db: Kysely<any>, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const migrator = await createMigrator(db);
    const { error, results } = await migrator.migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    if (!error && !failed) return;
    if (attempt >= attempts) {
      throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
  }
}

export { sql };
