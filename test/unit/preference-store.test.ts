import type { HeraldDatabase } from '../../db/database';
import { migrateToLatest } from '../../db/migrations';
import { createPreferenceStore, InvalidPreferenceError, type HeraldPreferenceStore } from '../../db/preferences';
import type { PreferenceStatus } from '../../domain/preferences';
import { describeEachDatabase } from '../helpers/databases';

/** Topics, users' choices and tenant defaults (api-contract §6) on each database, with the real migrations. */
describeEachDatabase('preference store', (testDatabase) => {
  let database: HeraldDatabase;
  let store: HeraldPreferenceStore;

  beforeEach(async () => {
    database = await testDatabase.open();
    await migrateToLatest(database.db);
    store = createPreferenceStore(database);
  });
  afterEach(() => database.close());

  const user = 'user+1@example.com';

  /** A tenant row as the tenants API keeps it: default preferences inside the `data` JSON. */
  async function putTenant(id: string, items: unknown[]): Promise<void> {
    const now = Date.now();
    await database.db
      .insertInto('tenants')
      .values({
        id,
        name: id,
        parent_tenant_id: null,
        data: JSON.stringify({ brand_id: 'b1', default_preferences: { items } }),
        created: now,
        updated: now,
      })
      .execute();
  }

  describe('topics', () => {
    it('creates, renames, lists by id and deletes topics', async () => {
      expect(await store.putTopic({ id: 'tz-billing', name: 'Billing', default_status: 'OPTED_IN' })).toEqual({
        id: 'tz-billing',
        name: 'Billing',
        default_status: 'OPTED_IN',
      });
      await store.putTopic({ id: 'a-news', default_status: 'OPTED_OUT' });
      expect(await store.getTopic('a-news')).toEqual({ id: 'a-news', name: 'a-news', default_status: 'OPTED_OUT' });

      // Without a name the topic keeps the one it has.
      expect(await store.putTopic({ id: 'tz-billing', default_status: 'REQUIRED' })).toEqual({
        id: 'tz-billing',
        name: 'Billing',
        default_status: 'REQUIRED',
      });
      expect((await store.listTopics()).map((t) => [t.id, t.default_status])).toEqual([
        ['a-news', 'OPTED_OUT'],
        ['tz-billing', 'REQUIRED'],
      ]);

      expect(await store.deleteTopic('a-news')).toBe(true);
      expect(await store.deleteTopic('a-news')).toBe(false);
      expect(await store.getTopic('a-news')).toBeUndefined();
      expect((await store.listTopics()).map((t) => t.id)).toEqual(['tz-billing']);
    });

    it('refuses an unknown default status', async () => {
      await expect(store.putTopic({ id: 't', default_status: 'MAYBE' as PreferenceStatus })).rejects.toBeInstanceOf(
        InvalidPreferenceError,
      );
      expect(await store.listTopics()).toEqual([]);
    });
  });

  describe('user preferences', () => {
    beforeEach(async () => {
      await store.putTopic({ id: 'billing', name: 'Billing', default_status: 'REQUIRED' });
      await store.putTopic({ id: 'news', name: 'News', default_status: 'OPTED_OUT' });
      await store.putTopic({ id: 'tips', name: 'Tips', default_status: 'OPTED_IN' });
    });

    it('lists every topic with its default until the user chooses', async () => {
      expect(await store.list(user)).toEqual([
        {
          topic_id: 'billing',
          topic_name: 'Billing',
          status: 'REQUIRED',
          default_status: 'REQUIRED',
          has_custom_routing: false,
        },
        {
          topic_id: 'news',
          topic_name: 'News',
          status: 'OPTED_OUT',
          default_status: 'OPTED_OUT',
          has_custom_routing: false,
        },
        {
          topic_id: 'tips',
          topic_name: 'Tips',
          status: 'OPTED_IN',
          default_status: 'OPTED_IN',
          has_custom_routing: false,
        },
      ]);
    });

    it('records a choice, then updates it', async () => {
      expect(
        await store.put(user, 'news', {
          status: 'OPTED_IN',
          has_custom_routing: true,
          custom_routing: ['email', 'push'],
        }),
      ).toBe(true);
      expect(await store.get(user, 'news')).toEqual({
        topic_id: 'news',
        topic_name: 'News',
        status: 'OPTED_IN',
        default_status: 'OPTED_OUT',
        has_custom_routing: true,
        custom_routing: ['email', 'push'],
      });

      expect(
        await store.put(user, 'news', { status: 'OPTED_OUT', has_custom_routing: false, custom_routing: ['sms'] }),
      ).toBe(true);
      expect(await store.get(user, 'news')).toEqual({
        topic_id: 'news',
        topic_name: 'News',
        status: 'OPTED_OUT',
        default_status: 'OPTED_OUT',
        has_custom_routing: false,
      });
      // Other users are untouched.
      expect((await store.get('someone-else', 'news'))?.status).toBe('OPTED_OUT');
      expect((await store.get('someone-else', 'tips'))?.status).toBe('OPTED_IN');
    });

    it('turns custom routing on when only the channels are given, once each', async () => {
      await store.put(user, 'tips', { status: 'OPTED_IN', custom_routing: ['sms', 'sms', 'inbox'] });
      expect(await store.get(user, 'tips')).toMatchObject({
        has_custom_routing: true,
        custom_routing: ['sms', 'inbox'],
      });
      await store.put(user, 'tips', { status: 'OPTED_IN', custom_routing: [] });
      expect(await store.get(user, 'tips')).toMatchObject({ has_custom_routing: false });
      expect((await store.get(user, 'tips'))?.custom_routing).toBeUndefined();
    });

    it.each([
      ['an unknown status', { status: 'SOMETIMES' }],
      ['an unknown channel', { status: 'OPTED_IN', has_custom_routing: true, custom_routing: ['email', 'pigeon'] }],
      ['custom routing on with no channel', { status: 'OPTED_IN', has_custom_routing: true, custom_routing: [] }],
    ])('refuses %s and keeps the previous choice', async (_name, bad) => {
      await store.put(user, 'tips', { status: 'OPTED_OUT' });
      await expect(store.put(user, 'tips', bad as never)).rejects.toBeInstanceOf(InvalidPreferenceError);
      expect(await store.get(user, 'tips')).toMatchObject({ status: 'OPTED_OUT', has_custom_routing: false });
    });

    it('does not record a choice for a topic nobody configured', async () => {
      expect(await store.put(user, 'ghost', { status: 'OPTED_IN' })).toBe(false);
      expect(await store.get(user, 'ghost')).toBeUndefined();
      expect((await store.list(user)).map((p) => p.topic_id)).toEqual(['billing', 'news', 'tips']);
    });

    it("keeps a user's choice across the topic's deletion, listed under the topic id until it returns", async () => {
      await store.put(user, 'news', { status: 'OPTED_IN', custom_routing: ['email'] });
      await store.deleteTopic('news');
      const orphan = {
        topic_id: 'news',
        topic_name: 'news',
        status: 'OPTED_IN',
        default_status: 'OPTED_IN',
        has_custom_routing: true,
        custom_routing: ['email'],
      };
      expect(await store.get(user, 'news')).toEqual(orphan);
      expect((await store.list(user)).find((p) => p.topic_id === 'news')).toEqual(orphan);
      expect(await store.put(user, 'news', { status: 'OPTED_OUT' })).toBe(true);

      await store.putTopic({ id: 'news', name: 'News again', default_status: 'OPTED_IN' });
      expect(await store.get(user, 'news')).toMatchObject({ topic_name: 'News again', status: 'OPTED_OUT' });
      expect(await store.get('someone-else', 'news')).toMatchObject({ status: 'OPTED_IN' });
    });

    it("applies the tenant's defaults only with its id", async () => {
      await putTenant('acme', [
        { id: 'tips', status: 'OPTED_OUT' },
        { id: 'news', status: 'OPTED_IN', has_custom_routing: true, custom_routing: ['inbox'] },
        { id: 'billing', status: 'OPTED_OUT' },
        { id: 'junk', status: 'WHATEVER' },
      ]);
      const byTopic = async (tenantId?: string) =>
        Object.fromEntries(
          (await store.list(user, tenantId)).map((p) => [p.topic_id, [p.status, p.default_status, p.custom_routing]]),
        );
      expect(await byTopic('acme')).toEqual({
        billing: ['REQUIRED', 'REQUIRED', undefined],
        news: ['OPTED_IN', 'OPTED_IN', ['inbox']],
        tips: ['OPTED_OUT', 'OPTED_OUT', undefined],
      });
      expect(await byTopic()).toEqual({
        billing: ['REQUIRED', 'REQUIRED', undefined],
        news: ['OPTED_OUT', 'OPTED_OUT', undefined],
        tips: ['OPTED_IN', 'OPTED_IN', undefined],
      });
      expect(await byTopic('no-such-tenant')).toEqual(await byTopic());
      expect(await store.get(user, 'tips', 'acme')).toMatchObject({ status: 'OPTED_OUT', default_status: 'OPTED_OUT' });
    });
  });

  describe('inputsForSend', () => {
    it('gathers the topic default, the tenant default and the user choice in one call', async () => {
      await store.putTopic({ id: 'news', name: 'News', default_status: 'OPTED_OUT' });
      await putTenant('acme', [{ id: 'news', status: 'OPTED_IN', custom_routing: ['sms'] }]);
      await store.put(user, 'news', { status: 'OPTED_OUT', custom_routing: ['email'] });

      expect(await store.inputsForSend(user, 'news', 'acme')).toEqual({
        topicDefault: 'OPTED_OUT',
        tenantDefault: { status: 'OPTED_IN', custom_routing: ['sms'] },
        user: { status: 'OPTED_OUT', custom_routing: ['email'] },
      });
      expect(await store.inputsForSend('someone-else', 'news', 'acme')).toEqual({
        topicDefault: 'OPTED_OUT',
        tenantDefault: { status: 'OPTED_IN', custom_routing: ['sms'] },
      });
      expect(await store.inputsForSend(undefined, 'news')).toEqual({ topicDefault: 'OPTED_OUT' });
    });

    it('has nothing to say about a topic nobody configured', async () => {
      expect(await store.inputsForSend(user, 'unknown-topic', 'unknown-tenant')).toEqual({});
    });

    it('ignores custom routing a tenant default turned off, and a tenant whose data is not readable', async () => {
      await store.putTopic({ id: 'news', default_status: 'OPTED_IN' });
      await putTenant('acme', [
        { id: 'news', status: 'OPTED_OUT', has_custom_routing: false, custom_routing: ['sms'] },
      ]);
      expect(await store.inputsForSend(user, 'news', 'acme')).toEqual({
        topicDefault: 'OPTED_IN',
        tenantDefault: { status: 'OPTED_OUT' },
      });
      const now = Date.now();
      await database.db
        .insertInto('tenants')
        .values({ id: 'broken', name: 'b', parent_tenant_id: null, data: 'not json', created: now, updated: now })
        .execute();
      expect(await store.inputsForSend(user, 'news', 'broken')).toEqual({ topicDefault: 'OPTED_IN' });
    });
  });
});
