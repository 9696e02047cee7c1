import { randomUUID } from 'node:crypto';
import twilio from 'twilio';
import { first, type FormParams } from './body-parsers';
import type { SandboxContext } from './context';
import type { StatusStep, StoredMessage } from './store';
import { API_VERSION, senderOf } from './twilio.message';

const CALLBACK_TIMEOUT_MS = 5_000;

/** Schedules one signed status callback per step after the initial status (Twilio never reports the first). */
export function scheduleStatusCallbacks(ctx: SandboxContext, message: StoredMessage, url: string): void {
  for (const step of message.steps) {
    ctx.callbacks.after(Math.max(0, step.at - ctx.now()), () => {
      void postCallback(ctx, message.id, url, callbackParams(ctx, message, step));
    });
  }
}

/** `YYMMDDhhmm` in UTC, Twilio's carrier DLR timestamp. */
function rawDlrDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/[-T:]/g, '').slice(2, 12);
}

function callbackParams(ctx: SandboxContext, message: StoredMessage, step: StatusStep): Record<string, string> {
  const sent = message.params as FormParams;
  const params: Record<string, string> = {
    MessageSid: message.id,
    SmsSid: message.id,
    MessageStatus: step.status,
    SmsStatus: step.status,
    AccountSid: ctx.config.twilio.accountSid,
    From: senderOf(message, ctx.config, step.at) ?? ctx.config.twilioDefaultFrom,
    To: message.to,
    ApiVersion: API_VERSION,
  };
  const service = first(sent, 'MessagingServiceSid');
  if (service) params.MessagingServiceSid = service;
  if (step.errorCode !== undefined) params.ErrorCode = String(step.errorCode);
  if (step.status === 'delivered' || step.status === 'undelivered') params.RawDlrDoneDate = rawDlrDate(step.at);
  return params;
}

/** Never throws: an unreachable or failing callback URL is recorded, the sandbox carries on. */
async function postCallback(
  ctx: SandboxContext,
  messageId: string,
  url: string,
  params: Record<string, string>,
): Promise<void> {
  const { signal, release } = ctx.callbacks.abortable();
  const at = ctx.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
        'X-Twilio-Signature': twilio.getExpectedTwilioSignature(ctx.config.twilio.authToken, url, params),
        'User-Agent': 'TwilioProxy/1.1',
        'I-Twilio-Idempotency-Token': randomUUID(),
      },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.any([signal, AbortSignal.timeout(CALLBACK_TIMEOUT_MS)]),
    });
    // Reading the body lets the connection go back to the pool instead of lingering.
    await response.arrayBuffer().catch(() => undefined);
    ctx.store.logCallback({ messageId, url, params, responseStatus: response.status, at });
    ctx.logger.info(`callback ${params.MessageStatus} ${messageId} -> ${response.status}`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    ctx.store.logCallback({ messageId, url, params, responseStatus: null, error: reason, at });
    ctx.logger.warn(`callback ${params.MessageStatus} ${messageId} failed: ${reason}`);
  } finally {
    release();
  }
}
