import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { openDatabase } from '../../db/database';
import { migrateToLatest } from '../../db/migrations';
import { loadCommonConfig } from '../common/config';
import { startDevServer, type DevServer } from '../common/dev-server';
import { loadGatewayConfig, DEVELOPMENT_API_KEY } from '../gateway/config';
import { startApp, waitForHttp, type Child } from './children';

/**
 * `npm start`: the whole system on embedded defaults, in the foreground. Temporal dev server (SQLite file under
 * DATA_DIR, with its UI), provider sandbox, worker and gateway; Ctrl-C or SIGTERM stops them all, newest first.
 */
async function run(): Promise<void> {
  const config = loadCommonConfig();
  const gateway = loadGatewayConfig();
  mkdirSync(config.dataDir, { recursive: true });

  let stopping = false;
  const children: Child[] = [];
  let temporal: DevServer | undefined;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('herald: stopping');
    for (const child of [...children].reverse()) await child.stop();
    await temporal?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    await startEverything();
  } catch (error) {
    console.error('herald: failed to start:', error instanceof Error ? error.message : error);
    await stopAll(1);
  }

  async function startEverything(): Promise<void> {
    temporal = await startDevServer({
      port: config.temporalPort,
      uiPort: config.temporalUiPort,
      dbFile: resolve(config.dataDir, 'temporal.sqlite'),
      // Once stopping, the server's complaints about its own pollers going away are noise.
      onOutput: (line) => void (stopping || console.log(`[temporal] ${line}`)),
    });

    // Migrate once here, so the gateway and worker do not race each other to create the schema.
    const database = openDatabase({ sqlitePath: config.sqlitePath, databaseUrl: config.databaseUrl });
    await migrateToLatest(database.db);
    await database.close();

    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: temporal.address,
      PROVIDER_SANDBOX_URL: config.sandboxUrl,
      // The sandbox reports SendGrid events to the gateway, signed, as SendGrid's Event Webhook would.
      SANDBOX_SENDGRID_EVENT_WEBHOOK_URL: `${gateway.publicUrl}/webhooks/sendgrid`,
    };
    const app = (name: string) => resolve(__dirname, '..', name, 'main.js');
    const onExit = (name: string) => (code: number | null) => {
      if (!stopping) {
        console.error(`herald: ${name} exited unexpectedly (code ${code}); stopping everything`);
        void stopAll(1);
      }
    };
    for (const name of ['sandbox', 'worker', 'gateway']) children.push(startApp(name, app(name), env, onExit(name)));

    await waitForHttp(`${config.sandboxUrl}/sandbox/health`);
    await waitForHttp(`http://127.0.0.1:${config.gatewayPort}/health`);

    const usingDevKey = gateway.apiKeys.includes(DEVELOPMENT_API_KEY);
    console.log(
      [
        '',
        'Herald is running.',
        `  API          ${gateway.publicUrl}  (Authorization: Bearer ${usingDevKey ? DEVELOPMENT_API_KEY : '<one of HERALD_API_KEYS>'})`,
        `  API docs     ${gateway.publicUrl}/docs`,
        `  Temporal UI  http://127.0.0.1:${config.temporalUiPort}`,
        `  Sandbox      ${config.sandboxUrl}/sandbox  (SMTP on port ${config.sandboxSmtpPort})`,
        `  Data         ${config.dataDir}`,
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  }
}

run().catch((error) => {
  console.error('herald: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
