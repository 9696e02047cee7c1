import { z } from 'zod';
import { listBodySchema, profileListsBodySchema, recipientsBodySchema, subscribeBodySchema } from './lists.schema';

/** OpenAPI paths of Courier's `/lists` and `/profiles/{user_id}/lists`, merged into the document served at /docs. */
export function listPaths(error: object): Record<string, unknown> {
  const json = (schema: object) => ({ 'application/json': { schema } });
  const body = (schema: z.ZodType) => ({
    required: true,
    content: json(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })),
  });
  const done = { description: 'Done (no body)' };
  const paging = {
    type: 'object',
    required: ['more'],
    description: '`cursor` is present only when `more` is true; pass it back as `?cursor=`.',
    properties: { cursor: { type: 'string' }, more: { type: 'boolean' } },
  };
  const list = {
    type: 'object',
    required: ['id', 'name', 'created', 'updated'],
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      created: { type: 'string', format: 'date-time' },
      updated: { type: 'string', format: 'date-time' },
      preferences: { type: 'object' },
    },
  };
  const listParameter = {
    name: 'list_id',
    in: 'path',
    required: true,
    description: 'One to four dot-separated parts, e.g. `pokemon.fire`.',
    schema: { type: 'string' },
  };
  const userParameter = { name: 'user_id', in: 'path', required: true, schema: { type: 'string' } };
  const cursor = {
    name: 'cursor',
    in: 'query',
    description: '`paging.cursor` of the previous page.',
    schema: { type: 'string' },
  };
  const success = json({ type: 'object', properties: { status: { type: 'string', enum: ['SUCCESS'] } } });

  return {
    '/lists': {
      get: {
        summary: 'Live lists by id, 100 a page, optionally only those matching a pattern',
        parameters: [
          cursor,
          {
            name: 'pattern',
            in: 'query',
            description:
              'An exact list id, or parts where `*` matches one part and a trailing `**` one or more further parts ' +
              '(`pokemon.**`); at least one part must be literal.',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '200': {
            description: 'A page of lists',
            content: json({
              type: 'object',
              required: ['items', 'paging'],
              properties: { items: { type: 'array', items: list }, paging },
            }),
          },
          '400': error,
        },
      },
    },
    '/lists/{list_id}': {
      parameters: [listParameter],
      get: {
        summary: 'A live list',
        responses: { '200': { description: 'The list', content: json(list) }, '400': error, '404': error },
      },
      put: {
        summary: 'Create the list, or replace its name and preferences (subscribers kept; a deleted list starts over)',
        requestBody: body(listBodySchema),
        responses: { '204': done, '400': error },
      },
      delete: {
        summary: 'Soft-delete the list: it and its subscribers are kept until restored or replaced',
        responses: { '204': done, '400': error },
      },
    },
    '/lists/{list_id}/restore': {
      parameters: [listParameter],
      put: {
        summary: 'Undo a soft delete, subscribers included',
        responses: { '204': done, '400': error, '404': error },
      },
    },
    '/lists/{list_id}/subscriptions': {
      parameters: [listParameter],
      get: {
        summary: "The list's subscribers by user id, 100 a page",
        parameters: [cursor],
        responses: {
          '200': {
            description: 'A page of subscribers',
            content: json({
              type: 'object',
              required: ['items', 'paging'],
              properties: {
                items: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['recipientId', 'created'],
                    properties: {
                      recipientId: { type: 'string' },
                      created: { type: 'string', format: 'date-time' },
                      preferences: { type: 'object' },
                    },
                  },
                },
                paging,
              },
            }),
          },
          '400': error,
          '404': error,
        },
      },
      put: {
        summary: 'Make the subscribers exactly these (creates the list, named after its id, if needed)',
        requestBody: body(recipientsBodySchema),
        responses: { '204': done, '400': error },
      },
      post: {
        summary: 'Subscribe these users, leaving the others (creates the list if needed)',
        requestBody: body(recipientsBodySchema),
        responses: { '204': done, '400': error },
      },
    },
    '/lists/{list_id}/subscriptions/{user_id}': {
      parameters: [listParameter, userParameter],
      put: {
        summary: 'Subscribe one user (creates the list if needed); the body is optional',
        requestBody: { ...body(subscribeBodySchema), required: false },
        responses: { '204': done, '400': error },
      },
      delete: {
        summary: 'Unsubscribe one user (idempotent)',
        responses: { '204': done, '400': error },
      },
    },
    '/profiles/{user_id}/lists': {
      parameters: [userParameter],
      get: {
        summary: "The user's live lists by id, 100 a page, each with the subscription's preferences",
        parameters: [cursor],
        responses: {
          '200': {
            description: 'A page of lists (`results`, not `items`, as in Courier)',
            content: json({
              type: 'object',
              required: ['paging', 'results'],
              properties: { paging, results: { type: 'array', items: list } },
            }),
          },
          '400': error,
        },
      },
      post: {
        summary: 'Subscribe the user to these lists, creating missing ones; all or nothing',
        requestBody: body(profileListsBodySchema),
        responses: { '200': { description: 'Subscribed', content: success }, '400': error },
      },
      delete: {
        summary: 'Remove every subscription of the user',
        responses: { '200': { description: 'Removed', content: success }, '400': error },
      },
    },
  };
}
