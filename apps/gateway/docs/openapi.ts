import { z } from 'zod';
import { sendRequestSchema } from '../../../domain/send-request.schema';
import { deviceTokenPaths } from '../device-tokens/device-tokens.openapi';
import { preferencePaths } from '../preferences/preferences.openapi';
import { listPaths } from '../lists/lists.openapi';
import { tenantPaths } from '../tenants/tenants.openapi';
import { templatePaths } from '../templates/templates.openapi';
import { automationTemplatePaths } from '../automations/automation-templates.openapi';
import { inboundPaths } from '../inbound/inbound.openapi';

const profileBody = {
  type: 'object',
  required: ['profile'],
  properties: { profile: { type: 'object', additionalProperties: true } },
};

const success = {
  description: 'Done',
  content: {
    'application/json': {
      schema: { type: 'object', properties: { status: { type: 'string', enum: ['SUCCESS'] } } },
    },
  },
};

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
    tags: { type: 'array', items: { type: 'string' } },
    traceId: { type: 'string' },
    providers: { type: 'array', items: { type: 'object' } },
  },
};

/** A `GET /messages` item: the record without `providers`. */
const { providers: _providers, ...summaryProperties } = messageRecord.properties;
const messageSummary = {
  type: 'object',
  required: messageRecord.required.filter((name) => name !== 'providers'),
  properties: summaryProperties,
};

const json = (schema: object) => ({ 'application/json': { schema } });
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
/** Multi-valued: `a,b` (v7), repeated keys (v6) or a double-encoded comma list (v5) are all accepted. */
const multiValued = (name: string, description: string) => ({
  name,
  in: 'query',
  description: `${description} Several values: comma-separated or repeated.`,
  schema: { type: 'array', items: { type: 'string' } },
  style: 'form',
  explode: true,
});
const queryString = (name: string, description: string) => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string' },
});

const historyEvent = {
  type: 'object',
  required: ['ts', 'type'],
  description:
    'ENQUEUED {event, recipient}; RENDERED {channel, integration, output}; SENT, OPENED, CLICKED {channel, integration}; ' +
    'DELIVERED {channel, integration, reference}; UNDELIVERABLE {reason, error_message?, channel?, integration?}; ' +
    'UNROUTABLE {reason, error_message?}; UNMAPPED, DELAYED, CANCELED.',
  properties: {
    ts: { type: 'integer', description: 'epoch ms' },
    type: { type: 'string' },
    channel: { type: 'object', properties: { id: { type: 'string' } } },
    integration: { type: 'object', properties: { id: { type: 'string' }, provider: { type: 'string' } } },
  },
  additionalProperties: true,
};

