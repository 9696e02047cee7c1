import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { Pool, types as pgTypes } from 'pg';
import type { Database } from './schema';

/**
 * Where Herald keeps its own data: PostgreSQL when `databaseUrl` is given, else the SQLite file at `sqlitePath`
 * (the embedded default).
 */
export interface DatabaseSettings {
  /** Path of the SQLite file, or `:memory:`. Ignored when `databaseUrl` is set. */
  sqlitePath?: string;
  /** `postgres://user:password@host:5432/herald`: selects PostgreSQL. */
  databaseUrl?: string;
  /** PostgreSQL only: the schema to work in (`search_path`), e.g. a throwaway one per test. */
  schema?: string;
}

export interface HeraldDatabase {
  db: Kysely<Database>;
  /** Which kind of database this is. */
  dialect: 'sqlite' | 'postgres';
  /** Where it is, fit for logs: the SQLite path, or the URL with its password masked. */
  label: string;
  /**
   * Runs `work` in a transaction that holds, from its first statement, a write lock covering `key` (a message id):
   * two writers of the same key run one after the other, each seeing what the previous one committed. On SQLite
   * that is `BEGIN IMMEDIATE` (one writer at a time; the default deferred transaction would read a snapshot and
   * then fail to upgrade if another process wrote in between). On PostgreSQL it is a transaction-scoped advisory
   * lock on the key, which also covers a row that does not exist yet (`SELECT … FOR UPDATE` would not).
   */
  writeTransaction<T>(key: string, work: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

type Work<T> = (trx: Kysely<Database>) => Promise<T>;

export function openDatabase(settings: DatabaseSettings): HeraldDatabase {
  if (settings.databaseUrl) return openPostgres(settings.databaseUrl, settings.schema);
  if (!settings.sqlitePath) throw new Error('openDatabase: neither databaseUrl nor sqlitePath is set');
  return openSqlite(settings.sqlitePath);
}

function openSqlite(sqlitePath: string): HeraldDatabase {
  if (sqlitePath !== ':memory:') mkdirSync(dirname(sqlitePath), { recursive: true });
  const sqlite = new SqliteDatabase(sqlitePath);
  // WAL lets the gateway read while the worker writes; busy_timeout makes writers queue instead of failing.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 10000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });

  // SQLite has one writer at a time whatever the key, so the key is not needed.
  const writeTransaction = <T>(_key: string, work: Work<T>): Promise<T> =>
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
    });
  return { db, dialect: 'sqlite', label: sqlitePath, writeTransaction, close: () => db.destroy() };
}

/** PostgreSQL type OID of `bigint` (int8). */
const INT8_OID = 20;
/**
 * First key of Herald's two-key advisory locks, so they stay apart from other users of the same database (and
 * from Kysely's migration lock, which uses the one-key form). Any constant int4 would do.
 */
const WRITE_LOCK_CLASS = 0x4845524c & 0x7fffffff; // "HERL"

function openPostgres(databaseUrl: string, schema?: string): HeraldDatabase {
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
    throw new Error(`openDatabase: schema must be a plain identifier, got "${schema}"`);
  }
  const pool = new Pool({
    connectionString: databaseUrl,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    // bigint columns hold epoch milliseconds and ids, far below 2^53: read them as numbers, as SQLite gives them,
    // rather than pg's default strings. Only this pool's connections are affected.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? (value: string) => Number(value)
          : pgTypes.getTypeParser(oid, format as 'text')) as typeof pgTypes.getTypeParser,
    },
  });
  // An idle connection that breaks (server restart) is dropped by the pool; the next query opens a fresh one.
  // Without a listener the error would crash the process. The error never contains the URL or its password.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });

  const writeTransaction = <T>(key: string, work: Work<T>): Promise<T> =>
    db.transaction().execute(async (trx) => {
      // Released at commit or rollback. Read committed: every statement after this sees the previous holder's
      // committed writes. Distinct keys may share a hash, which only makes them wait for each other.
      await sql`select pg_advisory_xact_lock(${sql.lit(WRITE_LOCK_CLASS)}, hashtext(${key}))`.execute(trx);
      return work(trx);
    });
  const label = redactDatabaseUrl(databaseUrl) + (schema ? ` (schema ${schema})` : '');
  return { db, dialect: 'postgres', label, writeTransaction, close: () => db.destroy() };
}

/** A database URL with its password masked, for logs and error messages. */
export function redactDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '[unparseable database URL]';
  }
}
