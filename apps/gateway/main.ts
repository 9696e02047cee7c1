import 'reflect-metadata';
import { Client, Connection } from '@temporalio/client';
import { openDatabase } from '../../db/database';
import { withLifecycleEvents } from '../../activities/lifecycle-events';
import { createSegmentReporter } from '../../activities/providers/segment-reporter';
import { createMessageLog } from '../../db/message-log';
import { migrateToLatest } from '../../db/migrations';
import { createLogger, type Logger } from '../common/logger';
import { loadGatewayConfig } from './config';
import { installExamples } from './examples';
import { createGatewayApp } from './gateway';

/** Temporal may still be starting (docker compose starts everything at once), so keep trying for a while. */
async function connectTemporal(address: string, log: Logger): Promise<Connection> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await Connection.connect({ address });
    } catch (error) {
      if (attempt >= 60) throw error;
      log.warn({ address, attempt }, 'Temporal not reachable yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

async function run(): Promise<void> {
  const config = loadGatewayConfig();
  const logger = createLogger('herald-gateway', config.logLevel);
  const database = openDatabase({ sqlitePath: config.sqlitePath, databaseUrl: config.databaseUrl });
  await migrateToLatest(database.db);
  if (config.examplesDir) await installExamples(database, config.examplesDir, logger);
  const connection = await connectTemporal(config.temporalAddress, logger);
  const temporal = new Client({ connection, namespace: config.temporalNamespace });

  // Provider webhooks move messages to DELIVERED, OPENED, CLICKED…: the gateway reports those changes itself.
  const segment = config.segmentSource && createSegmentReporter(config.segmentSource, logger);
  const messageLog = createMessageLog(database);
  const app = await createGatewayApp({
    config,
    temporal,
    database,
    messageLog: segment ? withLifecycleEvents(messageLog, segment, logger) : messageLog,
    logger,
  });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onClose', async () => {
      await segment?.close();
      await connection.close();
      await database.close();
    });
  await app.listen(config.gatewayPort, config.host);
  logger.info(
    { url: config.publicUrl, docs: `${config.publicUrl}/docs`, database: database.label },
    'gateway listening',
  );
}

run().catch((error) => {
  console.error(error);
  process.exit(1);
});
