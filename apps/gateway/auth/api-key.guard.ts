import { SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error';
import { matchApiKey } from './api-keys';

const PUBLIC = Symbol('public-route');
/** Marks a route that needs no API key (health, docs). */
export const Public = () => SetMetadata(PUBLIC, true);

/** `Authorization: Bearer <key>` against the configured keys, as Courier's SDKs send it. */
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: readonly string[],
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization;
    if (matchApiKey(header, this.keys)) return true;
    throw new ApiError(
      401,
      'Unauthorized: pass a valid API key as "Authorization: Bearer <key>"',
      'authentication_error',
    );
  }
}
