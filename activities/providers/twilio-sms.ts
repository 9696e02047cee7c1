import { FailureType } from '../../domain/failures';
import type { ProviderAcceptance, ProviderDeliveryState, SmsProvider, SmsRequest } from '../ports';
import { failureForHttpStatus, providerFailure } from './classify';
import { createTwilioClient, type TwilioSettings } from './twilio-client';

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

    async send(request: SmsRequest): Promise<ProviderAcceptance> {
      try {
        const message = await client.messages.create({ ...sender, to: request.to, body: request.body });
        return { providerMessageId: message.sid, referenceName: 'sid', tracking: 'poll' };
      } catch (error) {
        throw classify(error);
      }
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
