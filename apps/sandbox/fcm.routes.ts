/**
 * FCM HTTP v1, under `/fcm` (providers.md §4.1): `POST /fcm/v1/projects/{projectId}/messages:send`.
 *
 * Any `Authorization: Bearer <something>` is accepted (the real thing wants a Google OAuth 2 access token);
 * none gives 401 UNAUTHENTICATED. Errors use Google's RPC shape with a `google.firebase.fcm.v1.FcmError` detail.
 *
 * Magic device tokens:
 *   `unregistered-…` → 404 UNREGISTERED (app uninstalled / token expired)
 *   `invalid-…`      → 400 INVALID_ARGUMENT (not a valid registration token)
 *   `mismatch-…`     → 403 SENDER_ID_MISMATCH (token belongs to another Firebase project)
 *   any other token  → 200 `{ "name": "projects/{projectId}/messages/{id}" }`, recorded as a `push` message.
 * Also 400 INVALID_ARGUMENT for: not exactly one of token/topic/condition, a non-string `data` value, unknown
 * message fields. `validate_only: true` answers like a send but records nothing (as FCM does not deliver it).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseBearer } from './auth';
import { InvalidJson } from './body-parsers';
import type { SandboxContext } from './context';
import { providerRoute, recordUnknown, type ProviderApi, type ProviderReply } from './provider-route';
import type { StoredMessage } from './store';

type Json = Record<string, unknown>;
type SendRequest = FastifyRequest<{ Params: { projectId: string } }>;

const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';

/** google.rpc.Code names for the HTTP statuses Google maps them to. */
const rpcStatus: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** FcmError codes FCM attaches to its transient answers, so injected faults classify like the real ones. */
const fcmCodeForStatus: Record<number, string> = { 429: 'QUOTA_EXCEEDED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };

/** Message fields of FCM v1 (proto JSON accepts lowerCamel and the original snake_case). */
const MESSAGE_FIELDS = new Set([
  'name',
  'data',
  'notification',
  'android',
  'webpush',
  'apns',
  'fcm_options',
  'fcmOptions',
  'token',
  'topic',
  'condition',
]);
const REQUEST_FIELDS = new Set(['message', 'validate_only', 'validateOnly']);

const magicTokens: Array<{ prefix: string; status: number; fcmErrorCode: string; message: string }> = [
  { prefix: 'unregistered-', status: 404, fcmErrorCode: 'UNREGISTERED', message: 'Requested entity was not found.' },
  {
    prefix: 'invalid-',
    status: 400,
    fcmErrorCode: 'INVALID_ARGUMENT',
    message: 'The registration token is not a valid FCM registration token',
  },
  {
    prefix: 'mismatch-',
    status: 403,
    fcmErrorCode: 'SENDER_ID_MISMATCH',
    message: 'SenderId mismatch',
  },
];

interface FieldViolation {
  field: string;
  description: string;
}

export function fcmErrorReply(
  status: number,
  message: string,
  extra: { fcmErrorCode?: string; fieldViolations?: FieldViolation[] } = {},
): ProviderReply {
  const details: Json[] = [];
  const fcmErrorCode = extra.fcmErrorCode ?? fcmCodeForStatus[status];
  if (fcmErrorCode) details.push({ '@type': FCM_ERROR_TYPE, errorCode: fcmErrorCode });
  if (extra.fieldViolations?.length)
    details.push({ '@type': BAD_REQUEST_TYPE, fieldViolations: extra.fieldViolations });
  return {
    status,
    body: {
      error: {
        code: status,
        message,
        status: rpcStatus[status] ?? (status >= 500 ? 'INTERNAL' : 'UNKNOWN'),
        ...(details.length ? { details } : {}),
      },
    },
  };
}

const api: ProviderApi = {
  // Needs `'firebase-fcm'` in store.ts's `Provider` union (and in faults.ts's schema for fault injection).
  provider: 'firebase-fcm',
  errorReply: (status, message) => fcmErrorReply(status, message),
};

export function fcmRoutes(ctx: SandboxContext) {
  return async (app: FastifyInstance): Promise<void> => {
    // `::` is find-my-way's escaped colon. A bare `messages:send` would declare a parameter `send` and match
    // any `/messages…` suffix.
    app.post(
      '/v1/projects/:projectId/messages::send',
      providerRoute(ctx, api, (req) => send(ctx, req as SendRequest)),
    );
    app.setNotFoundHandler((req, reply) => recordUnknown(ctx, api, req, reply));
  };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(description: string, field?: string): ProviderReply {
  return fcmErrorReply(400, description, {
    fcmErrorCode: 'INVALID_ARGUMENT',
    fieldViolations: field ? [{ field, description }] : undefined,
  });
}

/** What FCM checks before it looks at the target; returns the first problem. */
function validate(body: unknown): ProviderReply | undefined {
  if (body instanceof InvalidJson) return invalid('Invalid JSON payload received.');
  if (!isObject(body)) return invalid('Invalid JSON payload received. Expected an object.');
  const unknownTop = Object.keys(body).find((k) => !REQUEST_FIELDS.has(k));
  if (unknownTop) return invalid(`Invalid JSON payload received. Unknown name "${unknownTop}": Cannot find field.`);
  const message = body.message;
  if (!isObject(message)) return invalid('Request contains an invalid argument.', 'message');
  const unknown = Object.keys(message).find((k) => !MESSAGE_FIELDS.has(k));
  if (unknown) {
    return invalid(`Invalid JSON payload received. Unknown name "${unknown}" at 'message': Cannot find field.`);
  }

  const targets = (['token', 'topic', 'condition'] as const).filter((k) => message[k] !== undefined);
  if (targets.length !== 1) {
    return invalid(
      targets.length === 0
        ? 'Exactly one of token, topic or condition must be specified.'
        : `Exactly one of token, topic or condition must be specified; got ${targets.join(', ')}.`,
      'message',
    );
  }
  const target = targets[0]!;
  if (typeof message[target] !== 'string' || message[target] === '') {
    return invalid(`Invalid value at 'message.${target}' (TYPE_STRING)`, `message.${target}`);
  }
  if (target === 'topic' && !/^(\/topics\/)?[a-zA-Z0-9-_.~%]+$/.test(message.topic as string)) {
    return invalid('Invalid topic name', 'message.topic');
  }

  if (message.data !== undefined) {
    if (!isObject(message.data))
      return invalid(`Invalid value at 'message.data' (type.googleapis.com/google.protobuf.Struct)`, 'message.data');
    const entries = Object.entries(message.data);
    const bad = entries.findIndex(([, value]) => typeof value !== 'string');
    if (bad >= 0) {
      const value = JSON.stringify(entries[bad]![1]);
      return invalid(
        `Invalid value at 'message.data[${bad}].value' (TYPE_STRING), ${value}`,
        `message.data[${bad}].value`,
      );
    }
  }
  if (message.notification !== undefined) {
    if (!isObject(message.notification))
      return invalid(`Invalid value at 'message.notification'`, 'message.notification');
    for (const field of ['title', 'body', 'image'] as const) {
      const value = message.notification[field];
      if (value !== undefined && typeof value !== 'string') {
        return invalid(
          `Invalid value at 'message.notification.${field}' (TYPE_STRING)`,
          `message.notification.${field}`,
        );
      }
    }
  }
  return undefined;
}

/** Shaped like FCM's ids (`0:1500415314455276%31bd1c9631bd1c96`). */
function newMessageId(now: number): string {
  return `0:${now}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}%${randomBytes(8).toString('hex')}`;
}

function send(ctx: SandboxContext, req: SendRequest): ProviderReply {
  if (!parseBearer(req.headers.authorization)) {
    const reply = fcmErrorReply(
      401,
      'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    );
    return { ...reply, headers: { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/"' } };
  }
  const problem = validate(req.body);
  if (problem) return problem;

  const body = req.body as Json;
  const message = body.message as Json;
  const { projectId } = req.params;

  if (typeof message.token === 'string') {
    const magic = magicTokens.find((m) => (message.token as string).startsWith(m.prefix));
    if (magic) return fcmErrorReply(magic.status, magic.message, { fcmErrorCode: magic.fcmErrorCode });
  }

  const now = ctx.now();
  const validateOnly = body.validate_only === true || body.validateOnly === true;
  // FCM answers a dry run with a placeholder id and delivers nothing.
  const name = `projects/${projectId}/messages/${validateOnly ? 'fake_message_id' : newMessageId(now)}`;
  if (validateOnly) return { status: 200, body: { name } };

  const to =
    typeof message.token === 'string'
      ? message.token
      : typeof message.topic === 'string'
        ? `/topics/${message.topic.replace(/^\/topics\//, '')}`
        : String(message.condition);
  const notification = isObject(message.notification) ? message.notification : {};
  const stored: StoredMessage = {
    id: name,
    provider: 'firebase-fcm',
    channel: 'push',
    to,
    from: projectId,
    subject: typeof notification.title === 'string' ? notification.title : undefined,
    body: typeof notification.body === 'string' ? notification.body : undefined,
    initialStatus: 'accepted',
    steps: [],
    receivedAt: now,
    params: message,
    recipients: [to],
  };
  ctx.store.addMessage(stored);
  return { status: 200, body: { name } };
}
