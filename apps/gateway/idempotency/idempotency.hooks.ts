import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  idempotencyKeyHash,
  parseExpirationHeader,
  requestFingerprint,
  retentionFor,
  type IdempotencyClaim,
  type IdempotencyStore,
} from '../../../db/idempotency';
import type { Logger } from '../../common/logger';
import { matchApiKey } from '../auth/api-keys';
import { runWithIdempotencyClaim, runWithoutIdempotencyClaim } from './context';

export interface IdempotencyOptions {
  store: IdempotencyStore;
  /** The gateway's API keys: keys are per API key, and a request without a valid one is left to the 401 guard. */
  apiKeys: readonly string[];
  logger: Logger;
  now?: () => number;
  /** How often lapsed keys are deleted; 0 turns the sweep off. */
  purgeIntervalMs?: number;
}

type RequestWithRaw = FastifyRequest & { rawBody?: Buffer };

/** Routes exempt from `Idempotency-Key`: provider webhooks (providers dedupe their own deliveries). */
const EXEMPT_PREFIXES = ['/webhooks/'];

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
}

function sendJson(reply: FastifyReply, status: number, body: unknown, headers: Record<string, string> = {}): void {
  void reply
    .code(status)
    .headers(headers)
    .type('application/json')
    .send(typeof body === 'string' ? body : JSON.stringify(body));
}

/**
 * `Idempotency-Key` on every authenticated POST except webhooks (api-contract §1.5), as one Fastify hook pair
 * around whatever Nest route handles the request:
 * - `preHandler` (the body is parsed, the handler has not run) claims the key, or answers itself: the stored
 *   answer (`Idempotent-Replayed: true`), 409 with `x-should-retry: true` while a request with the key is in
 *   flight, 422 with `x-should-retry: false` when the key was used for a different method, path or body;
 * - `onSend` stores the handler's answer (status + body, 5xx included) before it leaves, so a retry that follows
 *   the answer replays it. A 400 is not stored but releases the key: it is a refused (invalid) request, which the
 *   client may correct and send again under the same key. 401s and body-parsing errors never reach the claim.
 * The handler runs with its claim in scope (`currentIdempotencyClaim`), which `POST /send` uses for its message id.
 */
export function registerIdempotency(fastify: FastifyInstance, options: IdempotencyOptions): void {
  const { store, apiKeys, logger } = options;
  const now = options.now ?? Date.now;
  const claims = new WeakMap<FastifyRequest, IdempotencyClaim>();

  fastify.addHook('preHandler', (request, reply, done) => {
    const route = request.routeOptions.url;
    const idempotencyKey = headerValue(request, 'idempotency-key');
    if (
      request.method !== 'POST' ||
      !idempotencyKey ||
      !route ||
      EXEMPT_PREFIXES.some((prefix) => route.startsWith(prefix))
    ) {
      return runWithoutIdempotencyClaim(done);
    }
    const apiKey = matchApiKey(request.headers.authorization, apiKeys);
    if (!apiKey) return runWithoutIdempotencyClaim(done); // the guard answers 401; nothing is claimed for it

    const expiration = parseExpirationHeader(headerValue(request, 'x-idempotency-expiration'));
    if (expiration === null) {
      return sendJson(reply, 400, {
        message: 'x-idempotency-expiration must be epoch milliseconds or an ISO-8601 date',
        type: 'invalid_request_error',
      });
    }
    const keyHash = idempotencyKeyHash(apiKey, idempotencyKey);
    const fingerprint = requestFingerprint(request.method, request.url, (request as RequestWithRaw).rawBody);
    store.claim({ keyHash, fingerprint, retentionMs: retentionFor(expiration, now()) }).then(
      (outcome) => {
        switch (outcome.kind) {
          case 'claimed':
            claims.set(request, outcome.claim);
            // Synchronously into the rest of the hooks and the handler, so they run inside the claim's scope.
            return runWithIdempotencyClaim(outcome.claim, done);
          case 'done':
            return sendJson(reply, outcome.status, outcome.body, {
              'idempotent-replayed': 'true',
              // The stored answer is final: asking again gets the same one.
              ...(outcome.status >= 400 ? { 'x-should-retry': 'false' } : {}),
            });
          case 'in_flight':
            return sendJson(
              reply,
              409,
              {
                message: `A request with Idempotency-Key "${idempotencyKey}" is still in progress; retry shortly`,
                type: 'invalid_request_error',
              },
              { 'x-should-retry': 'true', 'retry-after': '1' },
            );
          case 'mismatch':
            return sendJson(
              reply,
              422,
              {
                message: `Idempotency-Key "${idempotencyKey}" was used with a different request (method, path or body)`,
                type: 'invalid_request_error',
              },
              { 'x-should-retry': 'false' },
            );
        }
      },
      (error: unknown) => {
        // Without the store there is no telling whether this is a duplicate: refuse rather than risk a second run.
        logger.error({ err: error }, 'idempotency store unavailable');
        sendJson(
          reply,
          503,
          { message: 'Idempotency-Key could not be checked; retry shortly', type: 'api_error' },
          { 'x-should-retry': 'true' },
        );
      },
    );
  });

  fastify.addHook('onSend', async (request, reply, payload) => {
    const claim = claims.get(request);
    if (!claim) return payload;
    claims.delete(request);
    const status = reply.statusCode;
    try {
      if (status === 400) {
        await store.release(claim);
      } else {
        const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
        if (!(await store.complete(claim, { status, body }))) {
          logger.warn({ status }, 'idempotency claim was taken over before the answer was stored');
        }
      }
    } catch (error) {
      // The answer still goes out; the claim lapses after its lease and the key can then be used again.
      logger.error({ err: error }, 'could not store the answer for an Idempotency-Key');
    }
    return payload;
  });

  const purgeIntervalMs = options.purgeIntervalMs ?? 60 * 60 * 1000;
  if (purgeIntervalMs > 0) {
    const timer = setInterval(() => {
      store.purgeExpired().catch((error: unknown) => logger.warn({ err: error }, 'could not purge idempotency keys'));
    }, purgeIntervalMs);
    timer.unref();
    fastify.addHook('onClose', async () => clearInterval(timer));
  }
}
