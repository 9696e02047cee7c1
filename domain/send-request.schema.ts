import { z } from 'zod';

/**
 * The body of `POST /send` (Courier's Message, api-contract §3). Unknown keys are accepted and ignored, as Courier
 * does; `null` means absent because v7 SDK types allow `null` on every optional field.
 */
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (v === null ? undefined : v), schema.optional());

type RoutingInput = { method: 'single' | 'all' | 'priority'; channels: Array<string | RoutingInput> };
export const routingSchema: z.ZodType<RoutingInput> = z.lazy(() =>
  z.object({
    method: z.enum(['single', 'all', 'priority'], { message: 'routing.method must be "single" or "all"' }),
    channels: z.array(z.union([z.string().min(1), routingSchema])).min(1, 'routing.channels must not be empty'),
  }),
);

const recipientSchema = z.looseObject({
  user_id: optional(z.string().min(1)),
  email: optional(z.string().email('to.email must be an email address')),
  phone_number: optional(
    z.string().regex(/^\+?[0-9 ()-]{5,20}$/, 'to.phone_number must be a phone number, ideally E.164'),
  ),
  data: optional(z.record(z.string(), z.unknown())),
  list_id: optional(z.string().min(1)),
  list_pattern: optional(z.string().min(1)),
  tenant_id: optional(z.string().min(1)),
  webhook: optional(
    z.looseObject({
      url: z
        .string()
        .url('to.webhook.url must be an http(s) URL')
        .refine((u) => /^https?:/i.test(u), 'to.webhook.url must be http(s)'),
      method: optional(z.enum(['POST', 'PUT'])),
      headers: optional(z.record(z.string(), z.string())),
      authentication: optional(
        z.looseObject({
          mode: z.enum(['none', 'basic', 'bearer']),
          username: optional(z.string()),
          password: optional(z.string()),
          token: optional(z.string()),
        }),
      ),
    }),
  ),
});

const contentSchema = z.looseObject({
  title: optional(z.string()),
  body: z.string({ message: 'content.body is required' }),
});

const metadataSchema = z.looseObject({
  event: optional(z.string()),
  tags: optional(z.array(z.string().max(30)).max(9, 'metadata.tags allows at most 9 tags')),
  trace_id: optional(z.string()),
});

const providerConfigSchema = z.looseObject({
  override: optional(z.record(z.string(), z.unknown())),
  if: optional(z.string()),
});

const channelConfigSchema = z.looseObject({
  providers: optional(z.array(z.string().min(1))),
  routing_method: optional(z.enum(['single', 'all'], { message: 'routing_method must be "single" or "all"' })),
  if: optional(z.string()),
});

const milliseconds = z.number().int().positive();
const timeoutSchema = z.looseObject({
  message: optional(milliseconds),
  channel: optional(z.union([milliseconds, z.record(z.string(), milliseconds)])),
  provider: optional(z.union([milliseconds, z.record(z.string(), milliseconds)])),
});

const delaySchema = z.looseObject({
  duration: optional(z.number().int().nonnegative()),
  until: optional(z.string().min(1)),
});

export const messageSchema = z.looseObject({
  to: z.union([recipientSchema, z.array(z.unknown())], { message: 'message.to must be a recipient object' }),
  content: optional(z.union([contentSchema, z.looseObject({ elements: z.array(z.unknown()) })])),
  template: optional(z.string().min(1)),
  data: optional(z.record(z.string(), z.unknown())),
  routing: optional(routingSchema),
  providers: optional(z.record(z.string(), providerConfigSchema)),
  channels: optional(z.record(z.string(), channelConfigSchema)),
  timeout: optional(timeoutSchema),
  delay: optional(delaySchema),
  metadata: optional(metadataSchema),
  preferences: optional(z.looseObject({ subscription_topic_id: optional(z.string().min(1)) })),
});

export const sendRequestSchema = z.looseObject({ message: messageSchema });

/** The legacy body the classic v5 SDK posts when called without `message` (api-contract §3.11). */
export const legacySendRequestSchema = z.looseObject({
  event: z.string().min(1, 'event is required'),
  recipient: z.string().min(1, 'recipient is required'),
  profile: optional(z.record(z.string(), z.unknown())),
  data: optional(z.record(z.string(), z.unknown())),
});

/** The v5 SDK's `POST /send/list` body: `event` (template) to `list` or `pattern`. */
export const legacyListSendSchema = z.looseObject({
  event: z.string().min(1, 'event is required'),
  list: optional(z.string().min(1)),
  pattern: optional(z.string().min(1)),
  data: optional(z.record(z.string(), z.unknown())),
});

export type SendRequest = z.infer<typeof sendRequestSchema>;
export type LegacySendRequest = z.infer<typeof legacySendRequestSchema>;
export type MessageRequest = z.infer<typeof messageSchema>;
export type LegacyListSendRequest = z.infer<typeof legacyListSendSchema>;
