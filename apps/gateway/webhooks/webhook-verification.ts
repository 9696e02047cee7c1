import { EventWebhook, EventWebhookHeader } from '@sendgrid/eventwebhook';
import twilio from 'twilio';
import { ApiError } from '../errors/api-error';

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

const unsigned = (provider: string) =>
  new ApiError(401, `${provider} webhook: missing signature`, 'authentication_error');
const forged = (provider: string) =>
  new ApiError(403, `${provider} webhook: signature does not match`, 'authentication_error');

/**
 * Twilio signs the exact URL it was given plus the sorted form parameters with the account's auth token. The URL
 * must be the public one Twilio called, which is why callbacks are built from the same public base URL.
 */
export function verifyTwilioSignature(
  authToken: string,
  headers: Headers,
  url: string,
  params: Record<string, string>,
): void {
  const signature = header(headers, 'x-twilio-signature');
  if (!signature) throw unsigned('Twilio');
  if (!twilio.validateRequest(authToken, signature, url, params)) throw forged('Twilio');
}

/** Batches older than this are refused even when signed, so a captured request cannot be replayed later. */
const maxSkewSeconds = 10 * 60;
const eventWebhook = new EventWebhook();

/** SendGrid signs `timestamp + raw body` with ECDSA P-256; the verification key is the dashboard's base64 key. */
export function verifySendGridSignature(
  publicKey: string | undefined,
  headers: Headers,
  rawBody: Buffer | undefined,
  nowMs: number,
): void {
  if (!publicKey) {
    throw new ApiError(
      401,
      'SendGrid webhook: no verification key configured (SENDGRID_WEBHOOK_PUBLIC_KEY)',
      'authentication_error',
    );
  }
  const signature = header(headers, EventWebhookHeader.SIGNATURE());
  const timestamp = header(headers, EventWebhookHeader.TIMESTAMP());
  if (!signature || !timestamp || !rawBody) throw unsigned('SendGrid');
  const age = Math.abs(nowMs / 1000 - Number(timestamp));
  if (!Number.isFinite(age) || age > maxSkewSeconds) throw forged('SendGrid');
  let valid: boolean;
  try {
    valid = eventWebhook.verifySignature(
      eventWebhook.convertPublicKeyToECDSA(publicKey),
      rawBody,
      signature,
      timestamp,
    );
  } catch {
    valid = false; // a signature that is not even DER is as forged as a wrong one
  }
  if (!valid) throw forged('SendGrid');
}
