import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../config';
import { ApiError } from '../errors/api-error';
import { GATEWAY_CONFIG } from '../tokens';

/**
 * The write key a Segment library sent: the username of `Authorization: Basic base64(<key>:)`, which is how
 * `@segment/analytics-node` sends it, else the body's `writeKey` (the Tracking API accepts either).
 */
export function writeKeyOf(authorization: string | undefined, body: unknown): string | undefined {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    return (separator === -1 ? decoded : decoded.slice(0, separator)) || undefined;
  }
  const fromBody = (body as { writeKey?: unknown } | undefined)?.writeKey;
  return typeof fromBody === 'string' && fromBody.length > 0 ? fromBody : undefined;
}

/** The configured key `writeKey` is, compared in constant time per key; undefined when it is none of them. */
export function matchWriteKey(writeKey: string | undefined, keys: readonly string[]): string | undefined {
  if (writeKey === undefined) return undefined;
  const given = Buffer.from(writeKey);
  return keys.find((key) => {
    const expected = Buffer.from(key);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

/** A refusal in the Tracking API's own shape, `{success: false, message}`, rather than Courier's. */
export function segmentRefusal(status: number, message: string): ApiError {
  const type = status === 401 ? 'authentication_error' : 'invalid_request_error';
  return new ApiError(status, message, type, {}, { success: false, message });
}

/** Segment's HTTP Tracking API routes take a write key instead of Herald's bearer API key. */
@Injectable()
export class SegmentWriteKeyGuard implements CanActivate {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (matchWriteKey(writeKeyOf(request.headers.authorization, request.body), this.config.segmentWriteKeys)) {
      return true;
    }
    throw segmentRefusal(
      401,
      'Unauthorized: pass a valid Segment write key as the Basic auth username or as "writeKey" in the body',
    );
  }
}
