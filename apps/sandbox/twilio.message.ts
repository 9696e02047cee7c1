import { randomBytes } from 'node:crypto';
import { all, first, type FormParams } from './body-parsers';
import type { SandboxConfig, TwilioTiming } from './context';
import type { ProviderReply } from './provider-route';
import { countSegments } from './sms-segments';
import { stateAt, type StatusStep, type StoredMessage } from './store';

export const API_VERSION = '2010-04-01';
const MAX_BODY_CHARS = 1600;

export interface TwilioError {
  status: number;
  code: number;
  message: string;
}

/** Twilio's legacy error JSON. It must not carry `type` + `title`, or twilio-node throws a different class. */
export function twilioErrorReply({ status, code, message }: TwilioError): ProviderReply {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

/** Twilio's error codes for plain HTTP failures are 20000 + status, except authentication (20003). */
export function httpErrorCode(status: number): number {
  return status === 401 ? 20003 : 20000 + status;
}

/** Magic `From` numbers, as with Twilio test credentials. */
const FROM_ERRORS: Record<string, Omit<TwilioError, 'status'>> = {
  '+15005550001': {
    code: 21212,
    message: "The 'From' number +15005550001 is not a valid phone number, shortcode, or alphanumeric sender ID.",
  },
  '+15005550007': {
    code: 21606,
    message:
      "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination.",
  },
  '+15005550008': { code: 21611, message: "This 'From' number has exceeded the maximum number of queued messages." },
};

/** Magic `To` numbers rejected at create time (checked after the sender, as Twilio does). */
const TO_POLICY_ERRORS: Record<string, Omit<TwilioError, 'status'>> = {
  '+15005550002': {
    code: 21612,
    message: "The 'To' phone number +15005550002 is not currently reachable using the 'From' phone number via SMS.",
  },
  '+15005550003': {
    code: 21408,
    message:
      "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: +15005550003.",
  },
  '+15005550004': { code: 21610, message: 'Attempt to send to unsubscribed recipient' },
  '+15005550009': { code: 21614, message: "'To' number +15005550009 is not a valid mobile number" },
};

/** Magic `To` numbers that are accepted and then fail on the way (see twilio.routes.ts). */
export const DELIVERY_FAILURES: Record<string, { status: 'undelivered' | 'failed'; errorCode: number }> = {
  '+15005550010': { status: 'undelivered', errorCode: 30003 },
  '+15005550011': { status: 'failed', errorCode: 30001 },
};

/** `whatsapp:+1555...` and friends address the same number for the magic-number tables. */
function bareNumber(address: string): string {
  return address.replace(/^[a-z-]+:/i, '').replace(/[\s().-]/g, '');
}

function isE164ish(address: string): boolean {
  return /^\+?[1-9]\d{6,14}$/.test(bareNumber(address));
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** Create-message validation in Twilio's order (providers.md §1.3); the first failure wins. */
export function validateCreate(params: FormParams): TwilioError | undefined {
  const bad = (code: number, message: string): TwilioError => ({ status: 400, code, message });
  const to = first(params, 'To');
  const from = first(params, 'From');
  const body = first(params, 'Body');
  if (!to) return bad(21604, "A 'To' phone number is required.");
  if (!from && !first(params, 'MessagingServiceSid')) return bad(21603, "A 'From' phone number is required.");
  if (!body && all(params, 'MediaUrl').length === 0 && !first(params, 'ContentSid'))
    return bad(21602, 'Message body is required.');
  if (body && [...body].length > MAX_BODY_CHARS)
    return bad(21617, 'The concatenated message body exceeds the 1600 character limit.');
  if (!isE164ish(to) || bareNumber(to) === '+15005550001')
    return bad(21211, `The 'To' number ${to} is not a valid phone number.`);
  const fromError = from ? FROM_ERRORS[bareNumber(from)] : undefined;
  if (fromError) return { status: 400, ...fromError };
  const callback = first(params, 'StatusCallback');
  if (callback !== undefined && !isHttpUrl(callback))
    return bad(21609, `The StatusCallback URL ${callback} is not a valid URL.`);
  const policyError = TO_POLICY_ERRORS[bareNumber(to)];
  if (policyError) return { status: 400, ...policyError };
  return undefined;
}

/** The statuses a new message will move through by itself, timed from its creation. */
export function planSteps(to: string, createdAt: number, timing: TwilioTiming): StatusStep[] {
  const failure = DELIVERY_FAILURES[bareNumber(to)];
  const sentAt = createdAt + timing.sentAfterMs;
  const finalAt = createdAt + timing.deliveredAfterMs;
  // A queue overflow fails before anything reaches the carrier, so there is no `sent` in between.
  if (failure?.status === 'failed') return [{ at: sentAt, status: 'failed', errorCode: failure.errorCode }];
  const final: StatusStep = failure
    ? { at: finalAt, status: failure.status, errorCode: failure.errorCode }
    : { at: finalAt, status: 'delivered' };
  return [{ at: sentAt, status: 'sent' }, final];
}

export function newMessageSid(isMms: boolean): string {
  return `${isMms ? 'MM' : 'SM'}${randomBytes(16).toString('hex')}`;
}

/** RFC 2822 with a numeric zone, the way Twilio writes `date_created`. */
export function rfc2822(epochMs: number): string {
  return new Date(epochMs).toUTCString().replace(/GMT$/, '+0000');
}

/** The sender shown once Twilio has picked one (service sends have none at `accepted`). */
export function senderOf(message: StoredMessage, config: SandboxConfig, now: number): string | null {
  const from = first(message.params as FormParams, 'From');
  if (from) return from;
  return stateAt(message, now).status === message.initialStatus ? null : config.twilioDefaultFrom;
}

/** The Message resource as Twilio returns it from create and fetch, at time `now`. */
export function messageResource(message: StoredMessage, config: SandboxConfig, now: number): Record<string, unknown> {
  const params = message.params as FormParams;
  const state = stateAt(message, now);
  const sentStep = message.steps.find((s) => s.at <= now && s.status !== 'failed');
  const media = all(params, 'MediaUrl');
  const segments = countSegments(message.body ?? '');
  const uri = `/${API_VERSION}/Accounts/${config.twilio.accountSid}/Messages/${message.id}`;
  return {
    sid: message.id,
    account_sid: config.twilio.accountSid,
    messaging_service_sid: first(params, 'MessagingServiceSid') ?? null,
    from: senderOf(message, config, now),
    to: message.to,
    body: message.body ?? '',
    status: state.status,
    direction: 'outbound-api',
    // Service sends report "0" until Twilio has picked a sender, i.e. while still at `accepted`.
    num_segments: state.status === 'accepted' ? '0' : String(segments),
    num_media: String(media.length),
    error_code: state.errorCode ?? null,
    error_message: null,
    price: sentStep ? (-0.0079 * segments).toFixed(5) : null,
    price_unit: 'USD',
    date_created: rfc2822(message.receivedAt),
    date_updated: rfc2822(state.since),
    date_sent: sentStep ? rfc2822(sentStep.at) : null,
    api_version: API_VERSION,
    uri: `${uri}.json`,
    subresource_uris: { media: `${uri}/Media.json`, feedback: `${uri}/Feedback.json` },
  };
}
