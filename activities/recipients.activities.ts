import type { Recipient } from '../domain/message';
import type { PreferenceInputs } from '../domain/preferences';
import { resolveSend, type ResolvedMessage } from '../domain/send-resolution';
import type { Template } from '../domain/template';

/** The stored data a send may name, read at send time. */
export interface RecipientDirectory {
  profile(userId: string): Promise<Record<string, unknown> | undefined>;
  /** Registered firebase-fcm tokens that may still work. */
  pushTokens(userId: string): Promise<string[]>;
  template(id: string): Promise<Template | undefined>;
  preference(userId: string | undefined, topicId: string, tenantId?: string): Promise<PreferenceInputs>;
}

export interface ResolveRequest {
  to: Recipient;
  template?: string;
  /** `message.preferences.subscription_topic_id`; else the template's topic applies. */
  topicId?: string;
}

export interface RecipientDeps {
  directory: RecipientDirectory;
}

export function createRecipientActivities({ directory }: RecipientDeps) {
  return {
    /**
     * Loads what the send names — the stored profile and device tokens of `to.user_id`, the template, the topic's
     * preferences — and decides what the message becomes. Reads only, so retrying it is always safe.
     */
    async resolveMessage(request: ResolveRequest): Promise<ResolvedMessage> {
      const userId = typeof request.to.user_id === 'string' ? request.to.user_id : undefined;
      const [profile, pushTokens, template] = await Promise.all([
        userId ? directory.profile(userId) : undefined,
        userId ? directory.pushTokens(userId) : [],
        request.template ? directory.template(request.template) : undefined,
      ]);
      const topicId = request.topicId ?? template?.topic_id;
      const tenantId = typeof request.to.tenant_id === 'string' ? request.to.tenant_id : undefined;
      const preference = topicId ? await directory.preference(userId, topicId, tenantId) : undefined;
      return resolveSend({
        to: request.to,
        stored: { profile, pushTokens },
        templateId: request.template,
        template,
        topicId,
        preference,
      });
    },
  };
}
