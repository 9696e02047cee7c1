import { z } from 'zod';
import { sendRequestSchema } from '../send/send-request.schema';

const error = {
  description: 'Error',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['message', 'type'],
        properties: { message: { type: 'string' }, type: { type: 'string' } },
      },
    },
  },
};

const messageRecord = {
  type: 'object',
  required: ['id', 'status', 'enqueued', 'recipient', 'event', 'notification', 'providers'],
  properties: {
    id: { type: 'string' },
    status: {
      type: 'string',
      enum: [
        'ENQUEUED',
        'DELAYED',
        'ROUTED',
        'SENT',
        'DELIVERED',
        'OPENED',
        'CLICKED',
        'UNDELIVERABLE',
        'UNROUTABLE',
        'UNMAPPED',
        'FILTERED',
        'CANCELED',
      ],
    },
    enqueued: { type: 'integer', description: 'epoch ms' },
    sent: { type: 'integer' },
    delivered: { type: 'integer' },
    opened: { type: 'integer' },
    clicked: { type: 'integer' },
    recipient: { type: 'string' },
    event: { type: 'string' },
    notification: { type: 'string' },
    reason: { type: 'string' },
    error: { type: 'string' },
    providers: { type: 'array', items: { type: 'object' } },
  },
};

/**
 * The OpenAPI description served at /docs. The request schema is generated from the same zod schema that
 * validates requests, so the documentation cannot drift from what the gateway accepts.
 */
export function buildOpenApiDocument(serverUrl: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Herald API',
      version: '0.1.0',
      description:
        'Courier-compatible notification API. Authenticate with `Authorization: Bearer <key>`. Errors are `{message, type}`.',
    },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: {
      '/send': {
        post: {
          summary: 'Send a message (starts one sendMessage workflow)',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: z.toJSONSchema(sendRequestSchema, { io: 'input', unrepresentable: 'any' }),
              },
            },
          },
          responses: {
            '202': {
              description: 'Accepted',
              content: {
                'application/json': { schema: { type: 'object', properties: { requestId: { type: 'string' } } } },
              },
            },
            '400': error,
            '401': error,
          },
        },
      },
      '/messages/{id}': {
        get: {
          summary: 'A message from the message log',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'The message', content: { 'application/json': { schema: messageRecord } } },
            '401': error,
            '404': error,
          },
        },
      },
      '/health': {
        get: {
          summary: '200 when the gateway can reach Temporal',
          security: [],
          responses: { '200': { description: 'Healthy' }, '503': error },
        },
      },
    },
  };
}
