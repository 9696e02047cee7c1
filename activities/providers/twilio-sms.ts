import { FailureType } from '../../domain/failures';
import { deepMerge } from '../../domain/merge';
import type { ProviderAcceptance, ProviderDeliveryState, SmsProvider, SmsRequest } from '../ports';
import { failureForHttpStatus, providerFailure } from './classify';
import { createTwilioClient, type TwilioSettings } from './twilio-client';
import type { MessageListInstanceCreateOptions } from 'twilio/lib/rest/api/v2010/account/message';

/** Twilio error codes that mean our sender configuration is wrong rather than the recipient or content. */
const senderConfigCodes = new Set([21212, 21606, 21603, 21659, 20003, 20404]);

interface TwilioRestError {
  status?: number;
  code?: number;
  message?: string;
}

function classify(error: unknown): Error {
  const rest = error as TwilioRestError;
  if (typeof rest?.status !== 'number') {
    const message = error instanceof Error ? error.message : String(error);
    return providerFailure('twilio', FailureType.ProviderUnavailable, message, {});
  }
  const type =
    rest.code !== undefined && senderConfigCodes.has(rest.code)
      ? FailureType.ProviderMisconfigured
      : failureForHttpStatus(rest.status);
  return providerFailure('twilio', type, `${rest.code ?? rest.status} ${rest.message ?? ''}`.trim(), {
    status: rest.status,
    code: rest.code,
  });
}

/** A sender who sets their own `statusCallback` follows the status themselves, so Herald does not poll. */
function trackingFor(request: SmsRequest): ProviderAcceptance['tracking'] {
  return (request.override?.body as Record<string, unknown> | undefined)?.statusCallback ? 'none' : 'poll';
}

/** SMS through Twilio Programmable Messaging, with the official SDK. */
export function createTwilioSmsProvider(settings: TwilioSettings): SmsProvider {
  if (!settings.from && !settings.messagingServiceSid) {
    throw new Error('Twilio needs TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID');
  }
  const client = createTwilioClient(settings);
  const sender = settings.messagingServiceSid
    ? { messagingServiceSid: settings.messagingServiceSid }
    : { from: settings.from as string };

  return {
    key: 'twilio',

    /**
     * `override.body` is merged into the create parameters (SDK names: `statusCallback`, `validityPeriod`, …).
     */
    async send(request: SmsRequest): Promise<ProviderAcceptance> {
      const base: MessageListInstanceCreateOptions = { ...sender, to: request.to, body: request.body };
      if (request.statusCallbackUrl) base.statusCallback = request.statusCallbackUrl;
      const overrideBody = request.override?.body as Record<string, unknown> | undefined;
      const params = deepMerge(base as unknown as Record<string, unknown>, overrideBody);
      try {
        const message = await client.messages.create(params as unknown as MessageListInstanceCreateOptions);
        return { providerMessageId: message.sid, referenceName: 'sid', tracking: trackingFor(request) };
      } catch (error) {
        throw classify(error);
      }
    },

    async findAccepted(request: SmsRequest, since: number): Promise<ProviderAcceptance | undefined> {
      let recent;
      try {
        recent = await client.messages.list({ to: request.to, ...('from' in sender ? sender : {}), limit: 50 });
      } catch (error) {
        throw classify(error);
      }
      const match = recent.find((m) => m.body === request.body && m.dateCreated.getTime() >= since);
      if (!match) return undefined;
      return { providerMessageId: match.sid, referenceName: 'sid', tracking: trackingFor(request) };
    },

    async fetchState(sid: string): Promise<ProviderDeliveryState> {
      let message;
      try {
        message = await client.messages(sid).fetch();
      } catch (error) {
        throw classify(error);
      }
      switch (message.status) {
        case 'delivered':
        case 'read':
          return { state: 'delivered' };
        case 'undelivered':
        case 'failed':
        case 'canceled':
          return {
            state: 'failed',
            error: `twilio: ${message.status}${message.errorCode ? ` ${message.errorCode}` : ''}${
              message.errorMessage ? ` ${message.errorMessage}` : ''
            }`,
          };
        default:
          return { state: 'pending' };
      }
    },
  };
}
