import { FailureType } from '../../domain/failures';
import type { ProviderAcceptance, PushProvider, PushRequest } from '../ports';
import { failureForHttpStatus, providerFailure } from './classify';
import {
  createFcmClient,
  FcmAuthError,
  FcmTransportError,
  type FcmClient,
  type FcmMessage,
  type FcmSendResult,
} from './fcm-client';

const PROVIDER = 'firebase-fcm';

export interface FcmSettings {
  projectId: string;
  /** `https://fcm.googleapis.com` when unset; the sandbox is `<sandbox url>/fcm`. */
  baseUrl?: string;
  getAccessToken: () => Promise<string>;
  timeoutMs?: number;
}

/** Sends to a user's devices at once, but not unboundedly: a few devices per user is the normal case. */
const MAX_PARALLEL_SENDS = 8;

/** FCM error codes that are about this token or this payload: another attempt gets the same answer. */
const rejectedCodes = new Set(['UNREGISTERED', 'INVALID_ARGUMENT', 'SENDER_ID_MISMATCH']);
/** FCM throttling or failing; worth retrying with backoff. */
const transientCodes = new Set(['QUOTA_EXCEEDED', 'UNAVAILABLE', 'INTERNAL']);

/** Why one token's send failed, without the token (it is a device identifier; failures end up in history). */
interface TokenFailure {
  type: FailureType;
  /** The FCM error code when FCM gave one, else the RPC status, else what went wrong locally. */
  code: string;
  httpStatus?: number;
  status?: string;
  message?: string;
  retryAfter?: string;
}

type TokenOutcome = { ok: true; name: string } | { ok: false; failure: TokenFailure };

const severity: Record<FailureType, number> = {
  [FailureType.ProviderRejected]: 1,
  [FailureType.MissingContact]: 1,
  [FailureType.RenderFailed]: 1,
  // Some token might work on a retry, and a retry cannot double-send when every token failed.
  [FailureType.ProviderUnavailable]: 2,
  // Nothing can get through until an operator acts.
  [FailureType.ProviderMisconfigured]: 3,
  [FailureType.ProviderNotConfigured]: 3,
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Objects merge key by key; anything else in `override` (arrays, strings, null) replaces the base value. */
function deepMerge(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}

export function buildFcmMessage(request: PushRequest, token: string): FcmMessage {
  const message: FcmMessage = {
    token,
    notification: { title: request.title, body: request.body },
    data: { ...request.data, herald_message_id: request.messageId },
  };
  const override = request.override?.message;
  return isPlainObject(override) ? deepMerge(message, override) : message;
}

function classifyAnswer(result: Exclude<FcmSendResult, { ok: true }>): FailureType {
  const code = result.fcmErrorCode;
  if (code && rejectedCodes.has(code)) return FailureType.ProviderRejected;
  if (code === 'THIRD_PARTY_AUTH_ERROR' || result.httpStatus === 401) return FailureType.ProviderMisconfigured;
  if (code && transientCodes.has(code)) return FailureType.ProviderUnavailable;
  // A 404 without UNREGISTERED is not about the token: the project or the endpoint does not exist.
  if (result.httpStatus === 404) return FailureType.ProviderMisconfigured;
  // A 2xx without a message name: treat as no answer.
  if (result.httpStatus < 300) return FailureType.ProviderUnavailable;
  return failureForHttpStatus(result.httpStatus);
}

function failureOf(error: unknown): TokenFailure {
  if (error instanceof FcmAuthError) {
    return {
      type: error.permanent ? FailureType.ProviderMisconfigured : FailureType.ProviderUnavailable,
      code: 'ACCESS_TOKEN',
      httpStatus: error.httpStatus,
      message: error.message,
    };
  }
  if (error instanceof FcmTransportError) {
    return {
      type: FailureType.ProviderUnavailable,
      code: error.timedOut ? 'TIMEOUT' : 'NETWORK',
      message: error.message,
    };
  }
  return {
    type: FailureType.ProviderUnavailable,
    code: 'ERROR',
    message: error instanceof Error ? error.message : String(error),
  };
}

async function sendOne(client: FcmClient, request: PushRequest, token: string): Promise<TokenOutcome> {
  let result: FcmSendResult;
  try {
    result = await client.send(buildFcmMessage(request, token));
  } catch (error) {
    return { ok: false, failure: failureOf(error) };
  }
  if (result.ok) return result;
  return {
    ok: false,
    failure: {
      type: classifyAnswer(result),
      code: result.fcmErrorCode ?? result.status ?? `HTTP_${result.httpStatus}`,
      httpStatus: result.httpStatus,
      status: result.status,
      message: result.message,
      retryAfter: result.retryAfter,
    },
  };
}

/** Runs `work` over `items` with at most `limit` in flight; results keep the input order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** `Retry-After` is either delay-seconds or an HTTP date. */
function retryAfterSeconds(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** Google's message could in principle quote the request; device tokens stay out of failures and history. */
function scrub(text: string | undefined, tokens: readonly string[]): string | undefined {
  if (!text) return text;
  return tokens.reduce((out, token) => (token ? out.split(token).join('<token>') : out), text);
}

function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

function allFailed(failures: TokenFailure[], tokens: readonly string[]): Error {
  // The most severe failure decides; among equals, the last one.
  const chosen = failures.reduce((worst, f) => (severity[f.type] >= severity[worst.type] ? f : worst));
  const where = [chosen.httpStatus && `HTTP ${chosen.httpStatus}`, chosen.status !== chosen.code && chosen.status]
    .filter(Boolean)
    .join(' ');
  const counts = new Map<string, number>();
  for (const f of failures) counts.set(f.code, (counts.get(f.code) ?? 0) + 1);
  const summary =
    failures.length > 1
      ? ` (all ${failures.length} device tokens failed: ${[...counts].map(([code, n]) => `${code} x${n}`).join(', ')})`
      : '';
  const googleMessage = scrub(chosen.message, tokens);
  const message = `${chosen.code}${where ? ` (${where})` : ''}${googleMessage ? `: ${googleMessage}` : ''}${summary}`;
  return providerFailure(
    PROVIDER,
    chosen.type,
    message,
    compact({
      httpStatus: chosen.httpStatus,
      status: chosen.status,
      fcmErrorCode: chosen.code,
      retryAfter: chosen.retryAfter,
      retryAfterSeconds: retryAfterSeconds(chosen.retryAfter),
      tokens: tokens.length,
      errors: failures.map((f) => compact({ code: f.code, httpStatus: f.httpStatus, type: f.type })),
    }),
  );
}

/** Push through FCM HTTP v1, one request per device token. FCM has no delivery status API to poll. */
export function createFcmPushProvider(settings: FcmSettings): PushProvider {
  const client = createFcmClient(settings);

  return {
    key: PROVIDER,

    async send(request: PushRequest): Promise<ProviderAcceptance> {
      const tokens = request.tokens.filter((t) => typeof t === 'string' && t.trim() !== '');
      if (tokens.length === 0) {
        throw providerFailure(PROVIDER, FailureType.MissingContact, 'no device token to send to', {});
      }
      const outcomes = await mapLimited(tokens, MAX_PARALLEL_SENDS, (token) => sendOne(client, request, token));
      const accepted = outcomes.find((o): o is { ok: true; name: string } => o.ok);
      if (accepted) return { providerMessageId: accepted.name, referenceName: 'name', tracking: 'none' };
      throw allFailed(
        outcomes.map((o) => (o.ok ? undefined : o.failure)).filter((f): f is TokenFailure => f !== undefined),
        tokens,
      );
    },
  };
}
