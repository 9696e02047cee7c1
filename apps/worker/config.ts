import { z } from 'zod';
import {
  googleAccessTokenProvider,
  googleApplicationDefaultAccessTokenProvider,
} from '../../activities/providers/fcm-client';
import type { FcmSettings } from '../../activities/providers/fcm-push';
import type { SendGridSettings } from '../../activities/providers/sendgrid-client';
import type { SmtpSettings } from '../../activities/providers/smtp-email';
import type { TwilioSettings } from '../../activities/providers/twilio-client';
import { sandboxCredentials } from '../sandbox/credentials';
import { loadCommonConfig, parseEnv, type CommonConfig } from '../common/config';
import { parseDefaultRouting } from '../common/default-routing';
import type { RoutingNode } from '../../domain/message';
import { loadSegmentSourceSettings } from '../common/segment-source';
import type { SegmentReporterSettings } from '../../activities/providers/segment-reporter';

const workerSchema = z.object({
  TWILIO_ACCOUNT_SID: z.string().startsWith('AC').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  TWILIO_FROM: z.string().min(1).optional(),
  TWILIO_MESSAGING_SERVICE_SID: z.string().startsWith('MG').optional(),
  SENDGRID_API_KEY: z.string().min(1).optional(),
  SENDGRID_FROM_EMAIL: z.string().email().default('notifications@herald.local'),
  SENDGRID_FROM_NAME: z.string().default('Herald'),
  WORKFLOW_BUNDLE_PATH: z.string().optional(),
  /** A second email provider over SMTP; without SMTP_HOST it points at the sandbox's SMTP sink. */
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  SMTP_SECURE: z.enum(['true', 'false', '1', '0']).optional(),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  SMTP_FROM_EMAIL: z.string().email().optional(),
  /** Firebase project that owns the device tokens; defaults to the service account key's `project_id`. */
  FCM_PROJECT_ID: z.string().min(1).optional(),
  /** The service account key file's JSON text (a secret). */
  FCM_SERVICE_ACCOUNT_JSON: z.string().min(1).optional(),
  /** Path to a key file, read by google-auth-library (Application Default Credentials). */
  GOOGLE_APPLICATION_CREDENTIALS: z.string().min(1).optional(),
  /** Replaces https://fcm.googleapis.com (a proxy, or the sandbox at another URL). */
  FCM_BASE_URL: z.string().url().optional(),
  /** As the gateway's: routing for automation sends that name none. */
  HERALD_DEFAULT_ROUTING: z.string().optional(),
});

/** Used with the provider sandbox, which accepts any bearer token and any project. */
const SANDBOX_FCM = { projectId: 'herald-sandbox', accessToken: 'sandbox-fcm-token' } as const;

function fcmSettings(raw: z.infer<typeof workerSchema>, sandboxUrl: string): FcmSettings {
  if (raw.FCM_SERVICE_ACCOUNT_JSON) {
    const getAccessToken = googleAccessTokenProvider(raw.FCM_SERVICE_ACCOUNT_JSON); // validates the key
    const keyProject = (JSON.parse(raw.FCM_SERVICE_ACCOUNT_JSON) as { project_id?: unknown }).project_id;
    const projectId = raw.FCM_PROJECT_ID ?? (typeof keyProject === 'string' ? keyProject : undefined);
    if (!projectId) throw new Error('invalid configuration: FCM_PROJECT_ID is required (the key has no project_id)');
    return { projectId, baseUrl: raw.FCM_BASE_URL, getAccessToken };
  }
  if (raw.GOOGLE_APPLICATION_CREDENTIALS) {
    if (!raw.FCM_PROJECT_ID) {
      throw new Error('invalid configuration: FCM_PROJECT_ID is required with GOOGLE_APPLICATION_CREDENTIALS');
    }
    return {
      projectId: raw.FCM_PROJECT_ID,
      baseUrl: raw.FCM_BASE_URL,
      getAccessToken: googleApplicationDefaultAccessTokenProvider(),
    };
  }
  return {
    projectId: raw.FCM_PROJECT_ID ?? SANDBOX_FCM.projectId,
    baseUrl: raw.FCM_BASE_URL ?? `${sandboxUrl}/fcm`,
    getAccessToken: async () => SANDBOX_FCM.accessToken,
  };
}

export interface WorkerConfig extends CommonConfig {
  twilio: TwilioSettings;
  sendgrid: SendGridSettings;
  fcm: FcmSettings;
  smtp: SmtpSettings;
  /** Which providers use real credentials; the others go to the sandbox. Logged at start-up (without secrets). */
  realProviders: string[];
  workflowBundlePath?: string;
  defaultRouting: RoutingNode;
  /** Where message lifecycle changes are tracked (Herald as a Segment source); unset = nowhere. */
  segmentSource?: SegmentReporterSettings;
}

/** Real credentials in the environment select the real provider; otherwise the provider sandbox is used. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const common = loadCommonConfig(env);
  const raw = parseEnv(workerSchema, env);
  const realTwilio = Boolean(raw.TWILIO_ACCOUNT_SID && raw.TWILIO_AUTH_TOKEN);
  const realSendGrid = Boolean(raw.SENDGRID_API_KEY);
  const realSmtp = Boolean(raw.SMTP_HOST);
  const secure = raw.SMTP_SECURE === 'true' || raw.SMTP_SECURE === '1';
  const smtp: SmtpSettings = {
    host: raw.SMTP_HOST ?? new URL(common.sandboxUrl).hostname,
    port: raw.SMTP_PORT ?? (realSmtp ? (secure ? 465 : 587) : common.sandboxSmtpPort),
    secure,
    user: raw.SMTP_USER,
    password: raw.SMTP_PASSWORD,
    fromEmail: raw.SMTP_FROM_EMAIL ?? raw.SENDGRID_FROM_EMAIL,
    fromName: raw.SENDGRID_FROM_NAME,
  };
  const realFcm = Boolean(raw.FCM_SERVICE_ACCOUNT_JSON || raw.GOOGLE_APPLICATION_CREDENTIALS);

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
    fcm: fcmSettings(raw, common.sandboxUrl),
    smtp,
    realProviders: [
      realTwilio && 'twilio',
      realSendGrid && 'sendgrid',
      realSmtp && 'smtp',
      realFcm && 'firebase-fcm',
    ].filter((p): p is string => Boolean(p)),
    workflowBundlePath: raw.WORKFLOW_BUNDLE_PATH,
    defaultRouting: parseDefaultRouting(raw.HERALD_DEFAULT_ROUTING),
    segmentSource: loadSegmentSourceSettings(env, common.sandboxUrl),
  };
}
