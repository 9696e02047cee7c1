import type { AudienceDirectory } from '../activities/audience.activities';
import type { AutomationDirectory } from '../activities/automation.activities';
import type { RecipientDirectory } from '../activities/recipients.activities';
import { createAutomationTemplateStore } from './automation-templates';
import type { HeraldDatabase } from './database';
import { createDeviceTokenStore } from './device-tokens';
import { createListStore } from './lists';
import { createPreferenceStore } from './preferences';
import { createProfileStore } from './profiles';
import { createTemplateStore } from './templates';
import { createTenantStore } from './tenants';

/** What the send-time lookups read, from Herald's database. */
export function createRecipientDirectory(database: HeraldDatabase): RecipientDirectory {
  const profiles = createProfileStore(database);
  const tokens = createDeviceTokenStore(database);
  const templates = createTemplateStore(database);
  const preferences = createPreferenceStore(database);
  const tenants = createTenantStore(database);
  return {
    profile: (userId) => profiles.get(userId),
    pushTokens: (userId) => tokens.activeTokens(userId, 'firebase-fcm'),
    template: (id) => templates.get(id),
    preference: (userId, topicId, tenantId) => preferences.inputsForSend(userId, topicId, tenantId),
    async tenantProfiles(tenantId, userId) {
      const [tenant, membership] = await Promise.all([
        tenants.get(tenantId),
        database.db
          .selectFrom('tenant_members')
          .select('profile')
          .where('tenant_id', '=', tenantId)
          .where('user_id', '=', userId)
          .executeTakeFirst(),
      ]);
      return {
        tenant: tenant?.user_profile,
        membership: membership?.profile ? (JSON.parse(membership.profile) as Record<string, unknown>) : undefined,
      };
    },
  };
}

/** Who is in a list, list pattern or tenant, for fan-out. */
export function createAudienceDirectory(database: HeraldDatabase): AudienceDirectory {
  const lists = createListStore(database);
  return { recipientsPage: (audience, after, limit) => lists.recipientsPage(audience, after, limit) };
}

/** What automation steps read and write: automation templates, profiles, message statuses. */
export function createAutomationDirectory(database: HeraldDatabase): AutomationDirectory {
  const templates = createAutomationTemplateStore(database);
  const profiles = createProfileStore(database);
  return {
    async automationTemplate(idOrAlias) {
      const template = await templates.get(idOrAlias);
      return template && template.status === 'published'
        ? { id: template.id, definition: template.definition }
        : undefined;
    },
    profile: (userId) => profiles.get(userId),
    replaceProfile: (userId, profile) => profiles.replace(userId, profile),
    async messageStatuses(ids) {
      if (ids.length === 0) return {};
      const rows = await database.db.selectFrom('messages').select(['id', 'status']).where('id', 'in', ids).execute();
      return Object.fromEntries(rows.map((row) => [row.id, row.status]));
    },
  };
}
