/** Message statuses as Courier reports them (api-contract §4.3). */
export const MessageStatus = {
  ENQUEUED: 'ENQUEUED',
  DELAYED: 'DELAYED',
  ROUTED: 'ROUTED',
  SENT: 'SENT',
  DELIVERED: 'DELIVERED',
  OPENED: 'OPENED',
  CLICKED: 'CLICKED',
  UNDELIVERABLE: 'UNDELIVERABLE',
  UNROUTABLE: 'UNROUTABLE',
  UNMAPPED: 'UNMAPPED',
  FILTERED: 'FILTERED',
  CANCELED: 'CANCELED',
} as const;
export type MessageStatus = (typeof MessageStatus)[keyof typeof MessageStatus];

export const MessageReason = {
  BOUNCED: 'BOUNCED',
  FAILED: 'FAILED',
  FILTERED: 'FILTERED',
  NO_CHANNELS: 'NO_CHANNELS',
  NO_PROVIDERS: 'NO_PROVIDERS',
  OPT_IN_REQUIRED: 'OPT_IN_REQUIRED',
  PROVIDER_ERROR: 'PROVIDER_ERROR',
  UNPUBLISHED: 'UNPUBLISHED',
  UNSUBSCRIBED: 'UNSUBSCRIBED',
} as const;
export type MessageReason = (typeof MessageReason)[keyof typeof MessageReason];

/**
 * Progress order of the happy path. A message only moves forward along it, because provider events arrive out
 * of order (a Twilio `sent` callback after `delivered`, a late poll) and must never pull the status back.
 */
const progress: readonly MessageStatus[] = ['ENQUEUED', 'DELAYED', 'ROUTED', 'SENT', 'DELIVERED', 'OPENED', 'CLICKED'];

/** Statuses after which nothing more happens to a message, except engagement on a delivered one. */
const final: ReadonlySet<MessageStatus> = new Set<MessageStatus>([
  'UNDELIVERABLE',
  'UNROUTABLE',
  'UNMAPPED',
  'FILTERED',
  'CANCELED',
]);

export function isFinalStatus(status: MessageStatus): boolean {
  return final.has(status);
}

/**
 * The status a message has after `next` is observed while it is `current`. Forward moves on the progress path
 * win; a failure ends a message that was not yet delivered; nothing leaves a final status.
 */
export function advanceStatus(current: MessageStatus, next: MessageStatus): MessageStatus {
  if (isFinalStatus(current)) return current;
  if (isFinalStatus(next)) {
    // A provider cannot "undeliver" a message it already reported delivered (late duplicate or out-of-order event).
    return progress.indexOf(current) >= progress.indexOf('DELIVERED') && next === 'UNDELIVERABLE' ? current : next;
  }
  return progress.indexOf(next) > progress.indexOf(current) ? next : current;
}
