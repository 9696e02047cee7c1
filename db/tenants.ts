import type { Kysely } from 'kysely';
import { isPreferenceStatus, PREFERENCE_CHANNELS, type PreferenceStatus } from '../domain/preferences';
import type { HeraldDatabase } from './database';
import type { Page } from './lists';
import { findForbiddenKey } from './profiles';
import type { Database, TenantMembersTable, TenantsTable } from './schema';

/** A tenant's default for one subscription topic (Courier's `default_preferences.items[]`). */
export interface DefaultPreferenceItem {
  /** The subscription topic id. */
  id: string;
  status: PreferenceStatus;
  has_custom_routing?: boolean;
  custom_routing?: string[];
}

/** Courier's Tenant (api-contract §10); optional fields are absent rather than null. */
export interface Tenant {
  id: string;
  name: string;
  parent_tenant_id?: string;
  brand_id?: string;
  default_preferences?: { items?: DefaultPreferenceItem[] };
  properties?: Record<string, unknown>;
  user_profile?: Record<string, unknown>;
}

/** What `PUT /tenants/{id}` carries: the tenant without its id. */
export type TenantInput = Omit<Tenant, 'id'>;

/** One user in one tenant; `profile` is merged into the user's profile when sending in that tenant. */
export interface TenantMembership {
  tenant_id: string;
  user_id: string;
  profile?: Record<string, unknown>;
}

/**
 * A membership to write. `profile`: an object replaces the membership's profile, null clears it, and absent keeps
 * what an existing membership had.
 */
export interface MembershipInput {
  tenantId: string;
  profile?: Record<string, unknown> | null;
}

/** Page size of tenant listings when the caller gives none, and the most a page may hold (api-contract §10). */
export const TENANT_PAGE_DEFAULT = 20;
export const TENANT_PAGE_MAX = 100;

/** Keyset paging by id; `limit` defaults to `TENANT_PAGE_DEFAULT` and is capped at `TENANT_PAGE_MAX`. */
export interface TenantPageRequest {
  after?: string;
  limit?: number;
}

/** Thrown for a tenant, default preference or membership profile Herald will not store; nothing was written. */
export class InvalidTenantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTenantError';
  }
}

export interface HeraldTenantStore {
  /** Creates the tenant or replaces everything but its id and members; returns it as stored. */
  put(tenantId: string, tenant: TenantInput): Promise<Tenant>;
  get(tenantId: string): Promise<Tenant | undefined>;
  /** Tenants by id, optionally only the children of `parentTenantId`. */
  list(query: TenantPageRequest & { parentTenantId?: string }): Promise<Page<Tenant>>;
  /** Removes the tenant and its memberships; true when there was one. */
  delete(tenantId: string): Promise<boolean>;

  /** The tenant's members by user id; undefined when there is no such tenant. */
  members(tenantId: string, page: TenantPageRequest): Promise<Page<TenantMembership> | undefined>;
  /** The user's memberships by tenant id. */
  userTenants(userId: string, page: TenantPageRequest): Promise<Page<TenantMembership>>;
  /** Adds (or updates) the user's membership of each tenant, creating missing tenants named after their id. */
  addMemberships(userId: string, memberships: MembershipInput[]): Promise<void>;
  /**
   * Adds one user to a tenant, creating the tenant (named after its id) when it is missing, as Segment `group`
   * calls need. `profile` as in `MembershipInput`.
   */
  addMember(tenantId: string, userId: string, profile?: Record<string, unknown> | null): Promise<void>;
  /** True when the user was a member. */
  removeMembership(userId: string, tenantId: string): Promise<boolean>;
  /** Removes the user from every tenant; returns how many memberships there were. */
  removeAllMemberships(userId: string): Promise<number>;

  /** Creates or replaces the tenant's default for a topic; false when there is no such tenant. */
  putDefaultPreference(tenantId: string, topicId: string, item: Omit<DefaultPreferenceItem, 'id'>): Promise<boolean>;
  /** Removes the tenant's default for a topic (if any); false when there is no such tenant. */
  deleteDefaultPreference(tenantId: string, topicId: string): Promise<boolean>;
}

type Db = Kysely<Database>;
/** What the `data` column holds: the Tenant minus the fields that have columns. */
type TenantData = Omit<TenantInput, 'name' | 'parent_tenant_id'>;

