import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startDevServer, type DevServer } from '../../apps/common/dev-server';
import { createLogger } from '../../apps/common/logger';
import { loadGatewayConfig } from '../../apps/gateway/config';
import { createGatewayApp } from '../../apps/gateway/gateway';
import { sandboxCredentials } from '../../apps/sandbox/credentials';
import { createSandbox, type Sandbox } from '../../apps/sandbox/sandbox';
import { createWorker } from '../../apps/worker/create-worker';
import { withLifecycleEvents } from '../../activities/lifecycle-events';
import { createSegmentReporter } from '../../activities/providers/segment-reporter';
import { freePort } from './ports';
import { sandboxClient, type SandboxClient } from './sandbox-client';
import { quietTemporalRuntime } from './temporal';
import { realWorkerDeps, type WorkerDeps } from './worker-deps';
import { openDatabase, type DatabaseSettings } from '../../db/database';
import { createScratchSchema, testDatabases, testPostgresUrl } from './databases';
import { createMessageLog } from '../../db/message-log';
import { migrateToLatest } from '../../db/migrations';

export const TEST_API_KEY = 'test-key-1';

export interface Stack {
  gatewayUrl: string;
  sandboxUrl: string;
  apiKey: string;
  temporal: Client;
  providers: SandboxClient;
  deps: WorkerDeps;
  temporalAddress: string;
  smtpPort: number;
  /** Where gateway and worker keep Herald's data (each opens its own connection). */
  databaseAt: DatabaseSettings;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Herald's database: a fresh SQLite file (default) or a fresh schema on the test PostgreSQL server. */
  database?: 'sqlite' | 'postgres';
  /** False: no worker in the test process; the test runs its own (e.g. as a process it can kill). */
  worker?: boolean;
  /**
   * Worker and gateway track lifecycle changes to the sandbox's Segment endpoint, as `npm start` does. Off by
   * default: the events would show up in every other test's `providers.messages()`.
   */
  segmentSource?: boolean;
}

/**
 * The whole system as `npm start` runs it, in one test process: a real Temporal dev server (the pinned CLI),
 * the provider sandbox, a worker with the real activities, and the gateway on real HTTP. Ports are random and the
 * database is a fresh SQLite file, so test files never see each other's data.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  quietTemporalRuntime();
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-e2e-'));
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(dataDir, { recursive: true, force: true })];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    let databaseAt: DatabaseSettings = { sqlitePath: join(dataDir, 'herald.sqlite') };
    if (options.database === 'postgres') {
      const scratch = await createScratchSchema(testPostgresUrl());
      cleanups.push(() => scratch.drop());
      databaseAt = scratch.settings;
    }

    const server: DevServer = await startDevServer({ port: await freePort() });
    cleanups.push(() => server.stop());

    const connection = await Connection.connect({ address: server.address });
    const temporal = new Client({ connection, namespace: 'default' });
    cleanups.push(() => connection.close());

    // The sandbox posts provider webhooks to the gateway, and the worker names it in callbacks.
    const gatewayPort = await freePort();
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    // The sandbox only needs the gateway's address, which is known before it listens.
    const sandbox: Sandbox = createSandbox({
      logger: false,
      sendgridEventWebhookUrl: `${gatewayUrl}/webhooks/sendgrid`,
    });
    const sandboxUrl = await sandbox.listen(0);
    cleanups.push(() => sandbox.close());
    const segment = options.segmentSource
      ? createSegmentReporter(
          { writeKey: sandboxCredentials.segment.writeKey, host: `${sandboxUrl}/segment`, flushAt: 1, maxRetries: 2 },
          createLogger('segment-test', 'silent'),
        )
      : undefined;
    if (segment) cleanups.push(() => segment.close(5_000));
    const config = loadGatewayConfig({
      DATA_DIR: dataDir,
      PORT: String(gatewayPort),
      TEMPORAL_ADDRESS: server.address,
      HERALD_API_KEYS: `${TEST_API_KEY},test-key-2`,
      PROVIDER_SANDBOX_URL: sandboxUrl,
    });
    const database = openDatabase(databaseAt);
    await migrateToLatest(database.db);
    cleanups.push(() => database.close());
    const app: NestFastifyApplication = await createGatewayApp({
      config,
      temporal,
      database,
      messageLog: segment
        ? withLifecycleEvents(createMessageLog(database), segment, createLogger('gateway-test', 'silent'))
        : createMessageLog(database),
      logger: createLogger('gateway-test', 'silent'),
    });
    await app.listen(gatewayPort, '127.0.0.1');
    cleanups.push(() => app.close());

    const smtpPort = await sandbox.listenSmtp(0);
    const deps = await realWorkerDeps(sandboxUrl, smtpPort, databaseAt, gatewayUrl, segment);
    cleanups.push(() => deps.database.close());

    if (options.worker !== false) {
      const nativeConnection = await NativeConnection.connect({ address: server.address });
      const worker = await createWorker({
        connection: nativeConnection,
        namespace: 'default',
        activities: deps.activities,
      });
      const running = worker.run();
      cleanups.push(async () => {
        worker.shutdown();
        await running;
        await nativeConnection.close();
      });
    }

    return {
      gatewayUrl,
      sandboxUrl,
      apiKey: TEST_API_KEY,
      temporal,
      temporalAddress: server.address,
      smtpPort,
      providers: sandboxClient(sandboxUrl),
      deps,
      databaseAt,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * One stack for the whole test file: started before its first test, stopped after its last, the sandbox's
 * records cleared before each test. Returns an accessor, since the stack exists only once `beforeAll` has run.
 */
export function useStack(options: StackOptions = {}): () => Stack {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack(options);
  }, 120_000);
  afterAll(() => stack?.stop());
  beforeEach(() => stack?.providers.clear());
  return () => {
    if (!stack) throw new Error('the stack has not started');
    return stack;
  };
}

/** `POST /send` with `{message}` as a client would send it; expects 202 and returns the request id. */
export async function sendThroughGateway(stack: Stack, message: object): Promise<string> {
  const response = await fetch(`${stack.gatewayUrl}/send`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message }),
  });
  if (response.status !== 202) throw new Error(`POST /send answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { requestId: string }).requestId;
}

/**
 * `describe` once per database with its own stack, e.g. `recipients [postgres]`; the PostgreSQL variant is skipped
 * (listed as skipped) only where there is no test server and CI is not set, as for the repository tests.
 */
export function describeEachStack(
  title: string,
  body: (stack: () => Stack) => void,
  options: Omit<StackOptions, 'database'> = {},
): void {
  for (const database of testDatabases) {
    (database.available ? describe : describe.skip)(`${title} [${database.name}]`, () =>
      body(useStack({ ...options, database: database.name })),
    );
  }
}
