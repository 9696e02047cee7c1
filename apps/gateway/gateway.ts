import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule, type GatewayDeps } from './app.module';
import { registerBodyParsers } from './body-parsers';
import { registerDocsRoutes } from './docs/docs.routes';
import { buildOpenApiDocument } from './docs/openapi';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { registerIdempotency } from './idempotency/idempotency.hooks';
import { createIdempotencyStore } from '../../db/idempotency';

const bodyLimit = 1024 * 1024;

/** Builds the HTTP gateway (not yet listening), so `main.ts` and the end-to-end tests start it the same way. */
export async function createGatewayApp(deps: GatewayDeps): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.create(deps),
    // Path parameters carry FCM tokens (~160 characters) and user ids up to 1024; Fastify stops at 100 by default.
    new FastifyAdapter({ bodyLimit, routerOptions: { maxParamLength: 4096 } }),
    { logger: ['error', 'warn'], bodyParser: false },
  );
  app.useGlobalFilters(new ApiExceptionFilter(deps.logger));
  // The classic v5 SDK parses a body as JSON only when Content-Type is exactly `application/json`.
  const fastify = app.getHttpAdapter().getInstance();
  registerBodyParsers(fastify, bodyLimit);
  // `Idempotency-Key` on every POST but webhooks, stored next to the message log.
  registerIdempotency(fastify, {
    store: createIdempotencyStore(deps.database),
    apiKeys: deps.config.apiKeys,
    logger: deps.logger,
  });
  fastify.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('application/json'))
      reply.header('content-type', 'application/json');
    return payload;
  });
  registerDocsRoutes(fastify, buildOpenApiDocument(deps.config.publicUrl));
  app.enableShutdownHooks();
  return app;
}
