import { PREFERENCE_CHANNELS, PREFERENCE_STATUSES } from '../../../domain/preferences';

/**
 * OpenAPI paths of Courier's `/users/{user_id}/preferences` and of Herald's own `/topics` admin API, merged into
 * the document served at /docs.
 */
export function preferencePaths(error: object): Record<string, unknown> {
  const json = (schema: object) => ({ 'application/json': { schema } });
  const status = { type: 'string', enum: [...PREFERENCE_STATUSES] };
  const channels = { type: 'array', items: { type: 'string', enum: [...PREFERENCE_CHANNELS] } };
  const topicPreference = {
    type: 'object',
    required: ['topic_id', 'topic_name', 'status', 'default_status'],
    properties: {
      topic_id: { type: 'string' },
      topic_name: { type: 'string' },
      status: { ...status, description: "What applies: the user's choice, else the default; a REQUIRED default wins." },
      default_status: { ...status, description: "The tenant's default with `tenant_id`, else the topic's." },
      has_custom_routing: { type: 'boolean' },
      custom_routing: { ...channels, description: 'The only channels used for this topic, when set.' },
    },
  };
  const topic = {
    type: 'object',
    required: ['id', 'name', 'default_status'],
    properties: { id: { type: 'string' }, name: { type: 'string' }, default_status: status },
  };
  const userParameter = { name: 'user_id', in: 'path', required: true, schema: { type: 'string' } };
  const topicParameter = { name: 'topic_id', in: 'path', required: true, schema: { type: 'string' } };
  const tenantParameter = {
    name: 'tenant_id',
    in: 'query',
    description: "Apply this tenant's default preferences.",
    schema: { type: 'string' },
  };

  return {
    '/users/{user_id}/preferences': {
      parameters: [userParameter],
      get: {
        summary: "The user's preference for every topic, and for any topic they chose",
        parameters: [tenantParameter],
        responses: {
          '200': {
            description: 'All in one page',
            content: json({
              type: 'object',
              required: ['items', 'paging'],
              properties: {
                items: { type: 'array', items: topicPreference },
                paging: { type: 'object', properties: { more: { type: 'boolean', enum: [false] } } },
              },
            }),
          },
          '400': error,
        },
      },
    },
    '/users/{user_id}/preferences/{topic_id}': {
      parameters: [userParameter, topicParameter],
      get: {
        summary: "The user's preference for one topic",
        parameters: [tenantParameter],
        responses: {
          '200': {
            description: 'Found',
            content: json({ type: 'object', required: ['topic'], properties: { topic: topicPreference } }),
          },
          '404': error,
        },
      },
      put: {
        summary: "Record the user's choice for a topic (update or create)",
        description:
          'One choice per user and topic: `tenant_id` is accepted but the choice applies in every tenant. ' +
          '`has_custom_routing: true` needs at least one channel in `custom_routing`.',
        parameters: [tenantParameter],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['topic'],
            properties: {
              topic: {
                type: 'object',
                required: ['status'],
                properties: { status, has_custom_routing: { type: 'boolean' }, custom_routing: channels },
              },
            },
          }),
        },
        responses: {
          '200': {
            description: 'Stored',
            content: json({ type: 'object', properties: { message: { type: 'string', enum: ['success'] } } }),
          },
          '400': error,
          '404': error,
        },
      },
    },
    '/topics': {
      get: {
        summary: 'Herald: every subscription topic, by id',
        responses: {
          '200': {
            description: 'The topics',
            content: json({
              type: 'object',
              required: ['items'],
              properties: { items: { type: 'array', items: topic } },
            }),
          },
        },
      },
    },
    '/topics/{topic_id}': {
      parameters: [topicParameter],
      get: {
        summary: 'Herald: one subscription topic',
        responses: { '200': { description: 'Found', content: json(topic) }, '404': error },
      },
      put: {
        summary: 'Herald: create or replace a subscription topic (without a name it keeps its own, or its id)',
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['default_status'],
            additionalProperties: false,
            properties: { name: { type: 'string' }, default_status: status },
          }),
        },
        responses: { '200': { description: 'The topic', content: json(topic) }, '400': error },
      },
      delete: {
        summary: "Herald: delete a topic (idempotent); users' choices are kept for when it returns",
        responses: { '204': { description: 'Deleted, or there was none' } },
      },
    },
  };
}
