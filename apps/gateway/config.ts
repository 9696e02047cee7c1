import { resolve } from 'node:path';
import { z } from 'zod';
import type { RoutingNode } from '../../domain/message';
import type { SendGridApiSettings } from '../../activities/providers/sendgrid-client';
import { sandboxCredentials } from '../sandbox/credentials';
import { loadCommonConfig, parseEnv, type CommonConfig } from '../common/config';
import { loadSegmentSourceSettings } from '../common/segment-source';
import { parseDefaultRouting } from '../common/default-routing';
import type { SegmentReporterSettings } from '../../activities/providers/segment-reporter';

/** The development key `npm start` accepts when HERALD_API_KEYS is not set. Set real keys anywhere else. */
export const DEVELOPMENT_API_KEY = 'herald-dev-key';
/** The development write key `/v1/batch` accepts when HERALD_SEGMENT_WRITE_KEYS is not set. */
export const DEVELOPMENT_SEGMENT_WRITE_KEY = 'herald-segment-dev-key';

const gatewaySchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  HERALD_API_KEYS: z.string().default(DEVELOPMENT_API_KEY),
  /** Write keys Segment libraries may send events with (HTTP Tracking API, `/v1/*`), comma-separated. */
  HERALD_SEGMENT_WRITE_KEYS: z.string().default(DEVELOPMENT_SEGMENT_WRITE_KEY),
  PUBLIC_URL: z.string().url().optional(),
  TWILIO_ACCOUNT_SID: z.string().optional(),
  TWILIO_AUTH_TOKEN: z.string().optional(),
  SENDGRID_API_KEY: z.string().optional(),
  SENDGRID_WEBHOOK_PUBLIC_KEY: z.string().optional(),
  /** The workspace's routing for sends that name none, as JSON: {"method":"single","channels":["email","sms"]}. */
  HERALD_DEFAULT_ROUTING: z.string().optional(),
  /** Where the shipped examples are; `off` installs none. */
  HERALD_EXAMPLES: z.string().default('examples'),
});

export interface GatewayConfig extends CommonConfig {
  host: string;
  apiKeys: string[];
  /** Segment write keys accepted on `/v1/batch`, `/v1/track`, `/v1/identify` and `/v1/group`. */
  segmentWriteKeys: string[];
  /** The gateway's public base URL: in the links it prints and in the callback URLs providers sign. */
  publicUrl: string;
  /** Verifies Twilio status callbacks: the real auth token, or the sandbox's when Twilio is not configured. */
  twilioAuthToken: string;
  /** Verifies SendGrid events; unset (real SendGrid without a key) refuses every event batch. */
  sendgridWebhookPublicKey?: string;
  /** Routing used when a send names none. */
  defaultRouting: RoutingNode;
  /** SendGrid's v3 API, for importing templates: the real one with SENDGRID_API_KEY, else the sandbox's. */
  sendgrid: SendGridApiSettings;
  /** The examples directory installed at start-up into a workspace that lacks them; undefined = none. */
  examplesDir?: string;
  /** Where the gateway's lifecycle changes (provider webhooks) are tracked, as a Segment source; unset = nowhere. */
  segmentSource?: SegmentReporterSettings;
}

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const common = loadCommonConfig(env);
  const raw = parseEnv(gatewaySchema, env);
  const apiKeys = raw.HERALD_API_KEYS.split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (apiKeys.length === 0) throw new Error('invalid configuration: HERALD_API_KEYS has no key');
  const segmentWriteKeys = raw.HERALD_SEGMENT_WRITE_KEYS.split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (segmentWriteKeys.length === 0) throw new Error('invalid configuration: HERALD_SEGMENT_WRITE_KEYS has no key');
  return {
    ...common,
    host: raw.HOST,
    apiKeys,
    segmentWriteKeys,
    publicUrl: common.publicUrl,
    twilioAuthToken:
      raw.TWILIO_ACCOUNT_SID && raw.TWILIO_AUTH_TOKEN ? raw.TWILIO_AUTH_TOKEN : sandboxCredentials.twilio.authToken,
    defaultRouting: parseDefaultRouting(raw.HERALD_DEFAULT_ROUTING),
    sendgridWebhookPublicKey:
      raw.SENDGRID_WEBHOOK_PUBLIC_KEY ??
      (raw.SENDGRID_API_KEY ? undefined : sandboxCredentials.sendgridEventWebhook.publicKey),
    // As the worker: without a real key, the provider sandbox stands in for SendGrid.
    sendgrid: raw.SENDGRID_API_KEY
      ? { apiKey: raw.SENDGRID_API_KEY }
      : { apiKey: sandboxCredentials.sendgrid.apiKey, baseUrl: `${common.sandboxUrl}/sendgrid/` },
    segmentSource: loadSegmentSourceSettings(env, common.sandboxUrl),
    examplesDir: raw.HERALD_EXAMPLES === 'off' ? undefined : resolve(raw.HERALD_EXAMPLES),
  };
}
