import { z } from 'zod';
import { checkTemplateSyntax } from '../../../domain/render';
import { isSendgridTemplateId, type TemplateContent } from '../../../domain/template';
import { BadRequest } from '../errors/api-error';
import { badRequestFromZod } from '../errors/zod-error';
import { routingSchema } from '../../../domain/send-request.schema';

const TEMPLATE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * Template ids come from the path. A SendGrid dynamic template id is refused because a send naming one goes
 * straight to SendGrid: a Herald template under that id could never be sent.
 */
export function checkTemplateId(id: string): string {
  if (!TEMPLATE_ID.test(id)) {
    throw new BadRequest('template id must be 1 to 128 letters, digits or _ . : -');
  }
  if (isSendgridTemplateId(id)) {
    throw new BadRequest(`template id ${id} is a SendGrid dynamic template id: sends naming it go to SendGrid`);
  }
  return id;
}

const text = z.string({ error: 'must be a string' });
const body = text.min(1, 'must not be empty');

const BLOCKS = 'default, email, sms, push, inbox';

// Strict, so a misspelt channel or field is a 400 rather than content silently dropped.
const contentSchema = z
  .strictObject(
    {
      default: z.strictObject({ title: text.optional(), body }),
      email: z.strictObject({ subject: text, html: text.optional(), text: text.optional() }),
      sms: z.strictObject({ body }),
      push: z.strictObject({ title: text.optional(), body }),
      inbox: z.strictObject({ title: text.optional(), body, action_url: text.optional() }),
    },
    {
      error: (issue) => {
        if (issue.code === 'unrecognized_keys') return `unknown block ${issue.keys.join(', ')} (blocks: ${BLOCKS})`;
        return issue.input === undefined ? 'is required' : `must be an object of channel blocks (${BLOCKS})`;
      },
    },
  )
  .partial()
  .refine((content) => Object.values(content).some((block) => block !== undefined), {
    error: `needs at least one block (${BLOCKS})`,
  });

/** `PUT /templates/{id}`. Other keys (a template read back with `id`, `created`…) are ignored. */
export const templateBodySchema = z.object(
  {
    name: text.min(1, 'must not be empty').max(256, 'must be at most 256 characters').optional(),
    topic_id: text.regex(TEMPLATE_ID, 'must be 1 to 128 letters, digits or _ . : -').optional(),
    routing: routingSchema.optional(),
    content: contentSchema,
  },
  { error: 'body must be an object' },
);

export type TemplateBody = z.infer<typeof templateBodySchema>;

/** `POST /templates/import/sendgrid`: no body imports every dynamic template; `ids` picks some. */
export const sendgridImportBodySchema = z
  .object(
    {
      ids: z
        .array(text.refine(isSendgridTemplateId, 'must be a SendGrid dynamic template id (d- and 32 hex digits)'))
        .min(1, 'must name at least one template')
        .max(1000, 'must name at most 1000 templates')
        .optional(),
    },
    { error: 'body must be an object' },
  )
  .optional();

/** `GET /templates?cursor=&limit=`. */
export const templateListQuerySchema = z.object({
  cursor: text.min(1, 'must not be empty').optional(),
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(100, 'must be at most 100')
    .optional(),
});

export function parseBody<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw badRequestFromZod(result.error);
  return result.data;
}

/**
 * The first Handlebars source in `content` that does not parse, as `content.<channel>.<field> is not a valid
 * template: <Handlebars' message>`; undefined when every one parses.
 */
export function findTemplateSyntaxError(content: TemplateContent): string | undefined {
  for (const [channel, block] of Object.entries(content)) {
    for (const [field, source] of Object.entries((block ?? {}) as Record<string, unknown>)) {
      if (typeof source !== 'string') continue;
      try {
        checkTemplateSyntax(source);
      } catch (error) {
        return `content.${channel}.${field} is not a valid template: ${(error as Error).message}`;
      }
    }
  }
  return undefined;
}
