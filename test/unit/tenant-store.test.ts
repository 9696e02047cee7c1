import type { HeraldDatabase } from '../../db/database';
import { createListStore } from '../../db/lists';
import { migrateToLatest } from '../../db/migrations';
import { createPreferenceStore } from '../../db/preferences';
import { createTenantStore, InvalidTenantError, type HeraldTenantStore, type TenantInput } from '../../db/tenants';
import { describeEachDatabase } from '../helpers/databases';

/** Courier's tenants and memberships (api-contract §10) on each database, with the real migrations. */
describeEachDatabase('tenant store', (testDatabase) => {
  let database: HeraldDatabase;
  let store: HeraldTenantStore;

  beforeEach(async () => {
    database = await testDatabase.open();
    await migrateToLatest(database.db);
    store = createTenantStore(database);
  });
  afterEach(() => database.close());

  const acme: TenantInput = {
    name: 'Acme',
    parent_tenant_id: 'holding',
    brand_id: 'BRAND1',
    default_preferences: { items: [{ id: 'digest', status: 'OPTED_OUT' }] },
    properties: { plan: 'pro', seats: 12 },
    user_profile: { locale: 'de-DE' },
  };

  describe('tenants', () => {
    it('creates, reads and replaces a tenant, dropping fields a replacement leaves out', async () => {
      expect(await store.get('acme')).toBeUndefined();
      expect(await store.put('acme', acme)).toEqual({ id: 'acme', ...acme });
      expect(await store.get('acme')).toEqual({ id: 'acme', ...acme });

      expect(await store.put('acme', { name: 'Acme Inc.', properties: { plan: 'free' } })).toEqual({
        id: 'acme',
        name: 'Acme Inc.',
        properties: { plan: 'free' },
      });
      expect(await store.get('acme')).toEqual({ id: 'acme', name: 'Acme Inc.', properties: { plan: 'free' } });
    });

    it('lists tenants by id in pages, optionally only the children of a parent', async () => {
      for (const id of ['t5', 't1', 't3', 't2', 't4']) {
        await store.put(id, { name: id, ...(id === 't2' || id === 't4' ? { parent_tenant_id: 'p' } : {}) });
      }
      const first = await store.list({ limit: 2 });
      expect(first.items.map((t) => t.id)).toEqual(['t1', 't2']);
      expect(first.more).toBe(true);
      const last = await store.list({ limit: 2, after: 't4' });
      expect(last).toEqual({ items: [{ id: 't5', name: 't5' }], more: false });
      expect((await store.list({ parentTenantId: 'p' })).items.map((t) => t.id)).toEqual(['t2', 't4']);
      expect((await store.list({ parentTenantId: 'p', after: 't2' })).items.map((t) => t.id)).toEqual(['t4']);
    });

    it('defaults the page to 20 and caps it at 100', async () => {
      const now = Date.now();
      await database.db
        .insertInto('tenants')
        .values(
          Array.from({ length: 105 }, (_, i) => ({
            id: `t${String(i).padStart(3, '0')}`,
            name: 'x',
            parent_tenant_id: null,
            data: '{}',
            created: now,
            updated: now,
          })),
        )
        .execute();
      expect((await store.list({})).items).toHaveLength(20);
      const capped = await store.list({ limit: 500 });
      expect(capped.items).toHaveLength(100);
      expect(capped.more).toBe(true);
    });

    it('deletes a tenant with its memberships', async () => {
      await store.put('acme', acme);
      await store.addMember('acme', 'ada');
      await store.addMember('globex', 'ada');
      expect(await store.delete('acme')).toBe(true);
      expect(await store.delete('acme')).toBe(false);
      expect(await store.get('acme')).toBeUndefined();
      expect(await store.members('acme', {})).toBeUndefined();
      expect((await store.userTenants('ada', {})).items).toEqual([{ tenant_id: 'globex', user_id: 'ada' }]);
    });

    it('refuses a tenant without a name, with a bad default or with prototype keys, writing nothing', async () => {
      await expect(store.put('bad', { name: '' })).rejects.toBeInstanceOf(InvalidTenantError);
      await expect(
        store.put('bad', {
          name: 'Bad',
          default_preferences: { items: [{ id: 'x', status: 'MAYBE' as 'OPTED_IN' }] },
        }),
      ).rejects.toThrow(/status MAYBE/);
      await expect(
        store.put('bad', { name: 'Bad', properties: JSON.parse('{"__proto__": {"polluted": true}}') }),
      ).rejects.toBeInstanceOf(InvalidTenantError);
      expect(await store.get('bad')).toBeUndefined();
    });
  });

  describe('memberships', () => {
    it("pages a tenant's members and a user's tenants", async () => {
      await store.put('acme', { name: 'Acme' });
      await store.addMemberships('u2', [{ tenantId: 'acme', profile: { role: 'admin' } }, { tenantId: 'globex' }]);
      await store.addMemberships('u1', [{ tenantId: 'acme' }]);
      await store.addMember('acme', 'u3', { role: 'viewer' });

      const first = (await store.members('acme', { limit: 2 }))!;
      expect(first).toEqual({
        items: [
          { tenant_id: 'acme', user_id: 'u1' },
          { tenant_id: 'acme', user_id: 'u2', profile: { role: 'admin' } },
        ],
        more: true,
      });
      expect(await store.members('acme', { limit: 2, after: 'u2' })).toEqual({
        items: [{ tenant_id: 'acme', user_id: 'u3', profile: { role: 'viewer' } }],
        more: false,
      });
      expect(await store.userTenants('u2', { limit: 1 })).toEqual({
        items: [{ tenant_id: 'acme', user_id: 'u2', profile: { role: 'admin' } }],
        more: true,
      });
      expect(await store.userTenants('u2', { after: 'acme' })).toEqual({
        items: [{ tenant_id: 'globex', user_id: 'u2' }],
        more: false,
      });
      expect(await store.members('nobody', {})).toBeUndefined();
    });

    it('creates a missing tenant named after its id, leaving an existing one as it is', async () => {
      await store.put('acme', acme);
      await store.addMember('acme', 'ada');
      await store.addMember('segment-group', 'ada');
      await store.addMemberships('bob', [{ tenantId: 'from-api' }]);
      expect(await store.get('acme')).toEqual({ id: 'acme', ...acme });
      expect(await store.get('segment-group')).toEqual({ id: 'segment-group', name: 'segment-group' });
      expect(await store.get('from-api')).toEqual({ id: 'from-api', name: 'from-api' });
    });

    it('keeps a membership profile unless one is given or it is cleared with null', async () => {
      await store.addMember('acme', 'ada', { role: 'admin' });
      await store.addMember('acme', 'ada');
      expect((await store.userTenants('ada', {})).items).toEqual([
        { tenant_id: 'acme', user_id: 'ada', profile: { role: 'admin' } },
      ]);
      await store.addMemberships('ada', [{ tenantId: 'acme', profile: { role: 'owner' } }]);
      expect((await store.userTenants('ada', {})).items[0].profile).toEqual({ role: 'owner' });
      await store.addMemberships('ada', [{ tenantId: 'acme', profile: null }]);
      expect((await store.userTenants('ada', {})).items).toEqual([{ tenant_id: 'acme', user_id: 'ada' }]);
    });

    it('removes one membership or all of them', async () => {
      await store.addMemberships('ada', [{ tenantId: 'a' }, { tenantId: 'b' }, { tenantId: 'c' }]);
      await store.addMember('a', 'bob');
      expect(await store.removeMembership('ada', 'a')).toBe(true);
      expect(await store.removeMembership('ada', 'a')).toBe(false);
      expect((await store.userTenants('ada', {})).items.map((m) => m.tenant_id)).toEqual(['b', 'c']);
      expect(await store.removeAllMemberships('ada')).toBe(2);
      expect((await store.userTenants('ada', {})).items).toEqual([]);
      expect((await store.members('a', {}))!.items).toEqual([{ tenant_id: 'a', user_id: 'bob' }]);
      expect(await store.get('a')).toBeDefined();
    });

    it('is what a tenant fan-out pages through', async () => {
      for (const user of ['m3', 'm1', 'm2']) await store.addMember('acme', user);
      const lists = createListStore(database);
      expect(await lists.recipientsPage({ tenant_id: 'acme' }, undefined, 2)).toEqual(['m1', 'm2']);
      expect(await lists.recipientsPage({ tenant_id: 'acme' }, 'm2', 2)).toEqual(['m3']);
      await store.delete('acme');
      expect(await lists.recipientsPage({ tenant_id: 'acme' }, undefined, 2)).toEqual([]);
    });
  });

  describe('default preferences', () => {
    it("adds, replaces and removes one topic's default inside the tenant", async () => {
      await store.put('acme', acme);
      expect(
        await store.putDefaultPreference('acme', 'news', {
          status: 'OPTED_IN',
          has_custom_routing: true,
          custom_routing: ['email', 'push', 'email'],
        }),
      ).toBe(true);
      expect(await store.putDefaultPreference('acme', 'digest', { status: 'REQUIRED' })).toBe(true);
      expect((await store.get('acme'))!.default_preferences).toEqual({
        items: [
          { id: 'digest', status: 'REQUIRED' },
          { id: 'news', status: 'OPTED_IN', has_custom_routing: true, custom_routing: ['email', 'push'] },
        ],
      });

      expect(await store.deleteDefaultPreference('acme', 'digest')).toBe(true);
      expect(await store.deleteDefaultPreference('acme', 'never-set')).toBe(true);
      expect((await store.get('acme'))!.default_preferences).toEqual({
        items: [{ id: 'news', status: 'OPTED_IN', has_custom_routing: true, custom_routing: ['email', 'push'] }],
      });
      // Everything else about the tenant is untouched.
      expect(await store.get('acme')).toMatchObject({ name: 'Acme', properties: acme.properties });
    });

    it('answers false for an unknown tenant and refuses bad statuses and channels', async () => {
      expect(await store.putDefaultPreference('nobody', 'news', { status: 'OPTED_IN' })).toBe(false);
      expect(await store.deleteDefaultPreference('nobody', 'news')).toBe(false);
      expect(await store.get('nobody')).toBeUndefined();

      await store.put('acme', { name: 'Acme' });
      await expect(store.putDefaultPreference('acme', 'news', { status: 'ON' as 'OPTED_IN' })).rejects.toThrow(
        /status ON/,
      );
      await expect(
        store.putDefaultPreference('acme', 'news', { status: 'OPTED_IN', custom_routing: ['email', 'pigeon'] }),
      ).rejects.toThrow(/channel pigeon/);
      await expect(
        store.putDefaultPreference('acme', 'news', {
          status: 'OPTED_IN',
          has_custom_routing: true,
          custom_routing: [],
        }),
      ).rejects.toBeInstanceOf(InvalidTenantError);
      expect(await store.get('acme')).toEqual({ id: 'acme', name: 'Acme' });
    });

    it('are the tenant defaults the preference store applies at send time', async () => {
      await store.put('acme', { name: 'Acme' });
      await store.putDefaultPreference('acme', 'news', { status: 'OPTED_OUT' });
      const preferences = createPreferenceStore(database);
      expect((await preferences.inputsForSend('ada', 'news', 'acme')).tenantDefault).toEqual({ status: 'OPTED_OUT' });
    });
  });
});
