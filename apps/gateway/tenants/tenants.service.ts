import { Inject, Injectable } from '@nestjs/common';
import type { Page } from '../../../db/lists';
import {
  InvalidTenantError,
  type DefaultPreferenceItem,
  type HeraldTenantStore,
  type Tenant,
  type TenantMembership,
} from '../../../db/tenants';
import { BadRequest, NotFound } from '../errors/api-error';
import { parseJsonBody } from '../lists/lists.schema';
import { afterFrom, encodeCursor, queryParam } from '../lists/paging';
import type { RawQuery } from '../messages/message-query';
import { checkUserId } from '../profiles/profiles.schema';
import { TENANT_STORE } from '../tokens';
import {
  checkTenantId,
  checkTopicId,
  defaultPreferenceBodySchema,
  parseLimit,
  tenantBodySchema,
  userTenantBodySchema,
  userTenantsBodySchema,
} from './tenants.schema';

/** Courier's list envelope for tenants and memberships (api-contract §10, §17.7). */
export interface TenantListEnvelope<T> {
  items: T[];
  has_more: boolean;
  type: 'list';
  /** The path that was listed. */
  url: string;
  cursor: string | null;
  /** The path and query of the next page. */
  next_url: string | null;
}

/** A membership as Courier shows it (TenantAssociation). */
export interface MembershipView {
  tenant_id: string;
  user_id: string;
  type: 'user';
  profile?: Record<string, unknown>;
}

/** Courier's tenants API and users' tenant memberships over Herald's tenant store. */
@Injectable()
export class TenantsService {
  constructor(@Inject(TENANT_STORE) private readonly store: HeraldTenantStore) {}

  async put(tenantId: string, body: unknown): Promise<Tenant> {
    const tenant = parseJsonBody(tenantBodySchema, body);
    return this.guard(() =>
      this.store.put(checkTenantId(tenantId), {
        name: tenant.name,
        parent_tenant_id: tenant.parent_tenant_id ?? undefined,
        brand_id: tenant.brand_id ?? undefined,
        default_preferences: tenant.default_preferences
          ? { items: tenant.default_preferences.items?.map((item) => ({ ...defaultItem(item), id: item.id })) }
          : undefined,
        properties: tenant.properties ?? undefined,
        user_profile: tenant.user_profile ?? undefined,
      }),
    );
  }

  async get(tenantId: string): Promise<Tenant> {
    const tenant = await this.store.get(checkTenantId(tenantId));
    if (!tenant) throw new NotFound(`tenant ${tenantId} not found`);
    return tenant;
  }

  async list(query: RawQuery): Promise<TenantListEnvelope<Tenant>> {
    const parentTenantId = queryParam(query, 'parent_tenant_id');
    const limit = parseLimit(queryParam(query, 'limit'));
    const page = await this.store.list({ parentTenantId, limit, after: afterFrom(query) });
    return envelope(page, '/tenants', (tenant) => tenant.id, { limit, parent_tenant_id: parentTenantId });
  }

  async delete(tenantId: string): Promise<void> {
    await this.store.delete(checkTenantId(tenantId));
  }

  async members(tenantId: string, query: RawQuery): Promise<TenantListEnvelope<MembershipView>> {
    const limit = parseLimit(queryParam(query, 'limit'));
    const page = await this.store.members(checkTenantId(tenantId), { limit, after: afterFrom(query) });
    if (!page) throw new NotFound(`tenant ${tenantId} not found`);
    const url = `/tenants/${encodeURIComponent(tenantId)}/users`;
    return envelope(mapPage(page, membershipView), url, (m) => m.user_id, { limit });
  }

  async putDefaultPreference(tenantId: string, topicId: string, body: unknown): Promise<void> {
    const item = defaultItem(parseJsonBody(defaultPreferenceBodySchema, body));
    const found = await this.guard(() =>
      this.store.putDefaultPreference(checkTenantId(tenantId), checkTopicId(topicId), item),
    );
    if (!found) throw new NotFound(`tenant ${tenantId} not found`);
  }

  async deleteDefaultPreference(tenantId: string, topicId: string): Promise<void> {
    const found = await this.store.deleteDefaultPreference(checkTenantId(tenantId), checkTopicId(topicId));
    if (!found) throw new NotFound(`tenant ${tenantId} not found`);
  }

  async userTenants(userId: string, query: RawQuery): Promise<TenantListEnvelope<MembershipView>> {
    const limit = parseLimit(queryParam(query, 'limit'));
    const page = await this.store.userTenants(checkUserId(userId), { limit, after: afterFrom(query) });
    const url = `/users/${encodeURIComponent(userId)}/tenants`;
    return envelope(mapPage(page, membershipView), url, (m) => m.tenant_id, { limit });
  }

  /** A user joins several tenants; missing tenants are created, named after their id (unconfirmed for Courier). */
  async addUserTenants(userId: string, body: unknown): Promise<void> {
    const { tenants } = parseJsonBody(userTenantsBodySchema, body);
    const memberships = tenants.map((t) => ({ tenantId: t.tenant_id, profile: t.profile ?? null }));
    await this.guard(() => this.store.addMemberships(checkUserId(userId), memberships));
  }

  /** PUT replaces the membership: without a `profile` the membership has none. */
  async addUserTenant(userId: string, tenantId: string, body: unknown): Promise<void> {
    const { profile } = parseJsonBody(userTenantBodySchema, body ?? {});
    const membership = { tenantId: checkTenantId(tenantId), profile: profile ?? null };
    await this.guard(() => this.store.addMemberships(checkUserId(userId), [membership]));
  }

  async removeUserTenants(userId: string): Promise<void> {
    await this.store.removeAllMemberships(checkUserId(userId));
  }

  async removeUserTenant(userId: string, tenantId: string): Promise<void> {
    await this.store.removeMembership(checkUserId(userId), checkTenantId(tenantId));
  }

  /** What the store refuses (a bad default, a prototype key) is the caller's mistake: 400, and nothing was written. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof InvalidTenantError) throw new BadRequest(error.message);
      throw error;
    }
  }
}

/** A default preference without the nulls v7 may send for its optional fields. */
function defaultItem(item: {
  status: DefaultPreferenceItem['status'];
  has_custom_routing?: boolean | null;
  custom_routing?: string[] | null;
}): Omit<DefaultPreferenceItem, 'id'> {
  return {
    status: item.status,
    ...(item.has_custom_routing != null ? { has_custom_routing: item.has_custom_routing } : {}),
    ...(item.custom_routing != null ? { custom_routing: item.custom_routing } : {}),
  };
}

function membershipView(membership: TenantMembership): MembershipView {
  return {
    tenant_id: membership.tenant_id,
    user_id: membership.user_id,
    type: 'user',
    ...(membership.profile !== undefined ? { profile: membership.profile } : {}),
  };
}

function mapPage<T, U>(page: Page<T>, map: (item: T) => U): Page<U> {
  return { items: page.items.map(map), more: page.more };
}

function envelope<T>(
  page: Page<T>,
  url: string,
  keyOf: (item: T) => string,
  query: Record<string, string | number | undefined>,
): TenantListEnvelope<T> {
  const last = page.items[page.items.length - 1];
  const cursor = page.more && last !== undefined ? encodeCursor(keyOf(last)) : null;
  let nextUrl: string | null = null;
  if (cursor !== null) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
    params.set('cursor', cursor);
    nextUrl = `${url}?${params}`;
  }
  return { items: page.items, has_more: page.more, type: 'list', url, cursor, next_url: nextUrl };
}
