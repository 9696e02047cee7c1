import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const assets = dirname(require.resolve('swagger-ui-dist/package.json'));
const files: Record<string, { path: string; type: string }> = {
  'swagger-ui.css': { path: join(assets, 'swagger-ui.css'), type: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': { path: join(assets, 'swagger-ui-bundle.js'), type: 'application/javascript; charset=utf-8' },
};

const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Herald API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({ url: '/docs-json', dom_id: '#ui', persistAuthorization: true });</script>
</body>
</html>`;

/**
 * Swagger UI at /docs and the OpenAPI document at /docs-json, served from the swagger-ui-dist package so the docs
 * work offline. Plain Fastify routes: public, outside the API's key check.
 */
export function registerDocsRoutes(fastify: FastifyInstance, document: Record<string, unknown>): void {
  fastify.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
  fastify.get('/docs-json', async (_request, reply) => reply.type('application/json').send(JSON.stringify(document)));
  fastify.get<{ Params: { file: string } }>('/docs/:file', async (request, reply) => {
    const file = files[request.params.file];
    if (!file)
      return reply
        .code(404)
        .type('application/json')
        .send(JSON.stringify({ message: 'Not Found', type: 'invalid_request_error' }));
    return reply.type(file.type).header('cache-control', 'public, max-age=86400').send(readFileSync(file.path));
  });
}
