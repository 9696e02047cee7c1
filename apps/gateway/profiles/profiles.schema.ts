import { z } from 'zod';
import { findForbiddenKey } from '../../../db/profiles';
import { BadRequest } from '../errors/api-error';
import { badRequestFromZod } from '../errors/zod-error';

/** A JSON object (not an array, not null) without keys that could reach a prototype. */
const profileObject = z.record(z.string(), z.unknown(), { error: 'must be an object' }).superRefine((value, ctx) => {
  const forbidden = findForbiddenKey(value);
  if (forbidden !== undefined) ctx.addIssue({ code: 'custom', message: `key ${forbidden} is not allowed` });
});

/** `POST` and `PUT /profiles/{user_id}`: `{profile: {...}}`. */
export const profileBodySchema = z.object({ profile: profileObject }, { error: 'body must be an object' });

const pointer = z.string({ error: 'must be a JSON pointer string' });

/** `PATCH /profiles/{user_id}`: `{patch: [{op, path, value}]}` (wrapped, not a bare RFC 6902 array). */
export const profilePatchBodySchema = z.object(
  {
    patch: z.array(
      z.object({
        op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test'], {
          error: 'must be one of add, remove, replace, move, copy, test',
        }),
        path: pointer,
        from: pointer.optional(),
        value: z.unknown().optional(),
      }),
      { error: 'must be an array of JSON Patch operations' },
    ),
  },
  { error: 'body must be an object' },
);

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw badRequestFromZod(result.error);
  return result.data;
}

/** User ids come from the path; they may hold `@ : +`, never an empty string. */
export function checkUserId(userId: string): string {
  if (!userId || userId.length > 1024) throw new BadRequest('user_id must be 1 to 1024 characters');
  return userId;
}
