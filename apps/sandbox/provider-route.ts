import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { redactHeaders } from './auth';
import type { SandboxContext } from './context';
import type { Fault } from './faults';
import type { Provider, RequestEntry } from './store';

export interface ProviderReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a provider module tells the shared plumbing about itself. */
export interface ProviderApi {
  provider: Provider;
  /** The provider's own error body, so injected faults look like the real thing to its SDK. */
  errorReply(status: number, message: string): ProviderReply;
  /** Strips secrets that travel in the body (Segment's write key) before the request is logged. */
  redactBody?(body: unknown): unknown;
}

export type ProviderHandler = (request: FastifyRequest) => ProviderReply | Promise<ProviderReply>;

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/**
 * Wraps a provider route: records the raw request, then either applies the next pending fault for that
 * provider or runs the normal handler.
 */
export function providerRoute(ctx: SandboxContext, api: ProviderApi, handle: ProviderHandler) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const entry = recordRequest(ctx, api, request);
    const fault = ctx.faults.take(api.provider);
    if (fault) entry.fault = fault.mode;

    if (fault?.mode === 'status') return send(reply, entry, faultReply(api, fault));
    // `timeout`: nothing is done, and after the delay the call fails.
    if (fault?.mode === 'timeout') return holdThen(ctx, fault, request, reply, entry, faultReply(api, fault));

    const result = await handle(request);
    // `slow`: the work is done and recorded, but the answer waits: a client that dies meanwhile never learns it.
    if (fault?.mode === 'slow') return holdThen(ctx, fault, request, reply, entry, result);
    if (fault?.mode === 'drop') {
      // The work is done and recorded, but the client never learns it: the retry-after-timeout double send.
      reply.hijack();
      request.raw.socket?.destroy();
      ctx.logger.info(`${request.method} ${request.url} dropped (would have been ${result.status})`);
      return;
    }
    return send(reply, entry, result);
  };
}

/** Records a call that reached a provider prefix but matched no emulated route. */
export function recordUnknown(
  ctx: SandboxContext,
  api: ProviderApi,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const entry = recordRequest(ctx, api, request);
  return send(reply, entry, api.errorReply(404, `The requested resource ${request.url} was not found`));
}

function recordRequest(ctx: SandboxContext, api: ProviderApi, request: FastifyRequest): RequestEntry {
  return ctx.store.logRequest({
    provider: api.provider,
    method: request.method,
    path: request.url,
    headers: redactHeaders(request.headers),
    body: api.redactBody ? api.redactBody(request.body) : request.body,
    status: null,
    at: ctx.now(),
  });
}

function faultReply(api: ProviderApi, fault: Fault): ProviderReply {
  const result = api.errorReply(fault.status, reasonPhrase(fault.status));
  if (fault.retryAfterSeconds === undefined) return result;
  return { ...result, headers: { ...result.headers, 'Retry-After': String(fault.retryAfterSeconds) } };
}

/**
 * Holds the call `delayMs`, then answers with `answer` if the client is still there. A client that gave up (or
 * died: a killed worker) frees the slot at once instead of pinning a timer, and never gets an answer.
 */
async function holdThen(
  ctx: SandboxContext,
  fault: Fault,
  request: FastifyRequest,
  reply: FastifyReply,
  entry: RequestEntry,
  answer: ProviderReply,
): Promise<void> {
  const hold = ctx.held.wait(fault.delayMs);
  reply.raw.once('close', hold.cancel);
  await hold.done;
  if (request.raw.socket?.destroyed ?? true) {
    reply.hijack();
    ctx.logger.info(`${request.method} ${request.url} held by a ${fault.mode} fault; the client was gone`);
    return;
  }
  return send(reply, entry, answer);
}

function send(reply: FastifyReply, entry: RequestEntry, result: ProviderReply): void {
  entry.status = result.status;
  reply.code(result.status);
  if (result.headers) reply.headers(result.headers);
  if (result.body === undefined) reply.send();
  else reply.type('application/json; charset=utf-8').send(JSON.stringify(result.body));
}
