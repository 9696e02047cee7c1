/**
 * SendGrid's signed Event Webhook, emulated (providers.md §2.4–2.5). After a mail is accepted the sandbox posts
 * `processed` and then `delivered` (or `bounce` for a `bounce@…` recipient) to the configured URL, signed with the
 * sandbox key; tests and people add engagement (`open`, `click`, …) through `POST /sandbox/sendgrid/events`.
 */
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import type { SandboxContext } from './context';
import { sandboxCredentials } from './credentials';
import type { StoredMessage } from './store';

const privateKey = createPrivateKey(sandboxCredentials.sendgridEventWebhook.privateKeyPem);
const POST_TIMEOUT_MS = 5_000;

export type SendGridEventName =
  'processed' | 'delivered' | 'deferred' | 'bounce' | 'dropped' | 'open' | 'click' | 'spamreport' | 'unsubscribe';

/** One event per recipient of the mail, with the mail's custom args as top-level keys, as SendGrid sends them. */
export function eventsFor(
  message: StoredMessage,
  event: SendGridEventName,
  at: number,
  extra: Record<string, unknown> = {},
) {
  const mail = message.params as {
    custom_args?: Record<string, string>;
    personalizations?: Array<{ custom_args?: Record<string, string> }>;
  };
  const customArgs = { ...(mail.custom_args ?? {}), ...(mail.personalizations?.[0]?.custom_args ?? {}) };
  return message.recipients.map((email, index) => ({
    email,
    timestamp: Math.floor(at / 1000),
    event,
    sg_event_id: randomBytes(16).toString('base64url'),
    sg_message_id: `${message.id}.sandbox${index}.0.0`,
    'smtp-id': `<${message.id}@sandbox>`,
    ...eventDetails(event),
    ...customArgs,
    ...extra,
  }));
}

function eventDetails(event: SendGridEventName): Record<string, unknown> {
  switch (event) {
    case 'delivered':
      return { response: '250 OK', tls: 1 };
    case 'bounce':
      return {
        type: 'bounce',
        status: '5.1.1',
        reason: '550 5.1.1 The email account does not exist',
        bounce_classification: 'Invalid Address',
      };
    case 'dropped':
      return { reason: 'Bounced Address', status: '5.0.0' };
    case 'open':
      return { useragent: 'Mozilla/5.0 (sandbox)', ip: '127.0.0.1', sg_machine_open: false };
    case 'click':
      return { url: 'https://example.com/', useragent: 'Mozilla/5.0 (sandbox)', ip: '127.0.0.1' };
    default:
      return {};
  }
}

/** Schedules the delivery events SendGrid would send for a freshly accepted mail. */
export function scheduleDeliveryEvents(ctx: SandboxContext, message: StoredMessage): void {
  const url = ctx.config.sendgridEventWebhookUrl;
  if (!url) return;
  const bounces = message.recipients.some((r) => r.toLowerCase().startsWith('bounce@'));
  ctx.callbacks.after(0, () => void postEvents(ctx, url, message.id, eventsFor(message, 'processed', ctx.now())));
  ctx.callbacks.after(ctx.config.twilioTiming.deliveredAfterMs, () => {
    void postEvents(ctx, url, message.id, eventsFor(message, bounces ? 'bounce' : 'delivered', ctx.now()));
  });
}

/** SendGrid frames a batch with CRLF after each event and after the closing bracket; the signature covers it all. */
export function frameBatch(events: object[]): string {
  return `[${events.map((e) => JSON.stringify(e)).join(',\r\n')}]\r\n`;
}

export function signBatch(body: string, timestamp: string): string {
  return sign('sha256', Buffer.from(timestamp + body), privateKey).toString('base64');
}

/** Never throws: an unreachable webhook is recorded and the sandbox carries on. Returns the receiver's status. */
export async function postEvents(
  ctx: SandboxContext,
  url: string,
  messageId: string,
  events: object[],
): Promise<number | null> {
  const body = frameBatch(events);
  const timestamp = String(Math.floor(ctx.now() / 1000));
  const { signal, release } = ctx.callbacks.abortable();
  const at = ctx.now();
  const params = { events: events.map((e) => (e as { event: string }).event).join(',') };
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'SendGrid Event API',
        'X-Twilio-Email-Event-Webhook-Signature': signBatch(body, timestamp),
        'X-Twilio-Email-Event-Webhook-Timestamp': timestamp,
      },
      body,
      signal: AbortSignal.any([signal, AbortSignal.timeout(POST_TIMEOUT_MS)]),
    });
    await response.arrayBuffer().catch(() => undefined);
    ctx.store.logCallback({ messageId, url, params, responseStatus: response.status, at });
    return response.status;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    ctx.store.logCallback({ messageId, url, params, responseStatus: null, error: reason, at });
    ctx.logger.warn(`sendgrid events for ${messageId} failed: ${reason}`);
    return null;
  } finally {
    release();
  }
}
