import { SUPPORTED_ACTIONS } from '../../../domain/automation';

/**
 * OpenAPI paths of Herald's automation templates and triggers, and of Courier's `GET /automations`, merged into
 * the document served at /docs.
 */
export function automationTemplatePaths(error: object): Record<string, unknown> {
  const json = (schema: object) => ({ 'application/json': { schema } });
  const trigger = {
    type: 'string',
    description: 'An inbound event: `track/<Event Name>` (a Segment track call), `identify` or `group`.',
    examples: ['track/Order Completed'],
  };
  const status = { type: 'string', enum: ['published', 'draft'] };
  const automation = {
    type: 'object',
    required: ['steps'],
    description:
      "As the ad hoc invoke's `automation` (api-contract §7.2). Each step has an `action` (" +
      SUPPORTED_ACTIONS.join(', ') +
      '), optional `if` (a condition over `refs`) and `ref`.',
    properties: {
      cancelation_token: { type: 'string' },
      steps: {
        type: 'array',
        minItems: 1,
        items: { type: 'object', required: ['action'], properties: { action: { type: 'string' } } },
      },
    },
  };
  const template = {
    type: 'object',
    required: ['id', 'name', 'status', 'definition', 'triggers', 'created', 'updated'],
    properties: {
      id: { type: 'string' },
      alias: { type: 'string' },
      name: { type: 'string' },
      status,
      definition: automation,
      triggers: { type: 'array', items: trigger, description: 'Sorted, without duplicates.' },
      created: { type: 'integer', description: 'epoch ms' },
      updated: { type: 'integer', description: 'epoch ms' },
    },
  };
  const body = {
    type: 'object',
    required: ['automation'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', description: 'Optional; when given it must be the id in the path.' },
      name: { type: 'string', minLength: 1, maxLength: 256, description: 'Defaults to the id.' },
      alias: {
        type: 'string',
        pattern: '^[A-Za-z0-9_.:-]{1,128}$',
        description: 'A second name to get or invoke it by.',
      },
      status: { ...status, default: 'published', description: 'Only published templates run.' },
      automation,
      triggers: { type: 'array', maxItems: 100, items: trigger, default: [] },
    },
  };
  const idParameter = (description: string) => ({
    name: 'id',
    in: 'path',
    required: true,
    description,
    schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' },
  });

  return {
    '/automations': {
      get: {
        summary: 'Automation templates of one version, by id',
        parameters: [
          { name: 'cursor', in: 'query', description: '`cursor` of the previous page.', schema: { type: 'string' } },
          {
            name: 'version',
            in: 'query',
            description: 'Which templates: the published ones (default) or the drafts.',
            schema: { ...status, default: 'published' },
          },
        ],
        responses: {
          '200': {
            description: '`cursor` is present only when there is a next page',
            content: json({
              type: 'object',
              required: ['templates'],
              properties: {
                templates: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['id', 'name', 'version', 'createdAt', 'updatedAt'],
                    properties: {
                      id: { type: 'string' },
                      name: { type: 'string' },
                      version: status,
                      createdAt: { type: 'string', format: 'date-time' },
                      updatedAt: { type: 'string', format: 'date-time' },
                    },
                  },
                },
                cursor: { type: 'string' },
              },
            }),
          },
          '400': error,
        },
      },
    },
    '/automations/templates/{id}': {
      get: {
        summary: 'Herald: an automation template, by id or alias',
        parameters: [idParameter('The id, or else the alias.')],
        responses: { '200': { description: 'Found', content: json(template) }, '400': error, '404': error },
      },
      put: {
        summary: 'Herald: create or replace an automation template and its triggers',
        description:
          'The steps are checked as an ad hoc invoke checks them, and every template a send names must exist in ' +
          'Herald (or be a SendGrid `d-` id). A 400 names the first problem, e.g. `steps[2]: unknown action ' +
          '"explode"` or `steps[1]: template "NOPE" does not exist`, and nothing is stored. An alias (or id) that ' +
          'already names another automation template is a 409.',
        parameters: [idParameter('The id.')],
        requestBody: { required: true, content: json(body) },
        responses: {
          '200': { description: 'Stored', content: json(template) },
          '400': error,
          '409': { ...error, description: 'The alias or id already names another template (x-should-retry: false)' },
        },
      },
      delete: {
        summary: 'Herald: delete an automation template and its triggers',
        parameters: [idParameter('The id (not the alias).')],
        responses: { '204': { description: 'Deleted' }, '400': error, '404': error },
      },
    },
    '/automations/triggers': {
      get: {
        summary: 'Herald: which inbound events start which automation templates (drafts included)',
        parameters: [
          {
            name: 'event',
            in: 'query',
            description: 'Only this event, e.g. `track/Order Completed`.',
            schema: trigger,
          },
        ],
        responses: {
          '200': {
            description: 'By event, then template id',
            content: json({
              type: 'object',
              required: ['items'],
              properties: {
                items: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['event', 'template_id'],
                    properties: { event: trigger, template_id: { type: 'string' } },
                  },
                },
              },
            }),
          },
        },
      },
    },
  };
}
