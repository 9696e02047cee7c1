/**
 * Segment Tracking API, under `/segment` (providers.md §3). analytics-node posts to `/v1/batch`; the single-event
 * endpoints exist for other callers. Events are deduplicated by `messageId`, as Segment does, so an SDK retry
 * after a dropped connection shows up once in the messages and twice in the request log.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseBasicAuth, sameSecret } from './auth';
import { InvalidJson } from './body-parsers';
import type { SandboxContext } from './context';
import { providerRoute, recordUnknown, type ProviderApi, type ProviderReply } from './provider-route';

type Json = Record<string, unknown>;

const EVENT_TYPES = ['track', 'identify', 'group', 'page', 'screen', 'alias'] as const;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorReply(status: number, message: string): ProviderReply {
  return { status, body: { success: false, message } };
}

const api: ProviderApi = {
  provider: 'segment',
  errorReply,
  redactBody: (body) => (isObject(body) && 'writeKey' in body ? { ...body, writeKey: '[redacted]' } : body),
};

export function segmentRoutes(ctx: SandboxContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post(
      '/v1/batch',
      providerRoute(ctx, api, (req) => receive(ctx, req, undefined)),
    );
    for (const type of EVENT_TYPES) {
      app.post(
        `/v1/${type}`,
        providerRoute(ctx, api, (req) => receive(ctx, req, type)),
      );
    }
    app.setNotFoundHandler((req, reply) => recordUnknown(ctx, api, req, reply));
  };
}

/** The write key travels as the Basic username (empty password) or, failing that, in the body. */
function writeKeyOf(req: FastifyRequest): string | undefined {
  const basic = parseBasicAuth(req.headers.authorization);
  if (basic) return basic.username;
  return isObject(req.body) && typeof req.body.writeKey === 'string' ? req.body.writeKey : undefined;
}

function receive(
  ctx: SandboxContext,
  req: FastifyRequest,
  type: (typeof EVENT_TYPES)[number] | undefined,
): ProviderReply {
  if (!sameSecret(writeKeyOf(req), ctx.config.segmentWriteKey)) return errorReply(401, 'Invalid write key');
  const body = req.body;
  if (body instanceof InvalidJson || !isObject(body)) return errorReply(400, 'Invalid JSON');

  let events: Json[];
  if (type) {
    events = [{ ...body, type }];
  } else {
    if (!Array.isArray(body.batch)) return errorReply(400, 'The batch field must be an array of events');
    // Envelope-level context and integrations apply to every event, the event's own keys winning.
    events = body.batch.filter(isObject).map((event) => ({
      ...event,
      context: { ...(isObject(body.context) ? body.context : {}), ...(isObject(event.context) ? event.context : {}) },
      integrations: {
        ...(isObject(body.integrations) ? body.integrations : {}),
        ...(isObject(event.integrations) ? event.integrations : {}),
      },
    }));
  }
  for (const event of events) record(ctx, event);
  return { status: 200, body: { success: true } };
}

function record(ctx: SandboxContext, event: Json): void {
  const { writeKey: _secret, ...params } = event;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const userId = text(event.userId);
  const anonymousId = text(event.anonymousId);
  ctx.store.addMessage({
    id: text(event.messageId) ?? `sandbox-${randomUUID()}`,
    provider: 'segment',
    channel: 'analytics',
    to: userId ?? anonymousId ?? '',
    from: null,
    subject: text(event.event) ?? text(event.name) ?? text(event.type),
    initialStatus: 'received',
    steps: [],
    receivedAt: ctx.now(),
    params,
    recipients: [userId, anonymousId].filter((id): id is string => id !== undefined),
  });
}
