import { Migrator, sql, type Kysely, type Migration } from 'kysely';

/**
 * Versioned schema changes, in order. Listed in code rather than discovered on disk so the compiled build, the
 * test runner and the Docker image all see the same list. Never edit a migration that has shipped; add one.
 */
const migrations: Record<string, Migration> = {
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
};

/**
 * Brings the schema up to date. Gateway and worker both call this at start-up; on SQLite, Kysely takes no lock
 * across processes, so when two start together one may lose the race: it waits a moment and tries again, by which
 * time the other has finished and there is nothing left to do.
 */
export async function migrateToLatest(db: Kysely<any>, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
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
