import pino, { type Logger } from 'pino';

/**
 * One JSON logger per process. Credentials can reach log calls through request headers or error objects, so
 * every path where they may appear is redacted here rather than trusted to each call site.
 */
export function createLogger(name: string, level: string): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        '*.headers.authorization',
        'config.headers.Authorization',
        '*.authToken',
        '*.apiKey',
        '*.writeKey',
        'authToken',
        'apiKey',
        'writeKey',
      ],
      censor: '[redacted]',
    },
  });
}
export type { Logger };
