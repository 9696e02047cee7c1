/**
 * A receiver for Herald's generic `webhook` channel, under `/webhook`: any POST or PUT to `/webhook/<anything>` is
 * recorded as a delivered message. Magic paths for tests: `/webhook/status/<code>` answers that HTTP status
 * (e.g. 500 to exercise retries, 400 for a permanent refusal); faults work as for the other providers.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SandboxContext } from './context';
import { providerRoute, reasonPhrase, type ProviderApi, type ProviderReply } from './provider-route';

const api: ProviderApi = {
  provider: 'webhook',
  errorReply: (status, message) => ({ status, body: { error: reasonPhrase(status), message } }),
};

export function webhookRoutes(ctx: SandboxContext) {
  return async (app: FastifyInstance): Promise<void> => {
    const handler = providerRoute(ctx, api, (request) => receive(ctx, request));
    app.post('/*', handler);
    app.put('/*', handler);
  };
}

function receive(ctx: SandboxContext, request: FastifyRequest): ProviderReply {
  const magic = /\/webhook\/status\/(\d{3})(?:[/?]|$)/.exec(request.url);
  if (magic) return api.errorReply(Number(magic[1]), 'answered as asked by the magic path');
  const body = (request.body ?? {}) as { title?: string; body?: string; messageId?: string };
  const id = randomUUID();
  ctx.store.addMessage({
    id,
    provider: 'webhook',
    channel: 'webhook',
    to: request.url,
    from: null,
    subject: typeof body.title === 'string' ? body.title : undefined,
    body: typeof body.body === 'string' ? body.body : undefined,
    initialStatus: 'received',
    steps: [],
    receivedAt: ctx.now(),
    params: {
      method: request.method,
      headers: {
        'content-type': request.headers['content-type'],
        authorization: request.headers.authorization ? '[present]' : undefined,
      },
      body: request.body,
    },
    recipients: [request.url],
  });
  return { status: 200, body: { received: true, id } };
}
