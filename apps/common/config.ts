import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * Settings every Herald process shares, parsed once at start-up from the environment. A bad value stops the
 * process with a message naming the variable, rather than surfacing later as a confusing runtime error.
 */
const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

const commonSchema = z.object({
  PORT: port(3000),
  SANDBOX_PORT: port(4010),
  SANDBOX_SMTP_PORT: port(4025),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  DATA_DIR: z.string().min(1).default('./data'),
  // postgres://user:password@host:5432/herald. A bad value is reported by name only, never echoed.
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  PROVIDER_SANDBOX_URL: z.string().url().optional(),
  PUBLIC_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface CommonConfig {
  gatewayPort: number;
  sandboxPort: number;
  sandboxSmtpPort: number;
  temporalPort: number;
  temporalUiPort: number;
  temporalAddress: string;
  temporalNamespace: string;
  dataDir: string;
  /** Herald's SQLite file under DATA_DIR; used when `databaseUrl` is not set. */
  sqlitePath: string;
  /** `DATABASE_URL`: Herald's database on PostgreSQL instead of SQLite. Holds a password: never log it. */
  databaseUrl?: string;
  sandboxUrl: string;
  /** The gateway's public base URL; the worker builds provider callback URLs from it. */
  publicUrl: string;
  logLevel: z.infer<typeof commonSchema>['LOG_LEVEL'];
}

export function parseEnv<T extends z.ZodTypeAny>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  // An empty variable (`TWILIO_ACCOUNT_SID=` in a compose file or .env) means "not set", not "set to nothing".
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  return result.data;
}

export function loadCommonConfig(env: NodeJS.ProcessEnv = process.env): CommonConfig {
  const raw = parseEnv(commonSchema, env);
  const dataDir = resolve(raw.DATA_DIR);
  return {
    gatewayPort: raw.PORT,
    sandboxPort: raw.SANDBOX_PORT,
    sandboxSmtpPort: raw.SANDBOX_SMTP_PORT,
    temporalPort: raw.TEMPORAL_PORT,
    temporalUiPort: raw.TEMPORAL_UI_PORT,
    temporalAddress: raw.TEMPORAL_ADDRESS ?? `127.0.0.1:${raw.TEMPORAL_PORT}`,
    temporalNamespace: raw.TEMPORAL_NAMESPACE,
    dataDir,
    sqlitePath: resolve(dataDir, 'herald.sqlite'),
    databaseUrl: raw.DATABASE_URL,
    sandboxUrl: (raw.PROVIDER_SANDBOX_URL ?? `http://127.0.0.1:${raw.SANDBOX_PORT}`).replace(/\/$/, ''),
    publicUrl: (raw.PUBLIC_URL ?? `http://127.0.0.1:${raw.PORT}`).replace(/\/$/, ''),
    logLevel: raw.LOG_LEVEL,
  };
}
