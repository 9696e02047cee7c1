import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openDatabase, type DatabaseSettings, type HeraldDatabase } from '../../db/database';

/**
 * The databases repository tests run against: SQLite in memory always, PostgreSQL when `TEST_DATABASE_URL` is set
 * (`.ci/run` starts one). Without it the PostgreSQL variant is skipped on a developer machine, but fails under CI,
 * so a missing server never passes silently.
 */
export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** Whether the variant runs; a skipped one is still listed, as skipped, in Jest's output. */
  available: boolean;
  /** A fresh, empty database (no migrations applied): closing it also throws its data away. */
  open(): Promise<HeraldDatabase>;
}

const postgresUrl = process.env.TEST_DATABASE_URL || undefined;
const inCi = Boolean(process.env.CI) && process.env.CI !== 'false';

export const testDatabases: TestDatabase[] = [
  { name: 'sqlite', available: true, open: async () => openDatabase({ sqlitePath: ':memory:' }) },
  {
    name: 'postgres',
    // Under CI a missing URL runs the tests anyway, so that every one of them fails on open().
    available: postgresUrl !== undefined || inCi,
    open: async () => {
      if (!postgresUrl) throw new Error('TEST_DATABASE_URL is not set, and CI is: PostgreSQL tests cannot run');
      return openPostgresSchema(postgresUrl);
    },
  },
];

/** `describe` once per database, named after it, e.g. `message log [postgres]`; skipped where unavailable. */
export function describeEachDatabase(title: string, body: (database: TestDatabase) => void): void {
  for (const database of testDatabases) {
    (database.available ? describe : describe.skip)(`${title} [${database.name}]`, () => body(database));
  }
}

/** A new schema with a random name, used through `search_path`, dropped (with everything in it) on close. */
async function openPostgresSchema(url: string): Promise<HeraldDatabase> {
  const scratch = await createScratchSchema(url);
  const database = openDatabase(scratch.settings);
  return {
    ...database,
    close: async () => {
      await database.close();
      await scratch.drop();
    },
  };
}

/**
 * An empty PostgreSQL schema for one test stack, which several processes or connections can open with `settings`
 * (gateway and worker each open their own, as in production). `drop` removes it with everything in it.
 */
export async function createScratchSchema(url: string): Promise<{ settings: DatabaseSettings; drop(): Promise<void> }> {
  const schema = `herald_test_${randomBytes(6).toString('hex')}`;
  await runAdmin(url, `create schema ${schema}`);
  return { settings: { databaseUrl: url, schema }, drop: () => runAdmin(url, `drop schema ${schema} cascade`) };
}

async function runAdmin(url: string, statement: string): Promise<void> {
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

/** The PostgreSQL server for tests, or a clear failure when a test needs it and there is none. */
export function testPostgresUrl(): string {
  if (!postgresUrl) throw new Error('TEST_DATABASE_URL is not set: PostgreSQL tests cannot run');
  return postgresUrl;
}