const renderedContent = {
  type: 'object',
  required: ['html', 'title', 'body', 'subject', 'text', 'blocks'],
  properties: {
    html: { type: 'string' },
    title: { type: 'string' },
    body: { type: 'string' },
    subject: { type: 'string' },
    text: { type: 'string' },
    blocks: {
      type: 'array',
      items: { type: 'object', properties: { type: { type: 'string' }, text: { type: 'string' } } },
    },
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
      '/messages': {
        get: {
          summary: 'Messages from the message log, newest first, 25 a page',
          parameters: [
            queryString('cursor', '`paging.cursor` of the previous page.'),
            queryString('recipient', 'Recipient (user) id.'),
            multiValued('status', 'Message status, any of.'),
            multiValued('provider', 'Provider key a message was attempted through, any of.'),
            multiValued('tag', 'Tag from `metadata.tags`, any of.'),
            queryString('tags', 'Comma-separated tags, any of.'),
            queryString('event', 'Event (`metadata.event` or template) id.'),
            queryString('notification', 'Notification (template) id.'),
            queryString('traceId', '`metadata.trace_id`.'),
            queryString('messageId', 'One message id.'),
            queryString('enqueued_after', 'Epoch ms: only messages enqueued after it.'),
            queryString('list', 'List id (list sends are not recorded yet: matches nothing).'),
            queryString('tenant_id', 'Tenant id (tenant sends are not recorded yet: matches nothing).'),
            { name: 'archived', in: 'query', description: 'Include archived messages.', schema: { type: 'boolean' } },
          ],
          responses: {
            '200': {
              description: '`paging.cursor` is present only when `paging.more` is true',
              content: json({
                type: 'object',
                required: ['paging', 'results'],
                properties: {
                  paging: {
                    type: 'object',
                    required: ['more'],
                    properties: { cursor: { type: 'string' }, more: { type: 'boolean' } },
                  },
                  results: { type: 'array', items: messageSummary },
                },
              }),
            },
            '400': error,
            '401': error,
          },
        },
      },
      '/messages/{id}': {
        get: {
          summary: 'A message from the message log',
          parameters: [idParameter],
          responses: {
            '200': { description: 'The message', content: json(messageRecord) },
            '401': error,
            '404': error,
          },
        },
      },
      '/messages/{id}/history': {
        get: {
          summary: "A message's history events, oldest first",
          parameters: [idParameter, queryString('type', 'Only events of this type.')],
          responses: {
            '200': {
              description: 'The events',
              content: json({
                type: 'object',
                required: ['results'],
                properties: { results: { type: 'array', items: historyEvent } },
              }),
            },
            '401': error,
            '404': error,
          },
        },
      },
      '/messages/{id}/output': {
        get: {
          summary: 'What was rendered for each channel and provider the message went through (latest render)',
          parameters: [idParameter],
          responses: {
            '200': {
              description: 'The rendered content',
              content: json({
                type: 'object',
                required: ['results'],
                properties: {
                  results: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['channel', 'channel_id', 'content'],
                      properties: {
                        channel: { type: 'string' },
                        channel_id: { type: 'string', description: 'the channel key' },
                        content: renderedContent,
                      },
                    },
                  },
                },
              }),
            },
            '401': error,
            '404': error,
          },
        },
      },
      '/messages/{id}/cancel': {
        post: {
          summary: 'Cancel a queued or delayed message',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'Canceled: the message, with canceledAt',
              content: { 'application/json': { schema: messageRecord } },
            },
            '409': { description: 'Too late (a provider may have it): the message, with x-should-retry: false' },
            '404': error,
          },
        },
      },
      '/messages/{id}/retry': {
        post: {
          summary: 'Herald: deliver an UNDELIVERABLE message again, as a new run of the same workflow id',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '202': {
              description: 'Started',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      requestId: { type: 'string' },
                      runId: { type: 'string' },
                      attempt: { type: 'integer' },
                    },
                  },
                },
              },
            },
            '404': error,
            '409': error,
          },
        },
      },
      '/profiles/{user_id}': {
        parameters: [{ name: 'user_id', in: 'path', required: true, schema: { type: 'string' } }],
        get: {
          summary: 'The stored profile',
          responses: {
            '200': {
              description: 'Found',
              content: {
                'application/json': {
                  schema: { type: 'object', required: ['profile'], properties: { profile: { type: 'object' } } },
                },
              },
            },
            '404': error,
          },
        },
        post: {
          summary: 'Merge into the profile (top-level keys overwrite, others kept), creating it if missing',
          requestBody: { required: true, content: { 'application/json': { schema: profileBody } } },
          responses: { '200': success, '400': error },
        },
        put: {
          summary: 'Replace the profile (keys not supplied are removed), creating it if missing',
          requestBody: { required: true, content: { 'application/json': { schema: profileBody } } },
          responses: { '200': success, '400': error },
        },
        patch: {
          summary: 'Apply JSON Patch (RFC 6902) operations, all or nothing',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['patch'],
                  properties: {
                    patch: {
                      type: 'array',
                      items: {
                        type: 'object',
                        required: ['op', 'path'],
                        properties: {
                          op: { type: 'string', enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'] },
                          path: { type: 'string' },
                          from: { type: 'string' },
                          value: {},
                        },
                      },
                    },
                  },
                },
              },
            },
          },
          responses: { '200': success, '400': error, '404': error },
        },
        delete: {
          summary: 'Delete the profile (idempotent)',
          responses: { '204': { description: 'Deleted, or there was none' } },
        },
      },
      ...deviceTokenPaths(error),
      ...preferencePaths(error),
      ...listPaths(error),
      ...tenantPaths(error),
      ...templatePaths(error),
      ...automationTemplatePaths(error),
      ...inboundPaths(error),
      '/webhooks/twilio': {
        post: {
          summary: 'Twilio status callbacks (form-encoded), verified with X-Twilio-Signature',
          security: [],
          responses: { '204': { description: 'Recorded' }, '401': error, '403': error },
        },
      },
      '/webhooks/sendgrid': {
        post: {
          summary: 'SendGrid Event Webhook batches, verified with the ECDSA signature headers',
          security: [],
          responses: { '204': { description: 'Recorded' }, '401': error, '403': error },
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
