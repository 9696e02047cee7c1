import type { ProviderKey } from './channels';
import type { MessageContent, Recipient, RoutingNode } from './message';
import { decidePreference, type PreferenceInputs } from './preferences';
import { MessageReason } from './status';
import { isSendgridTemplateId, TEMPLATE_CHANNELS, type Template, type TemplateContent } from './template';

/**
 * What a send becomes once the stored data it names is looked up, at send time (after any delay): the recipient
 * with the stored profile under the inline keys, the template's content, and what preferences allow. Pure; the
 * `resolveMessage` activity does the reads and hands the results here.
 */
export interface ResolvedMessage {
  to: Recipient;
  content?: MessageContent;
  /** The template's routing, for a send that gave none. */
  routing?: RoutingNode;
  /** Channels this message may use (custom routing, channels the template has content for); absent = any. */
  allowedChannels?: string[];
  /** Providers this message may use; absent = any (a SendGrid dynamic template narrows it to SendGrid). */
  enabledProviders?: ProviderKey[];
  /** Set when the message must end here: unknown template, or preferences forbid it. */
  stop?: { status: 'UNMAPPED' | 'FILTERED' | 'UNROUTABLE'; reason?: MessageReason; error: string };
}

export interface StoredRecipientData {
  /** The stored profile of `to.user_id`, if any. */
  profile?: Record<string, unknown>;
  /** Active push tokens registered for the user (`/users/{id}/tokens`, firebase-fcm). */
  pushTokens: string[];
}

/**
 * Courier's rule: keys given inline in `to` are merged over the stored profile for this send only. Registered
 * device tokens make the user reachable by push even when the profile has no `firebaseToken`.
 */
export function mergeRecipient(inline: Recipient, stored: StoredRecipientData): Recipient {
  const merged: Recipient = { ...(stored.profile ?? {}), ...inline };
  if (stored.pushTokens.length > 0) {
    const own = merged.firebaseToken;
    const existing = (Array.isArray(own) ? own : [own]).filter((t): t is string => typeof t === 'string');
    merged.firebaseToken = [...new Set([...existing, ...stored.pushTokens])];
  }
  return merged;
}

/** The channels a template can be sent on: every channel when it has a `default` block, else those with a block. */
export function templateChannels(content: TemplateContent): string[] | undefined {
  if (content.default) return undefined;
  return TEMPLATE_CHANNELS.filter((channel) => content[channel] !== undefined);
}

export interface ResolutionInputs {
  to: Recipient;
  stored: StoredRecipientData;
  /** `message.template`, if the send named one. */
  templateId?: string;
  /** The named template, when it exists. */
  template?: Template;
  /** The subscription topic: the send's own, else the template's. */
  topicId?: string;
  /** The topic's preference inputs for this user; absent when there is no topic. */
  preference?: PreferenceInputs;
}

export function resolveSend(inputs: ResolutionInputs): ResolvedMessage {
  const to = mergeRecipient(inputs.to, inputs.stored);
  const resolved: ResolvedMessage = { to };

  if (inputs.templateId !== undefined) {
    if (isSendgridTemplateId(inputs.templateId)) {
      resolved.content = { sendgridTemplateId: inputs.templateId };
      resolved.allowedChannels = ['email'];
      resolved.enabledProviders = ['sendgrid'];
    } else if (!inputs.template) {
      return { to, stop: { status: 'UNMAPPED', error: `template ${inputs.templateId} is not known` } };
    } else {
      resolved.content = { template: inputs.template.content };
      resolved.routing = inputs.template.routing;
      resolved.allowedChannels = templateChannels(inputs.template.content);
    }
  }

  if (inputs.preference) {
    const decision = decidePreference(inputs.preference);
    if (!decision.send) {
      const why =
        decision.reason === MessageReason.UNSUBSCRIBED
          ? `the recipient opted out of topic ${inputs.topicId}`
          : `topic ${inputs.topicId} needs the recipient to opt in`;
      return { to, stop: { status: 'FILTERED', reason: decision.reason, error: why } };
    }
    if (decision.channels) {
      const templateChannels = resolved.allowedChannels;
      resolved.allowedChannels = templateChannels
        ? templateChannels.filter((c) => decision.channels?.includes(c))
        : [...decision.channels];
      if (resolved.allowedChannels.length === 0) {
        const error =
          `the recipient allows only ${decision.channels.join(', ')} for topic ${inputs.topicId}, ` +
          `and the template has content for ${templateChannels?.join(', ')}`;
        return { to, stop: { status: 'UNROUTABLE', reason: MessageReason.NO_CHANNELS, error } };
      }
    }
  }
  return resolved;
}
