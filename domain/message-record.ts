import type { Channel, ProviderKey } from './channels';
import type { MessageIdentity, MessageRecord, ProviderAttempt } from './message';
import { advanceStatus, isFinalStatus, type MessageReason, type MessageStatus } from './status';

/** A change to one provider attempt, keyed by channel + provider (+ the provider's message id once known). */
export interface AttemptUpdate {
  channel: Channel;
  provider: ProviderKey;
  status: MessageStatus;
  reference?: Record<string, string>;
  error?: string;
  /**
   * What was rendered for this attempt, when the update comes from the send itself. The record does not keep it
   * (`applyStatusUpdate` ignores it); the message log stores it for `GET /messages/{id}/output` and history.
   */
  output?: { title: string; text: string; html: string };
}

/** One observation about a message: its own status, an attempt's status, or both. */
export interface StatusUpdate {
  at: number;
  status?: MessageStatus;
  reason?: MessageReason;
  error?: string;
  attempt?: AttemptUpdate;
  /**
   * An operator retries an undeliverable message: it goes back to ENQUEUED and loses its reason and error, while
   * its earlier provider attempts stay in `providers`. Nothing else may leave a final status.
   */
  reopen?: boolean;
}

const channelNames: Record<Channel, string> = { sms: 'SMS', email: 'Email', push: 'Push', webhook: 'Webhook' };

/** Message-level timestamps Courier reports, each set once: when the status was first reached. */
const firstSeenField: Partial<Record<MessageStatus, 'sent' | 'delivered' | 'opened' | 'clicked'>> = {
  SENT: 'sent',
  DELIVERED: 'delivered',
  OPENED: 'opened',
  CLICKED: 'clicked',
};

export function newMessageRecord(identity: MessageIdentity): MessageRecord {
  return { ...identity, status: 'ENQUEUED', providers: [] };
}

/** Applies one observation. Pure and order-tolerant: a stale or duplicate update changes nothing. */
export function applyStatusUpdate(record: MessageRecord, update: StatusUpdate): MessageRecord {
  let next: MessageRecord = { ...record, providers: record.providers };
  if (update.reopen && record.status === 'UNDELIVERABLE') {
    next = { ...next, status: 'ENQUEUED' };
    delete next.reason;
    delete next.error;
  }
  if (update.status) {
    const status = advanceStatus(record.status, update.status);
    if (status !== record.status) {
      next.status = status;
      if (update.reason) next.reason = update.reason;
      if (update.error) next.error = update.error;
    }
    const field = firstSeenField[update.status];
    if (field && status === update.status && next[field] === undefined) next[field] = update.at;
  }
  if (update.attempt) next = { ...next, providers: applyAttemptUpdate(next.providers, update.attempt, update.at) };
  return next;
}

function sameAttempt(entry: ProviderAttempt, update: AttemptUpdate): boolean {
  if (entry.channel.key !== update.channel || entry.provider !== update.provider) return false;
  const id = update.reference && Object.values(update.reference)[0];
  const entryId = entry.reference && Object.values(entry.reference)[0];
  // A finished attempt only hears about itself; a new attempt with the same provider (a retry) gets its own entry.
  if (isFinalStatus(entry.status)) return Boolean(id && entryId && id === entryId);
  return !id || !entryId || id === entryId;
}

function applyAttemptUpdate(entries: ProviderAttempt[], update: AttemptUpdate, at: number): ProviderAttempt[] {
  const index = entries.findIndex((entry) => sameAttempt(entry, update));
  const current: ProviderAttempt =
    index >= 0
      ? entries[index]
      : {
          channel: { key: update.channel, name: channelNames[update.channel], template: '' },
          provider: update.provider,
          status: update.status,
        };
  const status = index >= 0 ? advanceStatus(current.status, update.status) : update.status;
  const entry: ProviderAttempt = { ...current, status };
  if (update.reference) entry.reference = { ...current.reference, ...update.reference };
  if (update.error && status === update.status) entry.error = update.error;
  if (status === 'SENT' && entry.sent === undefined) entry.sent = at;
  if (status === 'DELIVERED' && entry.delivered === undefined) {
    entry.delivered = at;
    entry.sent ??= at;
  }
  return index >= 0 ? entries.map((e, i) => (i === index ? entry : e)) : [...entries, entry];
}
