import { z } from 'zod';
import { loadCommonConfig, parseEnv, type CommonConfig } from '../common/config';

/** The development key `npm start` accepts when HERALD_API_KEYS is not set. Set real keys anywhere else. */
export const DEVELOPMENT_API_KEY = 'herald-dev-key';

const gatewaySchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  HERALD_API_KEYS: z.string().default(DEVELOPMENT_API_KEY),
  PUBLIC_URL: z.string().url().optional(),
});

export interface GatewayConfig extends CommonConfig {
  host: string;
  apiKeys: string[];
  /** The gateway's public base URL, used in links it prints and, later, in provider callback URLs. */
  publicUrl: string;
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
    publicUrl: (raw.PUBLIC_URL ?? `http://127.0.0.1:${common.gatewayPort}`).replace(/\/$/, ''),
  };
}
