import type { Channel, ProviderKey } from './channels';
import type { MessageReason, MessageStatus } from './status';
import type { TemplateContent } from './template';
import type { MessageTimeouts } from './timeouts';

/** A single recipient. Inline profile keys beyond the contact fields are kept and passed to rendering. */
export interface Recipient {
  user_id?: string;
  email?: string;
  phone_number?: string;
  [key: string]: unknown;
}

/** Courier's routing tree: `single` tries entries in order until one succeeds, `all` sends through every entry. */
export interface RoutingNode {
  method: 'single' | 'all';
  channels: Array<string | RoutingNode>;
}

/**
 * What a message says. An inline send (`message.content`) has `title`/`body`; a send of a Herald template gets
 * the template's per-channel blocks in `template` at send time; a send naming a SendGrid dynamic template (`d-…`)
 * gets `sendgridTemplateId`, which only SendGrid can render.
 */
export interface MessageContent {
  title?: string;
  body?: string;
  template?: TemplateContent;
  sendgridTemplateId?: string;
}

export interface ProviderConfig {
  override?: Record<string, unknown>;
  /** Condition over `data` and `profile`; the provider is skipped when false. */
  if?: string;
}

/** `message.channels.<name>` (api-contract §3.6). */
export interface ChannelConfig {
  /** Providers allowed for this channel, in failover order. */
  providers?: string[];
  /** `all` sends through every provider of the channel instead of the first that works. */
  routing_method?: 'single' | 'all';
  /** Condition over `data` and `profile`; the channel is skipped when false. */
  if?: string;
}

export interface MessageMetadata {
  event?: string;
  tags?: string[];
  trace_id?: string;
}

/** What the gateway hands to the `sendMessage` workflow: a validated, normalised send for one recipient. */
export interface SendMessageInput {
  messageId: string;
  enqueuedAt: number;
  to: Recipient;
  /** Absent when the send names a template; the workflow then resolves the template (or ends UNMAPPED). */
  content?: MessageContent;
  template?: string;
  data: Record<string, unknown>;
  routing: RoutingNode;
  providers: Record<string, ProviderConfig>;
  /** Absent in runs started before channel settings existed. */
  channels?: Record<string, ChannelConfig>;
  metadata: MessageMetadata;
  /** `message.timeout`; absent in runs started before it existed, which then use the defaults. */
  timeout?: MessageTimeouts;
  /**
   * From `message.delay`: hold the message (DELAYED) until `until` (epoch ms) or for `durationMs` from the
   * workflow's start. A duration stays relative so the gateway's clock never matters.
   */
  delay?: { until?: number; durationMs?: number };
  /** `message.preferences.subscription_topic_id`: the topic whose preferences apply (else the template's). */
  topic?: string;
  /**
   * Set by the gateway when the send names stored data (a user id, a template, a topic): the workflow then looks
   * it up at send time. Absent in runs started before that step existed, which replay exactly as they ran.
   */
  resolve?: boolean;
  /** True when the send gave no routing (`routing` is the workspace default), so a template's routing applies. */
  routingDefaulted?: boolean;
  /** 1 for the first delivery run, 2 for the first operator retry (`POST /messages/{id}/retry`), and so on. */
  attempt?: number;
}

/** One provider attempt as shown in `GET /messages/{id}` `providers[]`. */
export interface ProviderAttempt {
  channel: { key: Channel; name: string; template: string };
  provider: ProviderKey;
  status: MessageStatus;
  sent?: number;
  delivered?: number;
  error?: string;
  reference?: Record<string, string>;
}

/** The message log record behind `GET /messages/{id}` (Courier's MessageDetails plus `providers`). */
export interface MessageRecord {
  id: string;
  status: MessageStatus;
  enqueued: number;
  sent?: number;
  delivered?: number;
  opened?: number;
  clicked?: number;
  recipient: string;
  event: string;
  notification: string;
  reason?: MessageReason;
  error?: string;
  tags?: string[];
  traceId?: string;
  providers: ProviderAttempt[];
}

/** What is known about a message before anything happens to it: enough to create its log record. */
export type MessageIdentity = Pick<MessageRecord, 'id' | 'enqueued' | 'recipient' | 'event' | 'notification'> &
  Pick<MessageRecord, 'tags' | 'traceId'>;

export function messageIdentity(input: SendMessageInput): MessageIdentity {
  const event = input.metadata.event ?? input.template ?? '';
  return {
    id: input.messageId,
    enqueued: input.enqueuedAt,
    recipient: input.to.user_id ?? '',
    event,
    notification: input.template ?? '',
    tags: input.metadata.tags,
    traceId: input.metadata.trace_id,
  };
}
