import { z } from 'zod';
import {
  defaultPreferenceBodySchema,
  tenantBodySchema,
  userTenantBodySchema,
  userTenantsBodySchema,
} from './tenants.schema';

/**
 * OpenAPI paths of Courier's `/tenants` and `/users/{user_id}/tenants`, merged into the document served at /docs.
 * Tenant-scoped templates are not served.
 */
export function tenantPaths(error: object): Record<string, unknown> {
  const json = (schema: object) => ({ 'application/json': { schema } });
  const body = (schema: z.ZodType) => ({
    required: true,
    content: json(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })),
  });
  const done = { description: 'Done (no body)' };
  const tenant = {
    type: 'object',
    required: ['id', 'name'],
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      parent_tenant_id: { type: 'string' },
      brand_id: { type: 'string' },
      default_preferences: {
        type: 'object',
        properties: {
          items: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'status'],
              properties: {
                id: { type: 'string' },
                status: { type: 'string' },
                has_custom_routing: { type: 'boolean' },
                custom_routing: { type: 'array', items: { type: 'string' } },
              },
            },
          },
        },
      },
      properties: { type: 'object' },
      user_profile: { type: 'object' },
    },
  };
  const membership = {
    type: 'object',
    required: ['tenant_id', 'user_id', 'type'],
    properties: {
      tenant_id: { type: 'string' },
      user_id: { type: 'string' },
      type: { type: 'string', enum: ['user'] },
      profile: { type: 'object' },
    },
  };
  const envelope = (items: object) =>
    json({
      type: 'object',
      required: ['items', 'has_more', 'type', 'url', 'cursor', 'next_url'],
      properties: {
        items: { type: 'array', items },
        has_more: { type: 'boolean' },
        type: { type: 'string', enum: ['list'] },
        url: { type: 'string', description: 'The path listed' },
        cursor: { type: ['string', 'null'], description: 'Pass back as `?cursor=` for the next page' },
        next_url: { type: ['string', 'null'], description: 'Path and query of the next page' },
      },
    });
  const query = (name: string, description: string) => ({ name, in: 'query', description, schema: { type: 'string' } });
  const paging = [
    query('cursor', '`cursor` of the previous page.'),
    {
      name: 'limit',
      in: 'query',
      description: 'Page size, 20 by default, at most 100.',
      schema: { type: 'integer', minimum: 1, maximum: 100 },
    },
  ];
  const tenantParameter = { name: 'tenant_id', in: 'path', required: true, schema: { type: 'string' } };
  const userParameter = { name: 'user_id', in: 'path', required: true, schema: { type: 'string' } };
  const topicParameter = { name: 'topic_id', in: 'path', required: true, schema: { type: 'string' } };

  return {
    '/tenants': {
      get: {
        summary: 'Tenants by id',
        parameters: [...paging, query('parent_tenant_id', 'Only the children of this tenant.')],
        responses: { '200': { description: 'A page of tenants', content: envelope(tenant) }, '400': error },
      },
    },
    '/tenants/{tenant_id}': {
      parameters: [tenantParameter],
      get: {
        summary: 'A tenant',
        responses: { '200': { description: 'The tenant', content: json(tenant) }, '404': error },
      },
      put: {
        summary: 'Create the tenant or replace it (members kept)',
        requestBody: body(tenantBodySchema),
        responses: { '200': { description: 'The tenant as stored', content: json(tenant) }, '400': error },
      },
      delete: { summary: 'Delete the tenant and its memberships (idempotent)', responses: { '204': done } },
    },
    '/tenants/{tenant_id}/users': {
      parameters: [tenantParameter],
      get: {
        summary: "The tenant's members by user id",
        parameters: paging,
        responses: {
          '200': { description: 'A page of members', content: envelope(membership) },
          '400': error,
          '404': error,
        },
      },
    },
    '/tenants/{tenant_id}/default_preferences/items/{topic_id}': {
      parameters: [tenantParameter, topicParameter],
      put: {
        summary: "Set the tenant's default for a subscription topic",
        requestBody: body(defaultPreferenceBodySchema),
        responses: { '204': done, '400': error, '404': error },
      },
      delete: {
        summary: "Remove the tenant's default for a subscription topic",
        responses: { '204': done, '404': error },
      },
    },
    '/users/{user_id}/tenants': {
      parameters: [userParameter],
      get: {
        summary: "The user's tenant memberships by tenant id",
        parameters: paging,
        responses: { '200': { description: 'A page of memberships', content: envelope(membership) }, '400': error },
      },
      put: {
        summary: 'Add the user to these tenants (missing tenants are created, named after their id)',
        requestBody: body(userTenantsBodySchema),
        responses: { '204': done, '400': error },
      },
      delete: { summary: 'Remove the user from every tenant', responses: { '204': done } },
    },
    '/users/{user_id}/tenants/{tenant_id}': {
      parameters: [userParameter, tenantParameter],
      put: {
        summary: "Add the user to the tenant, replacing the membership's profile; the body is optional",
        requestBody: { ...body(userTenantBodySchema), required: false },
        responses: { '204': done, '400': error },
      },
      delete: { summary: 'Remove the user from the tenant', responses: { '204': done } },
    },
  };
}
