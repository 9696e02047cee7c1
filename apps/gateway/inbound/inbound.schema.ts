import { z } from 'zod';
import { findForbiddenKey } from '../../../db/profiles';
import {
  MAX_SEGMENT_ID,
  MAX_SEGMENT_MESSAGE_ID,
  parseSegmentEvent,
  type SegmentParseResult,
} from '../../../domain/segment';

/** `null` means absent: v7 SDK types allow null on every optional field. */
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (v === null ? undefined : v), schema.optional());

const text = (max: number) =>
  z
    .string({ error: 'must be a non-empty string' })
    .min(1, { error: 'must be a non-empty string' })
    .max(max, { error: `must be at most ${max} characters` });

/**
 * `POST /inbound/courier` (api-contract §8.1): a track event. Other keys are kept: the whole body is what the
 * automations it starts see as `refs.data`.
 */
export const courierInboundBodySchema = z.looseObject(
  {
    event: text(1024),
    messageId: text(MAX_SEGMENT_MESSAGE_ID),
    type: z.literal('track', { error: 'must be "track"' }),
    userId: optional(text(MAX_SEGMENT_ID)),
    properties: z.record(z.string(), z.unknown(), { error: 'must be an object' }),
  },
  { error: 'body must be an object' },
);

/**
 * A Segment event as the gateway takes it: Segment's own rules, plus no key that could reach a prototype once the
 * traits land in a profile or the event in automation data.
 */
export function checkSegmentEvent(value: unknown): SegmentParseResult {
  const forbidden = findForbiddenKey(value);
  if (forbidden !== undefined) return { ok: false, reason: 'invalid', problem: `key ${forbidden} is not allowed` };
  return parseSegmentEvent(value);
}
