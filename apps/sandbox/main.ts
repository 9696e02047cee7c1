/**
 * Runs the provider sandbox on its own: `SANDBOX_PORT` (default 4010), `SANDBOX_HOST` (default 127.0.0.1).
 * Point the SDKs at `<url>/twilio`, `<url>/sendgrid/` and `<url>` + path `/segment/v1/batch`.
 */
import { createSandbox } from './sandbox';

function portFromEnv(name: string, fallback: number): number {
  const value = process.env[name] || undefined;
  const port = Number(value ?? fallback);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${name} must be a port number, got ${value}`);
  return port;
}

async function main(): Promise<void> {
  const sandbox = createSandbox({
    sendgridEventWebhookUrl: process.env.SANDBOX_SENDGRID_EVENT_WEBHOOK_URL || undefined,
  });
  const host = process.env.SANDBOX_HOST || '127.0.0.1';
  const url = await sandbox.listen(portFromEnv('SANDBOX_PORT', 4010), host);
  const smtpPort = await sandbox.listenSmtp(portFromEnv('SANDBOX_SMTP_PORT', 4025), host);
  console.log(`provider sandbox listening on ${url} (inbox: ${url}/sandbox), SMTP on ${host}:${smtpPort}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`provider sandbox: ${signal} received, stopping`);
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('provider sandbox: error while stopping', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('provider sandbox failed to start', error);
  process.exit(1);
});
