import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Database } from './schema';

export interface DatabaseSettings {
  /** Path of the SQLite file, or `:memory:`. */
  sqlitePath: string;
}

export interface HeraldDatabase {
  db: Kysely<Database>;
  /**
   * Runs `work` holding the write lock from its first statement. SQLite's default deferred transaction would
   * read a snapshot and then fail to upgrade if another process (the gateway) wrote in between.
   */
  writeTransaction<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function openDatabase(settings: DatabaseSettings): HeraldDatabase {
  if (settings.sqlitePath !== ':memory:') mkdirSync(dirname(settings.sqlitePath), { recursive: true });
  const sqlite = new SqliteDatabase(settings.sqlitePath);
  // WAL lets the gateway read while the worker writes; busy_timeout makes writers queue instead of failing.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 10000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });

  return {
    db,
    writeTransaction: (work) =>
      db.connection().execute(async (connection) => {
        await sql`begin immediate`.execute(connection);
        try {
          const result = await work(connection);
          await sql`commit`.execute(connection);
          return result;
        } catch (error) {
          await sql`rollback`.execute(connection);
          throw error;
        }
      }),
    close: () => db.destroy(),
  };
}
