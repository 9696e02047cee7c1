import { z } from 'zod';
import { PREFERENCE_CHANNELS, PREFERENCE_STATUSES } from '../../../domain/preferences';
import { BadRequest } from '../errors/api-error';

const status = z.enum(PREFERENCE_STATUSES, { error: `must be one of ${PREFERENCE_STATUSES.join(', ')}` });
const channel = z.enum(PREFERENCE_CHANNELS, { error: `must be one of ${PREFERENCE_CHANNELS.join(', ')}` });

/**
 * `PUT /users/{user_id}/preferences/{topic_id}`: `{topic: {status, has_custom_routing?, custom_routing?}}`. Other
 * keys of `topic` are dropped, so a client may write back a TopicPreference it read (`topic_id`, `default_status`…).
 */
export const preferenceBodySchema = z.object(
  {
    topic: z.object(
      {
        status,
        has_custom_routing: z.boolean({ error: 'must be a boolean' }).nullish(),
        custom_routing: z.array(channel, { error: 'must be an array of channels' }).nullish(),
      },
      { error: 'must be an object' },
    ),
  },
  { error: 'body must be an object' },
);

/** Herald's `PUT /topics/{topic_id}`: `{name?, default_status}`. */
export const topicBodySchema = z.strictObject(
  {
    name: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(1024).optional(),
    default_status: status,
  },
  { error: 'body must be an object' },
);

/** Topic ids come from the path, like user ids: anything but empty. */
export function checkTopicId(topicId: string): string {
  if (!topicId || topicId.length > 1024) throw new BadRequest('topic_id must be 1 to 1024 characters');
  return topicId;
}

/**
 * `tenant_id` from the query string: the first value if repeated, and absent when empty or the literal
 * `undefined` the classic v5 client sends for unset parameters (api-contract §1.6).
 */
export function tenantIdFrom(raw: string | string[] | undefined): string | undefined {
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value === undefined || value === '' || value === 'undefined' ? undefined : value;
}
