import { z } from 'zod';
import { BadRequest } from '../errors/api-error';

const NAME = /^[A-Za-z0-9_.:-]{1,128}$/;
const NAME_RULE = 'must be 1 to 128 letters, digits or _ . : -';

/** Automation template ids come from the path; aliases from the body. Both follow the template id rule. */
export function checkAutomationTemplateId(id: string): string {
  if (!NAME.test(id)) throw new BadRequest(`automation template id ${NAME_RULE}`);
  return id;
}

/** `null` means absent, as everywhere in the Courier-shaped API. */
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((value) => (value === null ? undefined : value), schema.optional());

const text = z.string({ error: 'must be a string' });

/**
 * What an inbound event is called when it starts automations (api-contract §16.1): Segment track events as
 * `track/<Event Name>`, plus `identify` and `group`.
 */
export const triggerSchema = text
  .max(256, 'must be at most 256 characters')
  .refine((event) => event === 'identify' || event === 'group' || /^track\/.*\S/s.test(event), {
    error: 'must be "track/<Event Name>", "identify" or "group"',
  });

/**
 * `PUT /automations/templates/{id}`. Strict, so a misspelt key (`trigger`, `steps` at the top) is a 400 rather
 * than silently dropped; `id` is allowed so a file can carry its own id, but must match the path. `automation` is
 * checked step by step afterwards by `checkAutomation`, which names the step.
 */
export const automationTemplateBodySchema = z.strictObject(
  {
    id: optional(text),
    name: optional(text.min(1, 'must not be empty').max(256, 'must be at most 256 characters')),
    alias: optional(text.regex(NAME, NAME_RULE)),
    status: optional(z.enum(['published', 'draft'], { error: 'must be "published" or "draft"' })),
    automation: z.unknown().refine((value) => value !== undefined, { error: 'is required' }),
    triggers: optional(z.array(triggerSchema, { error: 'must be an array of event names' }).max(100, 'at most 100')),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field ${issue.keys.join(', ')} (fields: name, alias, status, automation, triggers)`
        : 'body must be an object',
  },
);

export type AutomationTemplateBody = z.infer<typeof automationTemplateBodySchema>;
