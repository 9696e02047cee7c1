import type { MessageRecord } from '../domain/message';
import type { StatusUpdate } from '../domain/message-record';
import type { MessageStatus } from '../domain/status';
import type { MessageLog } from './ports';

/** The statuses an outside observer hears about (Courier as a Segment source, api-contract §16.2). */
export const LIFECYCLE_STATUSES = ['SENT', 'DELIVERED', 'OPENED', 'CLICKED', 'UNDELIVERABLE', 'UNROUTABLE'] as const;
export type LifecycleStatus = (typeof LIFECYCLE_STATUSES)[number];

/** A message that has just reached a lifecycle status, as the message log committed it. */
export interface StatusChange {
  status: LifecycleStatus;
  /** When the status was reached (epoch ms): its first-seen time on the record, else the update's time. */
  at: number;
  record: MessageRecord;
}

/**
 * Hears about lifecycle changes after they are committed. It is called inside the caller's apply, so it should
 * only enqueue and return; a throw or rejection is logged and otherwise ignored.
 */
export interface MessageLifecycleReporter {
  messageStatusChanged(change: StatusChange): void | Promise<void>;
}

export interface ReportFailureLog {
  warn(details: Record<string, unknown>, message: string): void;
}

const lifecycle: ReadonlySet<MessageStatus> = new Set(LIFECYCLE_STATUSES);
const isLifecycleStatus = (status: MessageStatus | undefined): status is LifecycleStatus =>
  status !== undefined && lifecycle.has(status);

/** The record's own time for a status, where it keeps one; final statuses have none. */
const firstSeen: Partial<Record<LifecycleStatus, 'sent' | 'delivered' | 'opened' | 'clicked'>> = {
  SENT: 'sent',
  DELIVERED: 'delivered',
  OPENED: 'opened',
  CLICKED: 'clicked',
};

function changedAt(record: MessageRecord, status: LifecycleStatus, update: StatusUpdate): number {
  const field = firstSeen[status];
  return (field && record[field]) ?? update.at;
}

/**
 * The message log, telling `reporter` whenever an apply moves a message to a lifecycle status. Whoever holds the
 * log (worker activities, gateway webhooks) reports without knowing it, and a status reached through either
 * process is reported by the one that committed it.
 *
 * "Before" is read ahead of the apply, outside its transaction: a concurrent apply can make it stale, which can
 * only report a change twice (reporters key events by message and status, so the copy is dropped downstream),
 * never miss one, because statuses only move forward (an operator's reopen comes before the run it starts).
 * `log` is a plain object of functions (as `createMessageLog` returns), so the copy keeps its other methods.
 */
export function withLifecycleEvents<L extends MessageLog>(
  log: L,
  reporter: MessageLifecycleReporter,
  logger: ReportFailureLog,
): L {
  return {
    ...log,
    async apply(identity, update) {
      // A status only ever changes to the update's own status, so other updates need neither the read nor a report.
      const target = update.status;
      if (!isLifecycleStatus(target)) return log.apply(identity, update);
      const before = await log.get(identity.id);
      const record = await log.apply(identity, update);
      if (record.status !== target || before?.status === target) return record;
      try {
        await reporter.messageStatusChanged({ status: target, at: changedAt(record, target, update), record });
      } catch (error) {
        // The change is committed and the caller must not retry it for a reporting problem.
        logger.warn(
          { messageId: record.id, status: target, error: (error as Error)?.message ?? String(error) },
          'could not report a message status change',
        );
      }
      return record;
    },
  };
}