export function createTenantStore(database: HeraldDatabase): HeraldTenantStore {
  const { db } = database;

  const readTenant = async (executor: Db, tenantId: string): Promise<Tenant | undefined> => {
    const row = await executor.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst();
    return row ? tenantFromRow(row) : undefined;
  };

  /** Creates the tenant, named after its id, unless it exists; safe against a concurrent creation. */
  const ensureTenant = async (trx: Db, tenantId: string, now: number): Promise<void> => {
    await trx
      .insertInto('tenants')
      .values({ id: tenantId, name: tenantId, parent_tenant_id: null, data: '{}', created: now, updated: now })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  };

  const upsertMembership = async (
    trx: Db,
    tenantId: string,
    userId: string,
    profile: string | null | undefined,
    now: number,
  ) => {
    const insert = trx
      .insertInto('tenant_members')
      .values({ tenant_id: tenantId, user_id: userId, profile: profile ?? null, created: now });
    await (
      profile === undefined
        ? insert.onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doNothing())
        : insert.onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doUpdateSet({ profile }))
    ).execute();
  };

  /** Rewrites `default_preferences.items` of an existing tenant; false when there is none. */
  const updateDefaults = (tenantId: string, change: (items: DefaultPreferenceItem[]) => DefaultPreferenceItem[]) =>
    database.writeTransaction(tenantKey(tenantId), async (trx) => {
      const row = await trx.selectFrom('tenants').select('data').where('id', '=', tenantId).executeTakeFirst();
      if (!row) return false;
      const data = JSON.parse(row.data) as TenantData;
      const items = change(data.default_preferences?.items ?? []);
      const next: TenantData = { ...data, default_preferences: { ...data.default_preferences, items } };
      await trx
        .updateTable('tenants')
        .set({ data: JSON.stringify(next), updated: Date.now() })
        .where('id', '=', tenantId)
        .execute();
      return true;
    });

  return {
    put: async (tenantId, tenant) => {
      const { name, parent_tenant_id, ...rest } = checkTenant(tenant);
      const data = JSON.stringify(rest);
      return database.writeTransaction(tenantKey(tenantId), async (trx) => {
        const now = Date.now();
        const parent = parent_tenant_id ?? null;
        await trx
          .insertInto('tenants')
          .values({ id: tenantId, name, parent_tenant_id: parent, data, created: now, updated: now })
          .onConflict((oc) => oc.column('id').doUpdateSet({ name, parent_tenant_id: parent, data, updated: now }))
          .execute();
        return (await readTenant(trx, tenantId))!;
      });
    },

    get: (tenantId) => readTenant(db, tenantId),

    list: async ({ parentTenantId, ...page }) => {
      const limit = pageLimit(page.limit);
      let query = db.selectFrom('tenants').selectAll();
      if (parentTenantId !== undefined) query = query.where('parent_tenant_id', '=', parentTenantId);
      if (page.after !== undefined) query = query.where('id', '>', page.after);
      const rows = await query
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return { items: rows.slice(0, limit).map(tenantFromRow), more: rows.length > limit };
    },

    delete: (tenantId) =>
      database.writeTransaction(tenantKey(tenantId), async (trx) => {
        await trx.deleteFrom('tenant_members').where('tenant_id', '=', tenantId).execute();
        const result = await trx.deleteFrom('tenants').where('id', '=', tenantId).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      }),

    members: async (tenantId, page) => {
      const limit = pageLimit(page.limit);
      const tenant = await db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst();
      if (!tenant) return undefined;
      let query = db.selectFrom('tenant_members').selectAll().where('tenant_id', '=', tenantId);
      if (page.after !== undefined) query = query.where('user_id', '>', page.after);
      const rows = await query
        .orderBy('user_id')
        .limit(limit + 1)
        .execute();
      return { items: rows.slice(0, limit).map(membershipFromRow), more: rows.length > limit };
    },

    userTenants: async (userId, page) => {
      const limit = pageLimit(page.limit);
      let query = db.selectFrom('tenant_members').selectAll().where('user_id', '=', userId);
      if (page.after !== undefined) query = query.where('tenant_id', '>', page.after);
      const rows = await query
        .orderBy('tenant_id')
        .limit(limit + 1)
        .execute();
      return { items: rows.slice(0, limit).map(membershipFromRow), more: rows.length > limit };
    },

    addMemberships: async (userId, memberships) => {
      const rows = memberships.map((m) => ({ tenantId: m.tenantId, profile: profileText(m.profile) }));
      // Tenant creation and membership upserts are conflict-safe, so a key per user is enough to keep the batch whole.
      await database.writeTransaction(`tenant-user:${userId}`, async (trx) => {
        const now = Date.now();
        for (const row of rows) {
          await ensureTenant(trx, row.tenantId, now);
          await upsertMembership(trx, row.tenantId, userId, row.profile, now);
        }
      });
    },

    addMember: async (tenantId, userId, profile) => {
      const text = profileText(profile);
      await database.writeTransaction(tenantKey(tenantId), async (trx) => {
        const now = Date.now();
        await ensureTenant(trx, tenantId, now);
        await upsertMembership(trx, tenantId, userId, text, now);
      });
    },

    removeMembership: async (userId, tenantId) => {
      const result = await db
        .deleteFrom('tenant_members')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    removeAllMemberships: async (userId) => {
      const result = await db.deleteFrom('tenant_members').where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    putDefaultPreference: async (tenantId, topicId, item) => {
      const checked = checkDefaultPreference({ ...item, id: topicId });
      return updateDefaults(tenantId, (items) => {
        const at = items.findIndex((existing) => existing.id === topicId);
        return at === -1 ? [...items, checked] : items.map((existing, i) => (i === at ? checked : existing));
      });
    },

    deleteDefaultPreference: (tenantId, topicId) =>
      updateDefaults(tenantId, (items) => items.filter((existing) => existing.id !== topicId)),
  };
}

/** Why a default preference is not one Herald stores, or undefined when it is fine. */
export function defaultPreferenceProblem(item: {
  id?: unknown;
  status?: unknown;
  has_custom_routing?: unknown;
  custom_routing?: unknown;
}): string | undefined {
  if (typeof item.id !== 'string' || item.id.length === 0) return 'default preference needs a topic id';
  if (!isPreferenceStatus(item.status)) {
    return `status ${String(item.status)} is not one of OPTED_IN, OPTED_OUT, REQUIRED`;
  }
  if (item.has_custom_routing !== undefined && typeof item.has_custom_routing !== 'boolean') {
    return 'has_custom_routing must be true or false';
  }
  if (item.custom_routing !== undefined) {
    if (!Array.isArray(item.custom_routing)) return 'custom_routing must be a list of channels';
    const unknown = item.custom_routing.find((c) => !(PREFERENCE_CHANNELS as readonly unknown[]).includes(c));
    if (unknown !== undefined) {
      return `custom_routing channel ${String(unknown)} is not one of ${PREFERENCE_CHANNELS.join(', ')}`;
    }
  }
  // The preference store reads routing as on when it names channels; on with none would mean "send nowhere".
  if (item.has_custom_routing === true && !(Array.isArray(item.custom_routing) && item.custom_routing.length > 0)) {
    return 'custom_routing must name at least one channel when has_custom_routing is true';
  }
  return undefined;
}

function checkDefaultPreference(item: DefaultPreferenceItem): DefaultPreferenceItem {
  const problem = defaultPreferenceProblem(item);
  if (problem) throw new InvalidTenantError(problem);
  return {
    id: item.id,
    status: item.status,
    ...(item.has_custom_routing !== undefined ? { has_custom_routing: item.has_custom_routing } : {}),
    ...(item.custom_routing !== undefined ? { custom_routing: [...new Set(item.custom_routing)] } : {}),
  };
}

/** The tenant as stored: absent optional fields dropped, defaults checked, no prototype keys. */
function checkTenant(tenant: TenantInput): TenantInput {
  if (typeof tenant.name !== 'string' || tenant.name.length === 0) throw new InvalidTenantError('name is required');
  const forbidden = findForbiddenKey(tenant);
  if (forbidden !== undefined) throw new InvalidTenantError(`tenant key ${forbidden} is not allowed`);
  const items = tenant.default_preferences?.items?.map(checkDefaultPreference);
  return dropAbsent({
    name: tenant.name,
    parent_tenant_id: tenant.parent_tenant_id,
    brand_id: tenant.brand_id,
    default_preferences: tenant.default_preferences && dropAbsent({ ...tenant.default_preferences, items }),
    properties: tenant.properties,
    user_profile: tenant.user_profile,
  });
}

function profileText(profile: Record<string, unknown> | null | undefined): string | null | undefined {
  if (profile === undefined || profile === null) return profile;
  const forbidden = findForbiddenKey(profile);
  if (forbidden !== undefined) throw new InvalidTenantError(`profile key ${forbidden} is not allowed`);
  return JSON.stringify(profile);
}

/** Writes to one tenant (replace, delete, defaults, a member joining) take its key, so none of them interleave. */
function tenantKey(tenantId: string): string {
  return `tenant:${tenantId}`;
}

function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return TENANT_PAGE_DEFAULT;
  return Math.min(Math.max(1, Math.floor(limit)), TENANT_PAGE_MAX);
}

function dropAbsent<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}

function tenantFromRow(row: TenantsTable): Tenant {
  const data = JSON.parse(row.data) as TenantData;
  return {
    id: row.id,
    name: row.name,
    ...(row.parent_tenant_id !== null ? { parent_tenant_id: row.parent_tenant_id } : {}),
    ...dropAbsent(data),
  };
}

function membershipFromRow(row: TenantMembersTable): TenantMembership {
  return {
    tenant_id: row.tenant_id,
    user_id: row.user_id,
    ...(row.profile !== null ? { profile: JSON.parse(row.profile) as Record<string, unknown> } : {}),
  };
}
