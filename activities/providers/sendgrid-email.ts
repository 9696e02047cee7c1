import { FailureType } from '../../domain/failures';
import { deepMerge } from '../../domain/merge';
import type { EmailProvider, EmailRequest, ProviderAcceptance } from '../ports';
import { failureForHttpStatus, providerFailure } from './classify';
import { createSendGridClients, type SendGridSettings } from './sendgrid-client';

interface SendGridResponseError {
  code?: number | string;
  message?: string;
  response?: { body?: { errors?: Array<{ message?: string; field?: string | null }> } };
}

function classify(error: unknown): Error {
  const failure = error as SendGridResponseError;
  // The SDK puts the HTTP status in `code`; network errors carry a string code such as ECONNREFUSED.
  const status = typeof failure?.code === 'number' ? failure.code : undefined;
  const reasons = failure?.response?.body?.errors
    ?.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message))
    .join('; ');
  const message = [status, failure?.message, reasons].filter(Boolean).join(' ');
  const type = status === undefined ? FailureType.ProviderUnavailable : failureForHttpStatus(status);
  return providerFailure('sendgrid', type, message || String(error), { status });
}

/**
 * What the mail says: Herald's rendered subject and bodies, or a SendGrid dynamic template that SendGrid renders
 * itself with the data the activity prepared (the message data plus `profile`, the recipient). A template mail
 * carries no subject or content: the template's active version supplies both.
 */
function content(request: EmailRequest): Record<string, unknown> {
  if (request.sendgridTemplate) {
    return { templateId: request.sendgridTemplate.id, dynamicTemplateData: request.sendgridTemplate.data };
  }
  return { subject: request.subject, text: request.text, html: request.html };
}

/** Email through SendGrid's v3 Mail Send, with the official SDK. SendGrid has no status API to poll. */
export function createSendGridEmailProvider(settings: SendGridSettings): EmailProvider {
  const { mail } = createSendGridClients(settings);
  const from = settings.fromName ? { email: settings.fromEmail, name: settings.fromName } : settings.fromEmail;

  return {
    key: 'sendgrid',

    async send(request: EmailRequest): Promise<ProviderAcceptance> {
      try {
        const mailData = deepMerge(
          {
            from,
            to: request.to,
            ...content(request),
            // Event Webhook events carry custom args back, which is how they find the Herald message.
            customArgs: { herald_message_id: request.messageId },
          },
          // `override.body` uses the SDK's field names (mailSettings, trackingSettings, categories, …).
          request.override?.body as Record<string, unknown> | undefined,
        );
        const [response] = await mail.send(mailData as unknown as Parameters<typeof mail.send>[0]);
        const id = response.headers['x-message-id'];
        // SendGrid has no status API; delivery, bounces and engagement arrive on the Event Webhook.
        return {
          providerMessageId: typeof id === 'string' ? id : '',
          referenceName: 'x-message-id',
          tracking: 'events',
        };
      } catch (error) {
        throw classify(error);
      }
    },
  };
}
