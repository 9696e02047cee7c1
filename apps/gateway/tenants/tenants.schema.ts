import { z } from 'zod';
import { PREFERENCE_CHANNELS, PREFERENCE_STATUSES } from '../../../domain/preferences';
import { BadRequest } from '../errors/api-error';

const status = z.enum(PREFERENCE_STATUSES, { error: `must be one of ${PREFERENCE_STATUSES.join(', ')}` });
const channel = z.enum(PREFERENCE_CHANNELS, { error: `must be one of ${PREFERENCE_CHANNELS.join(', ')}` });
const jsonObject = z.record(z.string(), z.unknown(), { error: 'must be an object' });
const id = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(1024, { error: 'must be at most 1024 characters' });

/** `{status, has_custom_routing?, custom_routing?}`: a tenant's default for one subscription topic. */
const defaultPreferenceFields = {
  status,
  has_custom_routing: z.boolean({ error: 'must be a boolean' }).nullish(),
  custom_routing: z.array(channel, { error: 'must be an array of channels' }).nullish(),
};

/** `PUT /tenants/{tenant_id}/default_preferences/items/{topic_id}`. */
export const defaultPreferenceBodySchema = z.object(defaultPreferenceFields, { error: 'body must be an object' });

/**
 * `PUT /tenants/{tenant_id}`: the Tenant without its id. The classic v5 client sends the whole tenant (`id`, and
 * `type` on each default preference): other keys are dropped.
 */
export const tenantBodySchema = z.object(
  {
    name: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(1024),
    parent_tenant_id: id.nullish(),
    brand_id: z.string({ error: 'must be a string' }).nullish(),
    default_preferences: z
      .object(
        {
          items: z
            .array(z.object({ id, ...defaultPreferenceFields }, { error: 'must be an object' }), {
              error: 'must be an array',
            })
            .nullish(),
        },
        { error: 'must be an object' },
      )
      .nullish(),
    properties: jsonObject.nullish(),
    user_profile: jsonObject.nullish(),
  },
  { error: 'body must be an object' },
);

/** `PUT /users/{user_id}/tenants`: `{tenants: [{tenant_id, profile?}]}` (`user_id` and `type` are ignored). */
export const userTenantsBodySchema = z.object(
  {
    tenants: z.array(z.object({ tenant_id: id, profile: jsonObject.nullish() }, { error: 'must be an object' }), {
      error: 'must be an array of {tenant_id, profile?}',
    }),
  },
  { error: 'body must be an object' },
);

/** `PUT /users/{user_id}/tenants/{tenant_id}`: `{profile?}`, or no body at all. */
export const userTenantBodySchema = z.object({ profile: jsonObject.nullish() }, { error: 'body must be an object' });

/** Tenant ids come from the path: anything but empty. */
export function checkTenantId(tenantId: string): string {
  if (!tenantId || tenantId.length > 1024) throw new BadRequest('tenant_id must be 1 to 1024 characters');
  return tenantId;
}

/** Topic ids come from the path: anything but empty. */
export function checkTopicId(topicId: string): string {
  if (!topicId || topicId.length > 1024) throw new BadRequest('topic_id must be 1 to 1024 characters');
  return topicId;
}

/** `limit` of the tenant listings: a positive integer; above the maximum the store caps it. */
export function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const limit = /^\d{1,6}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new BadRequest('limit must be a positive integer');
  return limit;
}
