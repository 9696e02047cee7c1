import type { MessageIdentity, MessageRecord } from '../domain/message';
import type { StatusUpdate } from '../domain/message-record';

/** What a provider said when it accepted a message. */
export interface ProviderAcceptance {
  providerMessageId: string;
  /** The name the provider gives its id, shown as `providers[].reference` (`sid`, `x-message-id`). */
  referenceName: string;
  /**
   * How the workflow learns the outcome: `poll` a status API (webhook reports may arrive first), wait for webhook
   * `events`, or `none` (no delivery reports, or the sender asked to handle them itself).
   */
  tracking: 'poll' | 'events' | 'none';
}

/** A provider's answer to "what happened to this message?", reduced to what routing needs. */
export type ProviderDeliveryState = { state: 'pending' } | { state: 'delivered' } | { state: 'failed'; error: string };

export interface SmsRequest {
  messageId: string;
  /** Where Twilio should post status callbacks for this message; unset = none. */
  statusCallbackUrl?: string;
  to: string;
  body: string;
  override?: Record<string, unknown>;
}

export interface EmailRequest {
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  override?: Record<string, unknown>;
  /**
   * A SendGrid dynamic template to send instead of subject/text/html, with the data it renders with (the message
   * data plus `profile`). Only SendGrid can render it; other email providers refuse such a request for good.
   */
  sendgridTemplate?: { id: string; data: Record<string, unknown> };
}

export interface PushRequest {
  messageId: string;
  /** Device registration tokens (FCM); one provider call per token. */
  tokens: string[];
  title: string;
  body: string;
  /** String-only key/value data delivered to the app (FCM requires string values). */
  data: Record<string, string>;
  override?: Record<string, unknown>;
}

/** Where a `webhook` channel message goes: the recipient's `webhook` profile entry (api-contract §3.3). */
export interface WebhookTarget {
  url: string;
  method?: 'POST' | 'PUT';
  headers?: Record<string, string>;
  authentication?: { mode: 'none' | 'basic' | 'bearer'; username?: string; password?: string; token?: string };
}

export interface WebhookRequest {
  messageId: string;
  target: WebhookTarget;
  payload: Record<string, unknown>;
}

export interface SmsProvider {
  readonly key: 'twilio';
  send(request: SmsRequest): Promise<ProviderAcceptance>;
  /**
   * The message this request already created, if the provider has one: same recipient and body, created at or
   * after `since` (epoch ms). Asked before a retry, when an earlier attempt may have reached the provider and only
   * its answer was lost (a crash, a dropped connection).
   */
  findAccepted?(request: SmsRequest, since: number): Promise<ProviderAcceptance | undefined>;
  fetchState(providerMessageId: string): Promise<ProviderDeliveryState>;
}

export interface EmailProvider {
  readonly key: 'sendgrid' | 'smtp';
  send(request: EmailRequest): Promise<ProviderAcceptance>;
}

export interface PushProvider {
  readonly key: 'firebase-fcm';
  send(request: PushRequest): Promise<ProviderAcceptance>;
}

export interface WebhookProvider {
  readonly key: 'webhook';
  send(request: WebhookRequest): Promise<ProviderAcceptance>;
}

export interface ProviderRegistry {
  sms: SmsProvider[];
  email: EmailProvider[];
  push: PushProvider[];
  webhook: WebhookProvider[];
}

/** The message log: where every status change lands so `GET /messages` can read it without Temporal. */
export interface MessageLog {
  /** Creates the record in ENQUEUED if it does not exist yet. */
  recordEnqueued(identity: MessageIdentity): Promise<void>;
  apply(identity: MessageIdentity, update: StatusUpdate): Promise<MessageRecord>;
  get(id: string): Promise<MessageRecord | undefined>;
}
