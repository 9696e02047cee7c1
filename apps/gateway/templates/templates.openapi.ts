import { z } from 'zod';
import { sendgridImportBodySchema, templateBodySchema } from './templates.schema';

/** OpenAPI paths of Herald's `/templates`, merged into the document served at /docs. */
export function templatePaths(error: object): Record<string, unknown> {
  const json = (schema: object) => ({ 'application/json': { schema } });
  const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  const bodySchema = jsonSchema(templateBodySchema) as { properties?: Record<string, unknown> };
  const template = {
    type: 'object',
    required: ['id', 'name', 'content', 'created', 'updated'],
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      topic_id: { type: 'string' },
      content: bodySchema.properties?.content,
      // The body schema's routing is a $ref into its own $defs, which this schema does not carry.
      routing: { type: 'object', description: "As the send's `message.routing`: `{method, channels}`." },
      source: { type: 'string', description: 'Where an imported template came from, e.g. `sendgrid:d-…`.' },
      created: { type: 'integer', description: 'epoch ms' },
      updated: { type: 'integer', description: 'epoch ms' },
    },
  };
  const idParameter = {
    name: 'id',
    in: 'path',
    required: true,
    description: '1 to 128 letters, digits or `_ . : -`; not a SendGrid `d-` id. What `message.template` names.',
    schema: { type: 'string' },
  };

  return {
    '/templates': {
      get: {
        summary: 'Herald: templates by id',
        parameters: [
          {
            name: 'cursor',
            in: 'query',
            description: '`paging.cursor` of the previous page.',
            schema: { type: 'string' },
          },
          {
            name: 'limit',
            in: 'query',
            description: 'Templates a page (default 20).',
            schema: { type: 'integer', minimum: 1, maximum: 100 },
          },
        ],
        responses: {
          '200': {
            description: '`paging.cursor` is present only when `paging.more` is true',
            content: json({
              type: 'object',
              required: ['items', 'paging'],
              properties: {
                items: { type: 'array', items: template },
                paging: {
                  type: 'object',
                  required: ['more'],
                  properties: { cursor: { type: 'string' }, more: { type: 'boolean' } },
                },
              },
            }),
          },
          '400': error,
        },
      },
    },
    '/templates/{id}': {
      parameters: [idParameter],
      get: {
        summary: 'Herald: a template',
        responses: { '200': { description: 'Found', content: json(template) }, '400': error, '404': error },
      },
      put: {
        summary: 'Herald: create or replace a template (name defaults to the id); clears `source`',
        description:
          'Every Handlebars source in `content` must parse; a 400 names the first that does not, e.g. ' +
          '`content.email.html is not a valid template: Parse error on line 3…`, and nothing is stored.',
        requestBody: { required: true, content: json(bodySchema) },
        responses: { '200': { description: 'Stored', content: json(template) }, '400': error },
      },
      delete: {
        summary: 'Herald: delete a template',
        responses: { '204': { description: 'Deleted' }, '400': error, '404': error },
      },
    },
    '/templates/import/sendgrid': {
      post: {
        summary: "Herald: import SendGrid dynamic templates (each one's active version) as email templates",
        description:
          'Ids are slugs of the SendGrid names. A template imported before is updated in place; a slug held by a ' +
          'template from elsewhere, a template without an active version or with Handlebars Herald cannot parse ' +
          'is skipped with a reason.',
        requestBody: { required: false, content: json(jsonSchema(sendgridImportBodySchema)) },
        responses: {
          '200': {
            description: 'What was imported and skipped',
            content: json({
              type: 'object',
              required: ['imported', 'skipped'],
              properties: {
                imported: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: { id: { type: 'string' }, name: { type: 'string' }, source: { type: 'string' } },
                  },
                },
                skipped: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: { sendgrid_id: { type: 'string' }, reason: { type: 'string' } },
                  },
                },
              },
            }),
          },
          '400': error,
          '502': { ...error, description: 'SendGrid could not be reached or refused the API key' },
        },
      },
    },
  };
}
