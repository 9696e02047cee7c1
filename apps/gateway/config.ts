import { z } from 'zod';
import { sandboxCredentials } from '../sandbox/credentials';
import { loadCommonConfig, parseEnv, type CommonConfig } from '../common/config';

/** The development key `npm start` accepts when HERALD_API_KEYS is not set. Set real keys anywhere else. */
export const DEVELOPMENT_API_KEY = 'herald-dev-key';

const gatewaySchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  HERALD_API_KEYS: z.string().default(DEVELOPMENT_API_KEY),
  PUBLIC_URL: z.string().url().optional(),
  TWILIO_ACCOUNT_SID: z.string().optional(),
  TWILIO_AUTH_TOKEN: z.string().optional(),
  SENDGRID_API_KEY: z.string().optional(),
  SENDGRID_WEBHOOK_PUBLIC_KEY: z.string().optional(),
});

export interface GatewayConfig extends CommonConfig {
  host: string;
  apiKeys: string[];
  /** The gateway's public base URL: in the links it prints and in the callback URLs providers sign. */
  publicUrl: string;
  /** Verifies Twilio status callbacks: the real auth token, or the sandbox's when Twilio is not configured. */
  twilioAuthToken: string;
  /** Verifies SendGrid events; unset (real SendGrid without a key) refuses every event batch. */
  sendgridWebhookPublicKey?: string;
}

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const common = loadCommonConfig(env);
  const raw = parseEnv(gatewaySchema, env);
  const apiKeys = raw.HERALD_API_KEYS.split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (apiKeys.length === 0) throw new Error('invalid configuration: HERALD_API_KEYS has no key');
  return {
    ...common,
    host: raw.HOST,
    apiKeys,
    publicUrl: common.publicUrl,
    twilioAuthToken:
      raw.TWILIO_ACCOUNT_SID && raw.TWILIO_AUTH_TOKEN ? raw.TWILIO_AUTH_TOKEN : sandboxCredentials.twilio.authToken,
    sendgridWebhookPublicKey:
      raw.SENDGRID_WEBHOOK_PUBLIC_KEY ??
      (raw.SENDGRID_API_KEY ? undefined : sandboxCredentials.sendgridEventWebhook.publicKey),
  };
}
