import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createFcmPushProvider } from '../../activities/providers/fcm-push';
import { createOutboundWebhookProvider } from '../../activities/providers/outbound-webhook';
import { createSendGridEmailProvider } from '../../activities/providers/sendgrid-email';
import { createSmtpEmailProvider } from '../../activities/providers/smtp-email';
import { createTwilioSmsProvider } from '../../activities/providers/twilio-sms';
import { openDatabase } from '../../db/database';
import { createAudienceDirectory, createRecipientDirectory } from '../../db/directories';
import { createMessageLog } from '../../db/message-log';
import { migrateToLatest } from '../../db/migrations';
import { createLogger } from '../common/logger';
import { loadWorkerConfig } from './config';
import { createWorker } from './create-worker';

async function run(): Promise<void> {
  const config = loadWorkerConfig();
  const log = createLogger('herald-worker', config.logLevel);
  const level = config.logLevel === 'debug' ? 'DEBUG' : 'WARN';
  Runtime.install({
    logger: new DefaultLogger(level),
    telemetryOptions: { logging: { filter: { core: level, other: level } } },
  });

  const database = openDatabase({ sqlitePath: config.sqlitePath, databaseUrl: config.databaseUrl });
  await migrateToLatest(database.db);
  const smtp = createSmtpEmailProvider(config.smtp);
  const activities = createActivities({
    providers: {
      sms: [createTwilioSmsProvider(config.twilio)],
      // Order is failover order within the email channel: SendGrid first, SMTP when SendGrid gives up.
      email: [createSendGridEmailProvider(config.sendgrid), smtp],
      push: [createFcmPushProvider(config.fcm)],
      webhook: [createOutboundWebhookProvider()],
    },
    messageLog: createMessageLog(database),
    webhookBaseUrl: config.publicUrl,
    directory: createRecipientDirectory(database),
    audiences: createAudienceDirectory(database),
  });

  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  try {
    const worker = await createWorker({
      connection,
      namespace: config.temporalNamespace,
      activities,
      workflowBundlePath: config.workflowBundlePath,
    });
    log.info(
      {
        temporal: config.temporalAddress,
        database: database.label,
        realProviders: config.realProviders,
        sandbox: config.sandboxUrl,
      },
      'worker started',
    );
    // The SDK's runtime turns SIGINT/SIGTERM into a graceful shutdown; run() resolves once it has drained.
    await worker.run();
    log.info('worker stopped');
  } finally {
    await connection.close();
    smtp.close();
    await database.close();
  }
}

run().catch((error) => {
  console.error(error);
  process.exit(1);
});
