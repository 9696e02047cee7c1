import type { StatusUpdate } from '../../../domain/message-record';
import type { ProviderReport } from '../../../workflows/send-message.workflow';

/** What one provider webhook event means for Herald: a message-log update, and maybe a report for the workflow. */
export interface ProviderEvent {
  messageId: string;
  update: Omit<StatusUpdate, 'at'>;
  report?: ProviderReport;
}

/** Twilio status callback parameters → event. Intermediate statuses (queued, sending, sent) change nothing. */
export function twilioEvent(messageId: string, params: Record<string, string>): ProviderEvent | undefined {
  const sid = params.MessageSid ?? params.SmsSid;
  const status = params.MessageStatus ?? params.SmsStatus;
  if (!sid || !status) return undefined;
  const attempt = { channel: 'sms' as const, provider: 'twilio' as const, reference: { sid } };
  if (status === 'delivered' || status === 'read') {
    return {
      messageId,
      update: { status: 'DELIVERED', attempt: { ...attempt, status: 'DELIVERED' } },
      report: { provider: 'twilio', providerMessageId: sid, outcome: 'delivered' },
    };
  }
  if (status === 'undelivered' || status === 'failed') {
    const error = `twilio: ${status}${params.ErrorCode ? ` ${params.ErrorCode}` : ''}`;
    return {
      messageId,
      update: { attempt: { ...attempt, status: 'UNDELIVERABLE', error } },
      report: { provider: 'twilio', providerMessageId: sid, outcome: 'failed', reason: 'FAILED', error },
    };
  }
  return undefined;
}

/** One SendGrid Event Webhook event → event; Herald's message id travels in the `herald_message_id` custom arg. */
export function sendGridEvent(event: Record<string, unknown>): ProviderEvent | undefined {
  const messageId = event.herald_message_id;
  const sgMessageId = event.sg_message_id;
  if (typeof messageId !== 'string' || typeof sgMessageId !== 'string') return undefined;
  // sg_message_id is `<X-Message-Id>.<per-recipient suffix>`; the X-Message-Id is what the send returned.
  const providerMessageId = sgMessageId.split('.')[0];
  const attempt = {
    channel: 'email' as const,
    provider: 'sendgrid' as const,
    reference: { 'x-message-id': providerMessageId },
  };
  const delivered: ProviderReport = { provider: 'sendgrid', providerMessageId, outcome: 'delivered' };
  switch (event.event) {
    case 'delivered':
      return {
        messageId,
        update: { status: 'DELIVERED', attempt: { ...attempt, status: 'DELIVERED' } },
        report: delivered,
      };
    case 'open':
      return { messageId, update: { status: 'OPENED', attempt: { ...attempt, status: 'OPENED' } }, report: delivered };
    case 'click':
      return {
        messageId,
        update: { status: 'CLICKED', attempt: { ...attempt, status: 'CLICKED' } },
        report: delivered,
      };
    case 'bounce':
    case 'dropped': {
      const reason = event.event === 'bounce' ? 'BOUNCED' : 'FAILED';
      const error = `sendgrid: ${event.event}${typeof event.reason === 'string' ? ` ${event.reason}` : ''}`;
      return {
        messageId,
        update: { attempt: { ...attempt, status: 'UNDELIVERABLE', error } },
        report: { provider: 'sendgrid', providerMessageId, outcome: 'failed', reason, error },
      };
    }
    default:
      return undefined; // processed, deferred, spamreport, unsubscribe: nothing to change in the message
  }
}
