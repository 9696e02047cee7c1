/**
 * Twilio Programmable Messaging, under `/twilio` (providers.md §1).
 *
 * Magic numbers (same idea as Twilio's test credentials, so tests read the same):
 *   create fails with 400 — From +15005550001 → 21212, +15005550007 → 21606, +15005550008 → 21611;
 *                           To +15005550001 → 21211, +15005550002 → 21612, +15005550003 → 21408,
 *                              +15005550004 → 21610, +15005550009 → 21614.
 *   create succeeds, delivery fails later —
 *     To +15005550010 → queued, sent, then `undelivered` with error_code 30003 (handset unreachable);
 *     To +15005550011 → queued, then `failed` with error_code 30001 (queue overflow; never `sent`).
 *   Any other E.164 `To` is delivered.
 *
 * Lifecycle: the initial status (`queued`, or `accepted` with a MessagingServiceSid) moves on by the clock —
 * the next step at `sentAfterMs`, the final one at `deliveredAfterMs` after creation (defaults 200 / 600 ms).
 * A fetch computes the status from those times, and a `StatusCallback` gets one signed POST per step.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseBasicAuth, sameSecret } from './auth';
import type { FormParams } from './body-parsers';
import { all, first } from './body-parsers';
import type { SandboxContext } from './context';
import { providerRoute, recordUnknown, type ProviderApi, type ProviderReply } from './provider-route';
import type { StoredMessage } from './store';
import { scheduleStatusCallbacks } from './twilio.callbacks';
import {
  API_VERSION,
  httpErrorCode,
  messageResource,
  newMessageSid,
  planSteps,
  twilioErrorReply,
  validateCreate,
} from './twilio.message';

type AccountRequest = FastifyRequest<{ Params: { AccountSid: string; Sid?: string } }>;

const api: ProviderApi = {
  provider: 'twilio',
  errorReply: (status, message) => twilioErrorReply({ status, code: httpErrorCode(status), message }),
};

export function twilioRoutes(ctx: SandboxContext) {
  return async (app: FastifyInstance): Promise<void> => {
    const base = `/${API_VERSION}/Accounts/:AccountSid`;

    app.post(
      `${base}/Messages.json`,
      providerRoute(ctx, api, (req) => createMessage(ctx, req as AccountRequest)),
    );
    app.get(
      `${base}/Messages.json`,
      providerRoute(ctx, api, (req) => listMessages(ctx, req as AccountRequest)),
    );
    app.get(
      `${base}/Messages/:Sid.json`,
      providerRoute(ctx, api, (req) => fetchMessage(ctx, req as AccountRequest)),
    );
    app.setNotFoundHandler((req, reply) => recordUnknown(ctx, api, req, reply));
  };
}

/** Basic auth must be the configured account; the path must name that same account. */
function authenticate(ctx: SandboxContext, req: AccountRequest): ProviderReply | undefined {
  const { accountSid, authToken } = ctx.config.twilio;
  const credentials = parseBasicAuth(req.headers.authorization);
  if (!credentials) return unauthorized('Authentication Error - No credentials provided');
  if (!sameSecret(credentials.username, accountSid)) return unauthorized('Authentication Error - invalid username');
  if (!sameSecret(credentials.password, authToken)) return unauthorized('Authentication Error - invalid password');
  if (req.params.AccountSid !== accountSid) {
    return twilioErrorReply({ status: 404, code: 20404, message: `The requested resource ${req.url} was not found` });
  }
  return undefined;
}

function unauthorized(message: string): ProviderReply {
  const reply = twilioErrorReply({ status: 401, code: 20003, message });
  return { ...reply, headers: { 'WWW-Authenticate': 'Basic realm="Twilio API"' } };
}

function createMessage(ctx: SandboxContext, req: AccountRequest): ProviderReply {
  const denied = authenticate(ctx, req);
  if (denied) return denied;
  const params: FormParams = isForm(req.body) ? req.body : {};
  const invalid = validateCreate(params);
  if (invalid) return twilioErrorReply(invalid);

  const now = ctx.now();
  const to = first(params, 'To')!;
  const message: StoredMessage = {
    id: newMessageSid(all(params, 'MediaUrl').length > 0),
    provider: 'twilio',
    channel: 'sms',
    to,
    from: first(params, 'From') ?? first(params, 'MessagingServiceSid') ?? null,
    body: first(params, 'Body'),
    initialStatus: first(params, 'MessagingServiceSid') ? 'accepted' : 'queued',
    steps: planSteps(to, now, ctx.config.twilioTiming),
    receivedAt: now,
    params,
    recipients: [to],
  };
  ctx.store.addMessage(message);
  const callback = first(params, 'StatusCallback');
  if (callback) scheduleStatusCallbacks(ctx, message, callback);
  return { status: 201, body: messageResource(message, ctx.config, now) };
}

function fetchMessage(ctx: SandboxContext, req: AccountRequest): ProviderReply {
  const denied = authenticate(ctx, req);
  if (denied) return denied;
  const message = ctx.store.findMessage('twilio', req.params.Sid ?? '');
  if (!message) {
    return twilioErrorReply({ status: 404, code: 20404, message: `The requested resource ${req.url} was not found` });
  }
  return { status: 200, body: messageResource(message, ctx.config, ctx.now()) };
}

/**
 * The Message list, newest first, filtered by `To` and `From` as Twilio does; one page of `PageSize` (default 50),
 * with no further pages. Herald reads it to find a message it sent before a crash cut off the answer.
 */
function listMessages(ctx: SandboxContext, req: AccountRequest): ProviderReply {
  const denied = authenticate(ctx, req);
  if (denied) return denied;
  const query = req.query as Record<string, string | undefined>;
  const pageSize = Math.min(Math.max(Number(query.PageSize ?? 50) || 50, 1), 1000);
  const now = ctx.now();
  const messages = ctx.store
    .listMessages({ provider: 'twilio', to: query.To })
    .map((view) => ctx.store.findMessage('twilio', view.id) as StoredMessage)
    .reverse()
    .map((message) => messageResource(message, ctx.config, now))
    .filter((resource) => !query.From || resource.from === query.From)
    .slice(0, pageSize);
  const uri = `/${API_VERSION}/Accounts/${ctx.config.twilio.accountSid}/Messages.json?PageSize=${pageSize}&Page=0`;
  return {
    status: 200,
    body: {
      messages,
      end: Math.max(messages.length - 1, 0),
      first_page_uri: uri,
      next_page_uri: null,
      page: 0,
      page_size: pageSize,
      previous_page_uri: null,
      start: 0,
      uri,
    },
  };
}

function isForm(body: unknown): body is FormParams {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}
