import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  /** Sender: a Twilio number, short code or alphanumeric id. One of `from` / `messagingServiceSid` is required. */
  from?: string;
  messagingServiceSid?: string;
  /** Replaces scheme, host and port of every Twilio API URL (the provider sandbox); unset = the real Twilio. */
  baseUrl?: string;
  /** Per-request timeout; the SDK's own default is 30 s, which is longer than we want an activity attempt to hang. */
  timeoutMs?: number;
}

/**
 * Rewrites the absolute URI the SDK built (after edge/region handling) onto another origin, so every Twilio
 * domain reaches the sandbox through the SDK's supported `httpClient` option rather than a patched module.
 */
class RedirectingRequestClient extends twilio.RequestClient {
  constructor(
    private readonly base: URL,
    opts: RequestClient.RequestClientOptions,
  ) {
    super(opts);
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const target = new URL(opts.uri);
    const prefix = this.base.pathname.replace(/\/$/, '');
    const uri = `${this.base.origin}${prefix}${target.pathname}${target.search}`;
    return super.request<TData>({ ...opts, uri });
  }
}

export type TwilioClient = ReturnType<typeof twilio>;

export function createTwilioClient(settings: TwilioSettings): TwilioClient {
  const timeout = settings.timeoutMs ?? 10_000;
  // Retries belong to Temporal's activity retry policy, so the SDK's own 429 auto-retry stays off.
  const clientOptions = { timeout, keepAlive: true, autoRetry: false };
  if (!settings.baseUrl) return twilio(settings.accountSid, settings.authToken, clientOptions);
  return twilio(settings.accountSid, settings.authToken, {
    httpClient: new RedirectingRequestClient(new URL(settings.baseUrl), clientOptions),
  });
}
