import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Channel, ProviderKey } from '../domain/channels';
import { contactsFor } from '../domain/routing';
import { FailureType } from '../domain/failures';
import type { MessageContent, MessageIdentity, Recipient } from '../domain/message';
import { renderContent, type RenderedContent } from '../domain/render';
import type { MessageReason, MessageStatus } from '../domain/status';
import type { MessageLog, ProviderAcceptance, ProviderDeliveryState, ProviderRegistry, WebhookTarget } from './ports';

export interface DeliveryRequest {
  identity: MessageIdentity;
  channel: Channel;
  provider: ProviderKey;
  to: Recipient;
  content: MessageContent;
  data: Record<string, unknown>;
  override?: Record<string, unknown>;
}

export interface DeliveryReceipt {
  providerMessageId: string;
  /** Absent in results recorded before it existed. */
  referenceName?: string;
  tracking: ProviderAcceptance['tracking'];
}

export interface StatusCheck {
  identity: MessageIdentity;
  channel: Channel;
  provider: ProviderKey;
  providerMessageId: string;
}

export interface AttemptFailure {
  identity: MessageIdentity;
  channel: Channel;
  provider: ProviderKey;
  error: string;
  /** The provider's id for an attempt it accepted and then failed (bounce, undelivered); ties the failure to it. */
  reference?: Record<string, string>;
}

export interface MessageOutcome {
  identity: MessageIdentity;
  status: MessageStatus;
  reason?: MessageReason;
  error?: string;
}

export interface DeliveryDeps {
  providers: ProviderRegistry;
  messageLog: MessageLog;
  /** Herald's public base URL for provider callbacks (`<url>/webhooks/twilio`); unset = no callbacks asked for. */
  webhookBaseUrl?: string;
  now?: () => number;
}

function missingContact(channel: Channel): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`recipient has no address for ${channel}`, FailureType.MissingContact);
}

/**
 * Provider clocks may run a little behind ours (and Twilio's times have whole seconds), so an earlier attempt's
 * message can carry an earlier timestamp. Kept short: a longer look-back could adopt another message that
 * happened to have the same text for the same number.
 */
const CLOCK_SKEW_MS = 5_000;

/** On a retry of this activity, since when an earlier attempt may have created the message; else undefined. */
function retryWindow(): { since: number } | undefined {
  let info;
  try {
    info = Context.current().info;
  } catch {
    return undefined; // called outside an activity (a direct call in a test): there is no earlier attempt
  }
  if (info.attempt <= 1) return undefined;
  // Measured as time elapsed since the first attempt was scheduled, on our clock: the Temporal server's clock may
  // differ from ours and the provider's (and runs ahead on a time-skipping test server); a duration does not.
  const elapsed = info.currentAttemptScheduledTimestampMs - info.scheduledTimestampMs;
  return { since: Date.now() - elapsed - CLOCK_SKEW_MS };
}

/** An email's subject: the rendered title, or the first line of the text when there is none. */
function emailSubject(rendered: RenderedContent): string {
  return rendered.title || rendered.text.split('\n')[0].slice(0, 78);
}

