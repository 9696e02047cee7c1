/**
 * SendGrid v3 Mail Send, under `/sendgrid` (providers.md §2). `@sendgrid/client` turns the HTTP reason phrase
 * into the error message and the status into `err.code`, so both must be the standard ones.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseBearer, sameSecret } from './auth';
import type { SandboxContext } from './context';
import { providerRoute, recordUnknown, type ProviderApi, type ProviderReply } from './provider-route';
import { scheduleDeliveryEvents } from './sendgrid.events';
import { isSandboxMode, summarizeMail, validateMail } from './sendgrid.mail';
import type { StoredMessage } from './store';

function errorReply(status: number, message: string, field: string | null = null): ProviderReply {
  const reply: ProviderReply = { status, body: { errors: [{ message, field, help: null }] } };
  if (status !== 429) return reply;
  // General v3 rate-limit headers: the window resets a minute from now.
  const reset = String(Math.floor(Date.now() / 1000) + 60);
  return {
    ...reply,
    headers: { 'X-RateLimit-Limit': '600', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': reset },
  };
}

const api: ProviderApi = {
  provider: 'sendgrid',
  errorReply: (status, message) => errorReply(status, message.toLowerCase()),
};

export function sendgridRoutes(ctx: SandboxContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post(
      '/v3/mail/send',
      providerRoute(ctx, api, (req) => sendMail(ctx, req)),
    );
    app.setNotFoundHandler((req, reply) => recordUnknown(ctx, api, req, reply));
  };
}

/** Real X-Message-Ids are 22 url-safe characters, which is exactly 16 random bytes in base64url. */
function newMessageId(): string {
  return randomBytes(16).toString('base64url');
}

function sendMail(ctx: SandboxContext, req: FastifyRequest): ProviderReply {
  if (!sameSecret(parseBearer(req.headers.authorization), ctx.config.sendgridApiKey)) {
    return errorReply(401, 'The provided authorization grant is invalid, expired, or revoked');
  }
  const errors = validateMail(req.body);
  if (errors.length > 0) return { status: 400, body: { errors } };

  const body = req.body as Record<string, unknown>;
  // Sandbox mode validates without sending, so nothing is recorded as a message.
  if (isSandboxMode(body)) return { status: 200 };

  const id = newMessageId();
  const mail = summarizeMail(body);
  const message: StoredMessage = {
    id,
    provider: 'sendgrid',
    channel: 'email',
    to: mail.to.join(', '),
    from: mail.from,
    subject: mail.subject,
    body: mail.text,
    html: mail.html,
    initialStatus: 'accepted',
    steps: [],
    receivedAt: ctx.now(),
    params: body,
    recipients: mail.recipients,
  };
  ctx.store.addMessage(message);
  scheduleDeliveryEvents(ctx, message);
  return { status: 202, headers: { 'X-Message-Id': id } };
}
