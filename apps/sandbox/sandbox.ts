import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import pino, { type Logger } from 'pino';
import { registerBodyParsers } from './body-parsers';
import type { SandboxConfig, SandboxContext, TwilioTiming } from './context';
import { controlRoutes } from './control.routes';
import { sandboxCredentials } from './credentials';
import { FaultQueue } from './faults';
import { fcmRoutes } from './fcm.routes';
import { renderPage } from './page';
import { Scheduler } from './scheduler';
import { segmentRoutes } from './segment.routes';
import { createSmtpSink } from './smtp';
import { webhookRoutes } from './webhook.routes';
import { sendgridRoutes } from './sendgrid.routes';
import { DEFAULT_MAX_ENTRIES, SandboxStore } from './store';
import { twilioRoutes } from './twilio.routes';

export interface SandboxOptions {
  twilio?: { accountSid: string; authToken: string };
  sendgridApiKey?: string;
  segmentWriteKey?: string;
  /** When a Twilio message turns `sent` and then final, counted from its creation. Defaults 200 / 600 ms. */
  twilioStatusTiming?: Partial<TwilioTiming>;
  /** One line per request through pino (default on); false for quiet in-process tests, or your own pino logger. */
  logger?: boolean | Logger;
  /** When set, the SMTP sink requires AUTH with exactly these. */
  smtpCredentials?: { user: string; password: string };
  /** Where to post signed SendGrid Event Webhook batches (processed, delivered, bounce, engagement). */
  sendgridEventWebhookUrl?: string;
  /** Cap on recorded messages, requests and callbacks each; the oldest go first. */
  maxEntries?: number;
}

export interface Sandbox {
  /** Starts listening (port 0 = any free port) and resolves with the base URL, e.g. `http://127.0.0.1:4010`. */
  listen(port?: number, host?: string): Promise<string>;
  /** Starts the SMTP sink (port 0 = any free port) and resolves with its port. */
  listenSmtp(port?: number, host?: string): Promise<number>;
  close(): Promise<void>;
  /** The base URL; only available once `listen` has resolved. */
  readonly url: string;
  readonly store: SandboxStore;
  readonly faults: FaultQueue;
  /** What `DELETE /sandbox/messages` does: forget messages, requests, callbacks and faults; cancel pending callbacks. */
  reset(): void;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024; // SendGrid accepts mails up to ~30 MB.

function resolveConfig(options: SandboxOptions): SandboxConfig {
  const sentAfterMs = options.twilioStatusTiming?.sentAfterMs ?? 200;
  const deliveredAfterMs = Math.max(sentAfterMs, options.twilioStatusTiming?.deliveredAfterMs ?? 600);
  return {
    twilio: options.twilio ?? { ...sandboxCredentials.twilio },
    twilioDefaultFrom: sandboxCredentials.twilioFrom,
    sendgridApiKey: options.sendgridApiKey ?? sandboxCredentials.sendgrid.apiKey,
    segmentWriteKey: options.segmentWriteKey ?? sandboxCredentials.segment.writeKey,
    twilioTiming: { sentAfterMs, deliveredAfterMs },
    sendgridEventWebhookUrl: options.sendgridEventWebhookUrl,
  };
}

function createLogger(option: boolean | Logger): Logger {
  return typeof option === 'boolean' ? pino({ name: 'sandbox', enabled: option }) : option;
}

/** 0.0.0.0 and :: are not addresses a client can dial; report loopback instead. */
function baseUrl(address: AddressInfo): string {
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const ctx: SandboxContext = {
    config: resolveConfig(options),
    store: new SandboxStore(options.maxEntries ?? DEFAULT_MAX_ENTRIES),
    faults: new FaultQueue(),
    callbacks: new Scheduler(),
    held: new Scheduler(),
    logger: createLogger(options.logger ?? true),
    now: () => Date.now(),
  };
  const smtp = createSmtpSink({
    store: ctx.store,
    logger: ctx.logger,
    credentials: options.smtpCredentials,
    faults: ctx.faults,
    now: ctx.now,
  });
  const reset = () => {
    ctx.callbacks.cancelAll();
    ctx.faults.clear();
    ctx.store.clear();
  };

  // Fastify's own logger stays off: we want exactly one short line per request and full control over what is
  // printed (no headers, so no Authorization or keys).
  // forceCloseConnections: keep-alive sockets of SDK clients must not keep `close()` (and jest) waiting.
  const app = Fastify({ logger: false, bodyLimit: MAX_BODY_BYTES, forceCloseConnections: true });
  registerBodyParsers(app);
  app.addHook('onResponse', async (req, reply) => {
    const quiet = req.method === 'GET' && (req.url === '/' || req.url.startsWith('/sandbox'));
    ctx.logger[quiet ? 'debug' : 'info'](
      `${req.method} ${req.url} ${reply.statusCode} ${Math.round(reply.elapsedTime)}ms`,
    );
  });
  app.setErrorHandler((error: { statusCode?: number; message: string }, req, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    ctx.logger.error(`${req.method} ${req.url} failed: ${error.message}`);
    return reply.code(status).send({ error: error.message });
  });

  app.register(twilioRoutes(ctx), { prefix: '/twilio' });
  app.register(sendgridRoutes(ctx), { prefix: '/sendgrid' });
  app.register(segmentRoutes(ctx), { prefix: '/segment' });
  app.register(fcmRoutes(ctx), { prefix: '/fcm' });
  app.register(webhookRoutes(ctx), { prefix: '/webhook' });
  app.register(controlRoutes(ctx, reset), { prefix: '/sandbox' });
  for (const path of ['/', '/sandbox']) {
    app.get(path, async (_req, reply) =>
      reply.type('text/html; charset=utf-8').send(renderPage(ctx.store.listMessages({}, ctx.now()))),
    );
  }

  let url: string | undefined;
  return {
    async listen(port = 0, host = '127.0.0.1') {
      await app.listen({ port, host });
      url = baseUrl(app.server.address() as AddressInfo);
      return url;
    },
    async close() {
      ctx.callbacks.cancelAll();
      // Held requests get their 503 now rather than after their full delay.
      ctx.held.cancelAll();
      await new Promise((resolve) => setImmediate(resolve));
      await Promise.all([app.close(), smtp.close()]);
      url = undefined;
    },
    listenSmtp(port = 0, host = '127.0.0.1') {
      return smtp.listen(port, host);
    },
    get url() {
      if (!url) throw new Error('sandbox is not listening; await listen() first');
      return url;
    },
    store: ctx.store,
    faults: ctx.faults,
    reset,
  };
}
