import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import type { Stack } from './stack';

/**
 * The built worker (`dist/apps/worker/main.js`, as `npm start` runs it) as its own process against a test stack,
 * so a test can kill it outright. Needs `npm run build`, which `npm test` runs first.
 */
export function spawnWorker(stack: Stack): ChildProcess {
  const { databaseAt } = stack;
  const database =
    'databaseUrl' in databaseAt && databaseAt.databaseUrl
      ? {
          DATABASE_URL: `${databaseAt.databaseUrl}${databaseAt.databaseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(
            `-c search_path=${databaseAt.schema ?? 'public'}`,
          )}`,
        }
      : { DATA_DIR: dirname(databaseAt.sqlitePath as string) };
  const child = spawn(process.execPath, [resolve(__dirname, '../../dist/apps/worker/main.js')], {
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      PROVIDER_SANDBOX_URL: stack.sandboxUrl,
      SANDBOX_SMTP_PORT: String(stack.smtpPort),
      PUBLIC_URL: stack.gatewayUrl,
      LOG_LEVEL: 'warn',
      NO_PROXY: '127.0.0.1,localhost',
      ...database,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

/** SIGKILL: no graceful shutdown, in-flight tasks are simply lost, as when a machine dies. */
export async function killWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGKILL');
  await exited;
}
