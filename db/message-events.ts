import type { Channel, ProviderKey } from '../domain/channels';
import type { MessageIdentity, MessageRecord, ProviderAttempt } from '../domain/message';
import type { AttemptUpdate, StatusUpdate } from '../domain/message-record';
import type { MessageStatus } from '../domain/status';

/**
 * The history events one message-log write implies (api-contract §4.4). Pure: it compares the record before and
 * after `applyStatusUpdate`, so an update that moved nothing (a retried webhook, a stale or duplicate report)
 * implies no event at all.
 */

/** What `GET /messages/{id}/output` shows for one attempt, as the RENDERED event's `output` carries it. */
export interface RenderedOutput {
  title: string;
  body: string;
  subject: string;
  text: string;
  html: string;
}

/** One history event before it is stored: `payload` holds every field besides `ts` and `type`. */
export interface NewHistoryEvent {
  ts: number;
  type: string;
  payload: Record<string, unknown>;
}

const channelField = (channel: Channel) => ({ id: channel });
const integrationField = (provider: ProviderKey) => ({ id: provider, provider });

/** Attempt statuses that are history events of their own, with the attempt's channel and integration. */
const attemptEventTypes: ReadonlySet<MessageStatus> = new Set<MessageStatus>([
  'SENT',
  'DELIVERED',
  'OPENED',
  'CLICKED',
  'UNDELIVERABLE',
]);

export function enqueuedEvent(identity: MessageIdentity): NewHistoryEvent {
  return { ts: identity.enqueued, type: 'ENQUEUED', payload: { event: identity.event, recipient: identity.recipient } };
}

/** The RENDERED output of an attempt: `body` is the text, the subject exists on email only. */
export function renderedOutput(channel: Channel, output: NonNullable<AttemptUpdate['output']>): RenderedOutput {
  return {
    title: output.title,
    body: output.text,
    subject: channel === 'email' ? output.title : '',
    text: output.text,
    html: output.html,
  };
}

function sameOutput(a: RenderedOutput, b: RenderedOutput): boolean {
  return a.title === b.title && a.body === b.body && a.subject === b.subject && a.text === b.text && a.html === b.html;
}

/** The provider entry whose status this update moved (or created), if any. */
function movedAttempt(before: ProviderAttempt[], after: ProviderAttempt[]): ProviderAttempt | undefined {
  // applyStatusUpdate replaces the matching entry in place or appends a new one, so positions line up.
  return after.find((entry, i) => before[i] === undefined || before[i].status !== entry.status);
}

/**
 * Events for one update, in the order they happened: RENDERED (new output for the attempt), the attempt's new
 * status, then the message's new status unless the attempt event already says it.
 * @param previousOutput the latest output stored for the update's channel and provider, if any
 */
export function historyEventsFor(
  before: MessageRecord,
  after: MessageRecord,
  update: StatusUpdate,
  previousOutput?: RenderedOutput,
): NewHistoryEvent[] {
  const events: NewHistoryEvent[] = [];
  const ts = update.at;
  const attempt = update.attempt;

  if (attempt?.output) {
    const output = renderedOutput(attempt.channel, attempt.output);
    if (!previousOutput || !sameOutput(previousOutput, output)) {
      events.push({
        ts,
        type: 'RENDERED',
        payload: { channel: channelField(attempt.channel), integration: integrationField(attempt.provider), output },
      });
    }
  }

  const moved = attempt ? movedAttempt(before.providers, after.providers) : undefined;
  if (moved && attemptEventTypes.has(moved.status)) {
    const where = { channel: channelField(moved.channel.key), integration: integrationField(moved.provider) };
    if (moved.status === 'UNDELIVERABLE') {
      const error = attempt?.error ?? moved.error;
      events.push({
        ts,
        type: 'UNDELIVERABLE',
        // An attempt update carries no reason of its own unless the caller gives one; FAILED is the generic one.
        payload: { reason: update.reason ?? 'FAILED', ...(error ? { error_message: error } : {}), ...where },
      });
    } else if (moved.status === 'DELIVERED') {
      events.push({ ts, type: 'DELIVERED', payload: { ...where, reference: moved.reference ?? {} } });
    } else {
      events.push({ ts, type: moved.status, payload: where });
    }
  }

  if (after.status !== before.status && events[events.length - 1]?.type !== after.status) {
    events.push({ ts, type: after.status, payload: messageStatusFields(after) });
  }
  return events;
}

/** Extra fields of a message-level status event (no channel: no single attempt caused it). */
function messageStatusFields(record: MessageRecord): Record<string, unknown> {
  // Back to ENQUEUED: an operator retried an undeliverable message.
  if (record.status === 'ENQUEUED') return { event: record.event, recipient: record.recipient };
  if (record.status !== 'UNDELIVERABLE' && record.status !== 'UNROUTABLE') return {};
  return {
    ...(record.reason ? { reason: record.reason } : {}),
    ...(record.error ? { error_message: record.error } : {}),
  };
}
