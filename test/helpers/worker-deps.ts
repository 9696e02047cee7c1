import { createActivities, type Activities } from '../../activities';
import { withLifecycleEvents, type MessageLifecycleReporter } from '../../activities/lifecycle-events';
import { createFcmPushProvider } from '../../activities/providers/fcm-push';
import { createOutboundWebhookProvider } from '../../activities/providers/outbound-webhook';
import { createSendGridEmailProvider } from '../../activities/providers/sendgrid-email';
import { createSmtpEmailProvider } from '../../activities/providers/smtp-email';
import { createTwilioSmsProvider } from '../../activities/providers/twilio-sms';
import { createLogger } from '../../apps/common/logger';
import { sandboxCredentials } from '../../apps/sandbox/credentials';
import { openDatabase, type DatabaseSettings, type HeraldDatabase } from '../../db/database';
import { createAutomationRunStore } from '../../db/automation-runs';
import { createAudienceDirectory, createAutomationDirectory, createRecipientDirectory } from '../../db/directories';
import { createMessageLog, type HeraldMessageLog } from '../../db/message-log';
import { migrateToLatest } from '../../db/migrations';

export interface WorkerDeps {
  activities: Activities;
  database: HeraldDatabase;
  messageLog: HeraldMessageLog;
}

/** The worker's real activities, pointed at a sandbox and a database (SQLite in memory unless told otherwise). */
export async function realWorkerDeps(
  sandboxUrl: string,
  smtpPort: number,
  databaseAt: string | DatabaseSettings = ':memory:',
  webhookBaseUrl?: string,
  /** Hears the lifecycle changes the activities commit; unset (the default) = none are reported. */
  lifecycleReporter?: MessageLifecycleReporter,
): Promise<WorkerDeps> {
  const database = openDatabase(typeof databaseAt === 'string' ? { sqlitePath: databaseAt } : databaseAt);
  await migrateToLatest(database.db);
  const logged = createMessageLog(database);
  const messageLog = lifecycleReporter
    ? withLifecycleEvents(logged, lifecycleReporter, createLogger('worker-test', 'silent'))
    : logged;
  const activities = createActivities({
    providers: {
      sms: [
        createTwilioSmsProvider({
          ...sandboxCredentials.twilio,
          from: sandboxCredentials.twilioFrom,
          baseUrl: `${sandboxUrl}/twilio`,
        }),
      ],
      email: [
        createSendGridEmailProvider({
          apiKey: sandboxCredentials.sendgrid.apiKey,
          fromEmail: 'notifications@herald.test',
          baseUrl: `${sandboxUrl}/sendgrid/`,
        }),
        createSmtpEmailProvider({ host: '127.0.0.1', port: smtpPort, fromEmail: 'notifications@herald.test' }),
      ],
      push: [
        createFcmPushProvider({
          projectId: 'herald-test',
          baseUrl: `${sandboxUrl}/fcm`,
          getAccessToken: async () => 'sandbox-token',
        }),
      ],
      webhook: [createOutboundWebhookProvider()],
    },
    messageLog,
    webhookBaseUrl,
    directory: createRecipientDirectory(database),
    audiences: createAudienceDirectory(database),
    automations: createAutomationDirectory(database),
    runs: createAutomationRunStore(database),
  });
  return { activities, database, messageLog };
}
