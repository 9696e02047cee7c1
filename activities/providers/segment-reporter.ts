import { createHash } from 'node:crypto';
import { Analytics } from '@segment/analytics-node';
import type { LifecycleStatus, MessageLifecycleReporter, ReportFailureLog, StatusChange } from '../lifecycle-events';

export interface SegmentReporterSettings {
  /** The Segment source's write key (a secret). */
  writeKey: string;
  /**
   * The Tracking API's base URL, which may carry a path prefix (the sandbox's `<url>/segment`); unset = Segment's
   * own `https://api.segment.io`.
   */
  host?: string;
  /** The batch endpoint below `host`'s path; default `/v1/batch`. */
  path?: string;
  /** First word of every event name: `Message` gives `Message Sent`, `Message Delivered`… */
  eventPrefix?: string;
  /** analytics-node's batching: send once this many events wait (default 15) or this long passed (10 000 ms). */
  flushAt?: number;
  flushInterval?: number;
  /** analytics-node's retries of a failed batch (default 10, with backoff). */
  maxRetries?: number;
}

export interface SegmentReporter extends MessageLifecycleReporter {
  /** Sends what is still queued and stops; events reported afterwards are dropped. */
  close(timeoutMs?: number): Promise<void>;
}

export const DEFAULT_SEGMENT_EVENT_PREFIX = 'Message';

const eventNames: Record<LifecycleStatus, string> = {
  SENT: 'Sent',
  DELIVERED: 'Delivered',
  OPENED: 'Opened',
  CLICKED: 'Clicked',
  UNDELIVERABLE: 'Undeliverable',
  UNROUTABLE: 'Unroutable',
};

/**
 * The Segment messageId of a status change: the same for every report of it, from any process or retry, so Segment
 * (and the sandbox) keep one event. Segment dedupes across all workspaces; Herald message ids are random enough.
 */
export function segmentMessageId(heraldMessageId: string, status: LifecycleStatus): string {
  return createHash('sha256').update(`${heraldMessageId}:${status}`).digest('hex');
}

/** analytics-node resolves `path` against `host` as an absolute path, dropping a prefix in `host`; keep it here. */
function endpoint(host: string | undefined, path = '/v1/batch'): { host?: string; path: string } {
  const relative = path.startsWith('/') ? path : `/${path}`;
  if (!host) return { path: relative };
  const url = new URL(host);
  return { host: url.origin, path: `${url.pathname.replace(/\/$/, '')}${relative}` };
}

/** The attempt the status came from: the latest one in that status, else the latest one (none: UNROUTABLE). */
function attemptOf({ record, status }: StatusChange) {
  const latestFirst = [...record.providers].reverse();
  return latestFirst.find((attempt) => attempt.status === status) ?? latestFirst[0];
}

/** Herald as a Segment source: each lifecycle change becomes one `track` call through `@segment/analytics-node`. */
export function createSegmentReporter(settings: SegmentReporterSettings, logger: ReportFailureLog): SegmentReporter {
  const analytics = new Analytics({
    writeKey: settings.writeKey,
    ...endpoint(settings.host, settings.path),
    flushAt: settings.flushAt,
    flushInterval: settings.flushInterval,
    maxRetries: settings.maxRetries,
  });
  // Delivery happens in the background, after the apply returned: failures can only be logged (never the key).
  analytics.on('error', (error) => {
    const reason = error.reason instanceof Error ? error.reason.message : String(error.reason);
    logger.warn(
      { code: error.code, reason, segmentMessageId: error.ctx?.event.messageId },
      'segment: a message lifecycle event was not delivered',
    );
  });
  const prefix = settings.eventPrefix ?? DEFAULT_SEGMENT_EVENT_PREFIX;

  return {
    messageStatusChanged(change: StatusChange): void {
      const { record, status, at } = change;
      const attempt = attemptOf(change);
      analytics.track({
        // Segment needs an identity; a message to an address (no user id) is its own anonymous visitor, so that
        // unrelated anonymous recipients are not merged into one profile.
        ...(record.recipient ? { userId: record.recipient } : { anonymousId: record.id }),
        event: `${prefix} ${eventNames[status]}`,
        messageId: segmentMessageId(record.id, status),
        timestamp: new Date(at),
        properties: {
          messageId: record.id,
          status,
          recipient: record.recipient || undefined,
          event: record.event || undefined,
          template: record.notification || undefined,
          channel: attempt?.channel.key,
          provider: attempt?.provider,
          reason: record.reason,
          error: record.error ?? attempt?.error,
        },
      });
    },

    close(timeoutMs = 10_000): Promise<void> {
      return analytics.closeAndFlush({ timeout: timeoutMs });
    },
  };
}