/** Activities that talk to providers and keep the message log. Built from their dependencies, never from globals. */
export function createDeliveryActivities({ providers, messageLog, webhookBaseUrl, now = Date.now }: DeliveryDeps) {
  /** The worker's adapter for a provider; none means no credentials here, and routing skips the provider. */
  function configured<P extends { key: string }>(list: P[], channel: Channel, key: ProviderKey): P {
    const provider = list.find((p) => p.key === key);
    if (provider) return provider;
    throw ApplicationFailure.nonRetryable(
      `${channel} provider ${key} is not configured`,
      FailureType.ProviderNotConfigured,
    );
  }
  const smsProvider = (key: ProviderKey) => configured(providers.sms, 'sms', key);
  const emailProvider = (key: ProviderKey) => configured(providers.email, 'email', key);
  const pushProvider = (key: ProviderKey) => configured(providers.push, 'push', key);
  const webhookProvider = () => configured(providers.webhook, 'webhook', 'webhook');

  function render(request: DeliveryRequest): RenderedContent {
    try {
      return renderContent(request.content, request.data, request.to, request.channel);
    } catch (error) {
      throw ApplicationFailure.nonRetryable(
        `content does not render: ${(error as Error).message}`,
        FailureType.RenderFailed,
      );
    }
  }

  async function send(request: DeliveryRequest, rendered: RenderedContent): Promise<ProviderAcceptance> {
    const messageId = request.identity.id;
    if (request.channel === 'sms') {
      if (!request.to.phone_number) throw missingContact('sms');
      const statusCallbackUrl = webhookBaseUrl
        ? `${webhookBaseUrl}/webhooks/twilio?message_id=${encodeURIComponent(messageId)}`
        : undefined;
      const sms = {
        messageId,
        to: request.to.phone_number,
        body: rendered.text,
        statusCallbackUrl,
        override: request.override,
      };
      const provider = smsProvider(request.provider);
      // A retry may follow an attempt the provider accepted but whose answer was lost (the worker died, the
      // connection dropped): where the provider can be asked, adopt that message instead of sending it again.
      const retry = retryWindow();
      const earlier = retry && provider.findAccepted ? await provider.findAccepted(sms, retry.since) : undefined;
      return earlier ?? provider.send(sms);
    }
    if (request.channel === 'push') {
      const tokens = contactsFor('push', request.to);
      if (tokens.length === 0) throw missingContact('push');
      return pushProvider(request.provider).send({
        messageId,
        tokens,
        title: rendered.title,
        body: rendered.text,
        data: {},
        override: request.override,
      });
    }
    if (request.channel === 'webhook') {
      const target = request.to.webhook as WebhookTarget | undefined;
      if (!target?.url) throw missingContact('webhook');
      const { webhook: _target, ...profile } = request.to;
      return webhookProvider().send({
        messageId,
        target,
        payload: { messageId, title: rendered.title, body: rendered.text, data: request.data, profile },
      });
    }
    if (!request.to.email) throw missingContact('email');
    const subject = emailSubject(rendered);
    return emailProvider(request.provider).send({
      messageId,
      to: request.to.email,
      subject,
      text: rendered.text,
      html: rendered.html,
      override: request.override,
      sendgridTemplate: request.content.sendgridTemplateId
        ? { id: request.content.sendgridTemplateId, data: { ...request.data, profile: request.to } }
        : undefined,
    });
  }

  return {
    /** Renders the content for one channel and hands it to one provider; records SENT when the provider accepts. */
    async deliverMessage(request: DeliveryRequest): Promise<DeliveryReceipt> {
      const rendered = render(request);
      const acceptance = await send(request, rendered);
      await messageLog.apply(request.identity, {
        at: now(),
        status: 'SENT',
        attempt: {
          channel: request.channel,
          provider: request.provider,
          status: 'SENT',
          reference: acceptance.providerMessageId
            ? { [acceptance.referenceName]: acceptance.providerMessageId }
            : undefined,
          // What went out, for GET /messages/{id}/output and the RENDERED history event (email: its subject line).
          output: {
            title: request.channel === 'email' ? emailSubject(rendered) : rendered.title,
            text: rendered.text,
            html: rendered.html,
          },
        },
      });
      return {
        providerMessageId: acceptance.providerMessageId,
        referenceName: acceptance.referenceName,
        tracking: acceptance.tracking,
      };
    },

    /**
     * Asks the provider what became of a message and records a delivery. A failure is only returned: the
     * workflow decides whether routing moves on, and records the attempt.
     */
    async checkDeliveryStatus(check: StatusCheck): Promise<ProviderDeliveryState> {
      const state = await smsProvider(check.provider).fetchState(check.providerMessageId);
      if (state.state === 'delivered') {
        const attempt = { channel: check.channel, provider: check.provider, status: 'DELIVERED' as const };
        await messageLog.apply(check.identity, { at: now(), status: 'DELIVERED', attempt });
      }
      return state;
    },

    /** Records a provider attempt that failed for good, before routing moves on. */
    async recordAttemptFailure(failure: AttemptFailure): Promise<void> {
      await messageLog.apply(failure.identity, {
        at: now(),
        attempt: {
          channel: failure.channel,
          provider: failure.provider,
          status: 'UNDELIVERABLE',
          error: failure.error,
          reference: failure.reference,
        },
      });
    },

    /** Records a status the workflow itself decides: DELAYED, CANCELED, UNROUTABLE, UNDELIVERABLE, UNMAPPED. */
    async recordMessageOutcome(outcome: MessageOutcome): Promise<void> {
      await messageLog.apply(outcome.identity, {
        at: now(),
        status: outcome.status,
        reason: outcome.reason,
        error: outcome.error,
      });
    },
  };
}
