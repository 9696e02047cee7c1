import { z } from 'zod';
import { listIdProblem } from '../../../domain/list-pattern';
import { PREFERENCE_STATUSES } from '../../../domain/preferences';
import { findForbiddenKey } from '../../../db/profiles';
import { BadRequest } from '../errors/api-error';
import { badRequestFromZod } from '../errors/zod-error';

const preferenceDetails = z.looseObject(
  {
    status: z.enum(PREFERENCE_STATUSES, { error: `must be one of ${PREFERENCE_STATUSES.join(', ')}` }),
    rules: z
      .array(z.looseObject({ start: z.string().nullish(), until: z.string({ error: 'must be a string' }) }), {
        error: 'must be an array of rules',
      })
      .nullish(),
    channel_preferences: z
      .array(z.looseObject({ channel: z.string({ error: 'must be a string' }) }), {
        error: 'must be an array of {channel}',
      })
      .nullish(),
  },
  { error: 'must be an object' },
);
const preferenceMap = z.record(z.string(), preferenceDetails, { error: 'must be an object keyed by id' });

/** Courier's RecipientPreferences: `{notifications?, categories?}`, each id → `{status, rules?, channel_preferences?}`. */
export const recipientPreferencesSchema = z.looseObject(
  { notifications: preferenceMap.nullish(), categories: preferenceMap.nullish() },
  { error: 'must be an object' },
);

const listId = z.string({ error: 'must be a string' }).superRefine((id, ctx) => {
  const problem = listIdProblem(id);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const userId = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(1024, { error: 'must be at most 1024 characters' });

/** `PUT /lists/{list_id}`: `{name, preferences?}`. */
export const listBodySchema = z.object(
  {
    name: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(1024),
    preferences: recipientPreferencesSchema.nullish(),
  },
  { error: 'body must be an object' },
);

/** `PUT` and `POST /lists/{list_id}/subscriptions`: `{recipients: [{recipientId, preferences?}]}`. */
export const recipientsBodySchema = z.object(
  {
    recipients: z.array(
      z.object(
        { recipientId: userId, preferences: recipientPreferencesSchema.nullish() },
        { error: 'must be an object' },
      ),
      { error: 'must be an array of {recipientId, preferences?}' },
    ),
  },
  { error: 'body must be an object' },
);

/** `PUT /lists/{list_id}/subscriptions/{user_id}`: `{preferences?}`, or no body at all. */
export const subscribeBodySchema = z.object(
  { preferences: recipientPreferencesSchema.nullish() },
  { error: 'body must be an object' },
);

/**
 * `POST /profiles/{user_id}/lists`: `{lists: [{listId, preferences?}]}`. The classic client's type also carries the
 * list's `name`, `created`, `updated`: dropped.
 */
export const profileListsBodySchema = z.object(
  {
    lists: z.array(
      z.object({ listId, preferences: recipientPreferencesSchema.nullish() }, { error: 'must be an object' }),
      { error: 'must be an array of {listId, preferences?}' },
    ),
  },
  { error: 'body must be an object' },
);

/**
 * Parses a body, refusing keys that could reach a prototype first: a record parsed by zod would turn a
 * `__proto__` key into the prototype of its output instead of keeping it visible.
 */
export function parseJsonBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const forbidden = findForbiddenKey(body);
  if (forbidden !== undefined) throw new BadRequest(`key ${forbidden} is not allowed`);
  const result = schema.safeParse(body);
  if (!result.success) throw badRequestFromZod(result.error);
  return result.data;
}

/** List ids come from the path: 1 to 4 dot-separated parts (api-contract §9.2). */
export function checkListId(id: string): string {
  const problem = listIdProblem(id);
  if (problem) throw new BadRequest(problem);
  return id;
}
