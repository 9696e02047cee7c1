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
  /**
   * What a tenant adds to its members' profiles: the tenant's `user_profile` and the user's own membership
   * profile, each undefined when there is none.
   */
  tenantProfiles(
    tenantId: string,
    userId: string,
  ): Promise<{ tenant?: Record<string, unknown>; membership?: Record<string, unknown> }>;
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
      const tenantId = typeof request.to.tenant_id === 'string' ? request.to.tenant_id : undefined;
      const [stored, pushTokens, template, tenant] = await Promise.all([
        userId ? directory.profile(userId) : undefined,
        userId ? directory.pushTokens(userId) : [],
        request.template ? directory.template(request.template) : undefined,
        userId && tenantId ? directory.tenantProfiles(tenantId, userId) : undefined,
      ]);
      // A tenant's user_profile is the default for its members, their membership profile comes next, and the
      // user's own stored profile wins over both (inline keys win over everything, in resolveSend).
      const profile =
        tenant?.tenant || tenant?.membership ? { ...tenant.tenant, ...tenant.membership, ...stored } : stored;
      const topicId = request.topicId ?? template?.topic_id;
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
