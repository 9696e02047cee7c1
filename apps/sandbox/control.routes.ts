/** Test-facing control plane under `/sandbox`: inspect what arrived, inject faults, reset between tests. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SandboxContext } from './context';
import { sandboxCredentials } from './credentials';
import { faultSpecSchema } from './faults';
import { eventsFor, postEvents } from './sendgrid.events';

const sendgridEventRequest = z.object({
  /** The X-Message-Id SendGrid answered the send with. */
  messageId: z.string().min(1),
  event: z.enum([
    'processed',
    'delivered',
    'deferred',
    'bounce',
    'dropped',
    'open',
    'click',
    'spamreport',
    'unsubscribe',
  ]),
  /** Defaults to the configured Event Webhook URL. */
  url: z.string().url().optional(),
  /** Extra fields merged into each event (e.g. a forged custom arg). */
  extra: z.record(z.string(), z.unknown()).optional(),
});

const messageQuery = z.object({
  provider: z.string().optional(),
  channel: z.string().optional(),
  to: z.string().optional(),
  id: z.string().optional(),
});

function query(req: FastifyRequest): Record<string, unknown> {
  return typeof req.query === 'object' && req.query !== null ? (req.query as Record<string, unknown>) : {};
}

export function controlRoutes(ctx: SandboxContext, reset: () => void) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/health', async () => ({ ok: true }));

    app.get('/messages', async (req, reply) => {
      const filter = messageQuery.safeParse(query(req));
      if (!filter.success) return reply.code(400).send({ error: 'invalid query', issues: filter.error.issues });
      return ctx.store.listMessages(filter.data, ctx.now());
    });
    app.delete('/messages', async (_req, reply) => {
      reset();
      return reply.code(204).send();
    });

    app.get('/requests', async (req) => {
      const provider = query(req).provider;
      return ctx.store.listRequests(typeof provider === 'string' ? provider : undefined);
    });
    app.get('/callbacks', async (req) => {
      const messageId = query(req).messageId;
      return ctx.store.listCallbacks(typeof messageId === 'string' ? messageId : undefined);
    });

    app.get('/sendgrid/public-key', async () => ({ publicKey: sandboxCredentials.sendgridEventWebhook.publicKey }));
    app.post('/sendgrid/events', async (req, reply) => {
      const request = sendgridEventRequest.safeParse(req.body);
      if (!request.success)
        return reply.code(400).send({ error: 'invalid event request', issues: request.error.issues });
      const message = ctx.store.findMessage('sendgrid', request.data.messageId);
      if (!message) return reply.code(404).send({ error: `no SendGrid message ${request.data.messageId}` });
      const url = request.data.url ?? ctx.config.sendgridEventWebhookUrl;
      if (!url) return reply.code(409).send({ error: 'no Event Webhook URL configured' });
      const events = eventsFor(message, request.data.event, ctx.now(), request.data.extra);
      const status = await postEvents(ctx, url, message.id, events);
      return reply.code(202).send({ posted: events.length, responseStatus: status });
    });

    app.get('/faults', async () => ctx.faults.list());
    app.post('/faults', async (req, reply) => {
      const spec = faultSpecSchema.safeParse(req.body);
      if (!spec.success) return reply.code(400).send({ error: 'invalid fault', issues: spec.error.issues });
      return reply.code(201).send(ctx.faults.add(spec.data));
    });
    app.delete('/faults', async (_req, reply) => {
      ctx.faults.clear();
      return reply.code(204).send();
    });
  };
}
