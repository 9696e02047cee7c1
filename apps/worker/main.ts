import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { withLifecycleEvents } from '../../activities/lifecycle-events';
import { createSegmentReporter } from '../../activities/providers/segment-reporter';
import { createFcmPushProvider } from '../../activities/providers/fcm-push';
import { createOutboundWebhookProvider } from '../../activities/providers/outbound-webhook';
import { createSendGridEmailProvider } from '../../activities/providers/sendgrid-email';
import { createSmtpEmailProvider } from '../../activities/providers/smtp-email';
import { createTwilioSmsProvider } from '../../activities/providers/twilio-sms';
import { openDatabase } from '../../db/database';
import { createAutomationRunStore } from '../../db/automation-runs';
import { createAudienceDirectory, createAutomationDirectory, createRecipientDirectory } from '../../db/directories';
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
  const segment = config.segmentSource && createSegmentReporter(config.segmentSource, log);
  const messageLog = createMessageLog(database);
  const activities = createActivities({
    providers: {
      sms: [createTwilioSmsProvider(config.twilio)],
      // Order is failover order within the email channel: SendGrid first, SMTP when SendGrid gives up.
      email: [createSendGridEmailProvider(config.sendgrid), smtp],
      push: [createFcmPushProvider(config.fcm)],
      webhook: [createOutboundWebhookProvider()],
    },
    messageLog: segment ? withLifecycleEvents(messageLog, segment, log) : messageLog,
    webhookBaseUrl: config.publicUrl,
    directory: createRecipientDirectory(database),
    audiences: createAudienceDirectory(database),
    automations: createAutomationDirectory(database),
    runs: createAutomationRunStore(database),
    defaultRouting: config.defaultRouting,
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
        segmentSource: segment ? (config.segmentSource?.host ?? 'https://api.segment.io') : 'off',
      },
      'worker started',
    );
    // The SDK's runtime turns SIGINT/SIGTERM into a graceful shutdown; run() resolves once it has drained.
    await worker.run();
    log.info('worker stopped');
  } finally {
    // Lifecycle events still queued in memory are lost unless sent now (the status changes are in the log).
    await segment?.close();
    await connection.close();
    smtp.close();
    await database.close();
  }
}

run().catch((error) => {
  console.error(error);
  process.exit(1);
});
