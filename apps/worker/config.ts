import { z } from 'zod';
import type { SendGridSettings } from '../../activities/providers/sendgrid-client';
import type { TwilioSettings } from '../../activities/providers/twilio-client';
import { sandboxCredentials } from '../sandbox/credentials';
import { loadCommonConfig, parseEnv, type CommonConfig } from '../common/config';

const workerSchema = z.object({
  TWILIO_ACCOUNT_SID: z.string().startsWith('AC').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  TWILIO_FROM: z.string().min(1).optional(),
  TWILIO_MESSAGING_SERVICE_SID: z.string().startsWith('MG').optional(),
  SENDGRID_API_KEY: z.string().min(1).optional(),
  SENDGRID_FROM_EMAIL: z.string().email().default('notifications@herald.local'),
  SENDGRID_FROM_NAME: z.string().default('Herald'),
  WORKFLOW_BUNDLE_PATH: z.string().optional(),
});

export interface WorkerConfig extends CommonConfig {
  twilio: TwilioSettings;
  sendgrid: SendGridSettings;
  /** Which providers use real credentials; the others go to the sandbox. Logged at start-up (without secrets). */
  realProviders: string[];
  workflowBundlePath?: string;
}

/** Real credentials in the environment select the real provider; otherwise the provider sandbox is used. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const common = loadCommonConfig(env);
  const raw = parseEnv(workerSchema, env);
  const realTwilio = Boolean(raw.TWILIO_ACCOUNT_SID && raw.TWILIO_AUTH_TOKEN);
  const realSendGrid = Boolean(raw.SENDGRID_API_KEY);

  const twilio: TwilioSettings = realTwilio
    ? {
        accountSid: raw.TWILIO_ACCOUNT_SID as string,
        authToken: raw.TWILIO_AUTH_TOKEN as string,
        from: raw.TWILIO_FROM,
        messagingServiceSid: raw.TWILIO_MESSAGING_SERVICE_SID,
      }
    : {
        ...sandboxCredentials.twilio,
        from: raw.TWILIO_FROM ?? sandboxCredentials.twilioFrom,
        baseUrl: `${common.sandboxUrl}/twilio`,
      };

  const sendgrid: SendGridSettings = {
    apiKey: raw.SENDGRID_API_KEY ?? sandboxCredentials.sendgrid.apiKey,
    fromEmail: raw.SENDGRID_FROM_EMAIL,
    fromName: raw.SENDGRID_FROM_NAME,
    baseUrl: realSendGrid ? undefined : `${common.sandboxUrl}/sendgrid/`,
  };

  return {
    ...common,
    twilio,
    sendgrid,
    realProviders: [realTwilio && 'twilio', realSendGrid && 'sendgrid'].filter((p): p is string => Boolean(p)),
    workflowBundlePath: raw.WORKFLOW_BUNDLE_PATH,
  };
}
