import type { FastifyInstance, FastifyRequest } from 'fastify';

type RequestWithRaw = FastifyRequest & { rawBody?: Buffer };

function badRequest(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 400 });
}

/**
 * JSON and form bodies, parsed here rather than by Nest's defaults for two reasons: webhook signatures cover the
 * exact bytes received, so every request keeps its raw body; and a POST with `Content-Type: application/json` but
 * no body (some SDKs send one for `POST /messages/{id}/cancel`) is an empty request, not a 400.
 */
export function registerBodyParsers(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    const raw = body as Buffer;
    (request as RequestWithRaw).rawBody = raw;
    if (raw.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(raw.toString('utf8')));
    } catch {
      done(badRequest('the request body is not valid JSON'), undefined);
    }
  });
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer', bodyLimit },
    (request, body, done) => {
      const raw = body as Buffer;
      (request as RequestWithRaw).rawBody = raw;
      // Providers post flat string parameters (Twilio); the last value of a repeated key wins, as in Twilio's helpers.
      done(null, Object.fromEntries(new URLSearchParams(raw.toString('utf8'))));
    },
  );
}
