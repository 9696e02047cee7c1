import type { Channel, ProviderKey } from './channels';
import type { MessageReason, MessageStatus } from './status';
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

export interface MessageContent {
  title?: string;
  body: string;
}

export interface ProviderConfig {
  override?: Record<string, unknown>;
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
  metadata: MessageMetadata;
  /** `message.timeout`; absent in runs started before it existed, which then use the defaults. */
  timeout?: MessageTimeouts;
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
