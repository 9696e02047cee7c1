import { z } from 'zod';
import {
  DEFAULT_SEGMENT_EVENT_PREFIX,
  type SegmentReporterSettings,
} from '../../activities/providers/segment-reporter';
import { sandboxCredentials } from '../sandbox/credentials';
import { parseEnv } from './config';

const segmentSourceSchema = z.object({
  /** `off` stops reporting message lifecycle changes to Segment. */
  HERALD_SEGMENT_SOURCE: z.enum(['on', 'off']).default('on'),
  /** The Segment source's write key (a secret); without it events go to the provider sandbox. */
  HERALD_SEGMENT_SOURCE_WRITE_KEY: z.string().min(1).optional(),
  /** Replaces https://api.segment.io (a proxy, a regional endpoint, or the sandbox at another URL). */
  HERALD_SEGMENT_SOURCE_HOST: z.string().url().optional(),
  HERALD_SEGMENT_EVENT_PREFIX: z.string().min(1).default(DEFAULT_SEGMENT_EVENT_PREFIX),
});

/**
 * Herald as a Segment source (api-contract §16.2), read the same way by worker and gateway: both report the status
 * changes they commit. As for the delivery providers, a real write key selects real Segment and no key selects
 * the provider sandbox, so `npm start` shows the events there. Undefined: switched off.
 */
export function loadSegmentSourceSettings(
  env: NodeJS.ProcessEnv,
  sandboxUrl: string,
): SegmentReporterSettings | undefined {
  const raw = parseEnv(segmentSourceSchema, env);
  if (raw.HERALD_SEGMENT_SOURCE === 'off') return undefined;
  const writeKey = raw.HERALD_SEGMENT_SOURCE_WRITE_KEY;
  return {
    writeKey: writeKey ?? sandboxCredentials.segment.writeKey,
    host: raw.HERALD_SEGMENT_SOURCE_HOST ?? (writeKey ? undefined : `${sandboxUrl}/segment`),
    eventPrefix: raw.HERALD_SEGMENT_EVENT_PREFIX,
  };
}
