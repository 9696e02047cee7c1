import { FailureType } from '../../domain/failures';
import type { ProviderAcceptance, WebhookProvider, WebhookRequest } from '../ports';
import { failureForHttpStatus, providerFailure } from './classify';

/**
 * Courier's generic `webhook` channel: the message is POSTed (or PUT) as JSON to the recipient's URL, with the
 * recipient's headers and authentication. Any 2xx is delivery; 408/429/5xx and network errors are retried;
 * other 4xx refuse the message for good. The URL is user-supplied, so only http(s) is allowed.
 */
export function createOutboundWebhookProvider(options: { timeoutMs?: number } = {}): WebhookProvider {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    key: 'webhook',

    async send(request: WebhookRequest): Promise<ProviderAcceptance> {
      const { target } = request;
      const url = new URL(target.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw providerFailure('webhook', FailureType.ProviderRejected, `unsupported URL scheme ${url.protocol}`, {});
      }
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(target.headers ?? {}) };
      const auth = target.authentication;
      if (auth?.mode === 'basic') {
        headers.authorization = `Basic ${Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`).toString('base64')}`;
      } else if (auth?.mode === 'bearer') {
        headers.authorization = `Bearer ${auth.token ?? ''}`;
      }
      let response: Response;
      try {
        response = await fetch(url, {
          method: target.method ?? 'POST',
          headers,
          body: JSON.stringify(request.payload),
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'manual',
        });
        await response.arrayBuffer().catch(() => undefined);
      } catch (error) {
        throw providerFailure('webhook', FailureType.ProviderUnavailable, (error as Error).message, {});
      }
      if (response.status >= 200 && response.status < 300) {
        return { providerMessageId: request.messageId, referenceName: 'http-status', tracking: 'none' };
      }
      const type = failureForHttpStatus(response.status);
      // 401/403 from a customer's endpoint is their refusal, not Herald's misconfiguration.
      const failure = type === FailureType.ProviderMisconfigured ? FailureType.ProviderRejected : type;
      throw providerFailure('webhook', failure, `${response.status} ${response.statusText}`, {
        status: response.status,
      });
    },
  };
}
