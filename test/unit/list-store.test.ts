import type { HeraldDatabase } from '../../db/database';
import { createListStore, InvalidListError, type HeraldListStore } from '../../db/lists';
import { migrateToLatest } from '../../db/migrations';
import { describeEachDatabase } from '../helpers/databases';

/** Courier's lists (api-contract §9) and the fan-out's recipient paging, on each database with the real migrations. */
describeEachDatabase('list store', (testDatabase) => {
  let database: HeraldDatabase;
  let store: HeraldListStore;

  beforeEach(async () => {
    database = await testDatabase.open();
    await migrateToLatest(database.db);
    store = createListStore(database);
  });
  afterEach(() => database.close());

  const prefs = { notifications: { welcome: { status: 'OPTED_OUT' } } };

  /** Every page of `recipientsPage`, following `after` as the fan-out does. */
  async function allRecipients(
    target: Parameters<HeraldListStore['recipientsPage']>[0],
    limit: number,
  ): Promise<string[][]> {
    const pages: string[][] = [];
    let after: string | undefined;
    for (;;) {
      const page = await store.recipientsPage(target, after, limit);
      if (page.length === 0) return pages;
      pages.push(page);
      after = page[page.length - 1];
    }
  }

  describe('lists', () => {
    it('creates, replaces and reads a list; unknown lists are undefined', async () => {
      expect(await store.get('pokemon.fire')).toBeUndefined();
      await store.put('pokemon.fire', { name: 'Fire types', preferences: prefs });
      const created = await store.get('pokemon.fire');
      expect(created).toEqual({
        id: 'pokemon.fire',
        name: 'Fire types',
        preferences: prefs,
        created: expect.any(Number),
        updated: expect.any(Number),
      });

      await store.subscribe('pokemon.fire', 'ash');
      await store.put('pokemon.fire', { name: 'Fire' });
      const replaced = await store.get('pokemon.fire');
      expect(replaced).toEqual({
        id: 'pokemon.fire',
        name: 'Fire',
        created: created!.created,
        updated: expect.any(Number),
      });
      // Replacing a live list keeps its subscribers.
      expect(await store.recipientsPage({ list_id: 'pokemon.fire' }, undefined, 10)).toEqual(['ash']);
    });

    it('soft-deletes and restores a list with its subscribers', async () => {
      await store.put('club', { name: 'Club' });
      await store.addSubscribers('club', [{ userId: 'a' }, { userId: 'b', preferences: prefs }]);

      expect(await store.delete('club')).toBe(true);
      expect(await store.delete('club')).toBe(false);
      expect(await store.get('club')).toBeUndefined();
      expect(await store.subscriptions('club', { limit: 10 })).toBeUndefined();
      expect((await store.list({ limit: 10 })).items).toEqual([]);
      expect(await store.recipientsPage({ list_id: 'club' }, undefined, 10)).toEqual([]);

      expect(await store.restore('club')).toBe(true);
      expect(await store.get('club')).toMatchObject({ id: 'club', name: 'Club' });
      const page = await store.subscriptions('club', { limit: 10 });
      expect(page).toEqual({
        items: [
          { userId: 'a', created: expect.any(Number) },
          { userId: 'b', preferences: prefs, created: expect.any(Number) },
        ],
        more: false,
      });
      expect(await store.restore('club')).toBe(true);
      expect(await store.restore('never-existed')).toBe(false);
    });

    it('creates a deleted list afresh when it is put or subscribed to again, without its old subscribers', async () => {
      await store.put('old', { name: 'Old' });
      await store.subscribe('old', 'stale-user');
      await store.delete('old');
      await store.put('old', { name: 'New' });
      expect(await store.recipientsPage({ list_id: 'old' }, undefined, 10)).toEqual([]);

      await store.subscribe('old', 'stale-user');
      await store.delete('old');
      await store.subscribe('old', 'fresh-user');
      expect(await store.get('old')).toMatchObject({ name: 'old' });
      expect(await store.recipientsPage({ list_id: 'old' }, undefined, 10)).toEqual(['fresh-user']);
    });

    it('pages lists by id and filters them by pattern', async () => {
      for (const id of [
        'pokemon',
        'pokemon.fire',
        'pokemon.fire.gen1',
        'pokemon.water',
        'pokemonx.fire',
        'digimon.fire',
      ]) {
        await store.put(id, { name: id.toUpperCase() });
      }
      await store.put('pokemon.grass', { name: 'gone' });
      await store.delete('pokemon.grass');

      const first = await store.list({ limit: 4 });
      expect(first.items.map((list) => list.id)).toEqual([
        'digimon.fire',
        'pokemon',
        'pokemon.fire',
        'pokemon.fire.gen1',
      ]);
      expect(first.more).toBe(true);
      const second = await store.list({ limit: 4, after: 'pokemon.fire.gen1' });
      expect(second).toEqual({
        items: [expect.objectContaining({ id: 'pokemon.water' }), expect.objectContaining({ id: 'pokemonx.fire' })],
        more: false,
      });

      const ids = async (pattern: string, limit = 10, after?: string) =>
        (await store.list({ pattern, limit, after })).items.map((list) => list.id);
      expect(await ids('pokemon.*')).toEqual(['pokemon.fire', 'pokemon.water']);
      expect(await ids('pokemon.**')).toEqual(['pokemon.fire', 'pokemon.fire.gen1', 'pokemon.water']);
      expect(await ids('*.fire')).toEqual(['digimon.fire', 'pokemon.fire', 'pokemonx.fire']);
      expect(await ids('pokemon.fire')).toEqual(['pokemon.fire']);
      expect(await ids('*.fire', 1, 'digimon.fire')).toEqual(['pokemon.fire']);
      expect((await store.list({ pattern: '*.fire', limit: 2 })).more).toBe(true);
      expect((await store.list({ pattern: '*.fire', limit: 3 })).more).toBe(false);
      await expect(store.list({ pattern: 'pokemon.**.x', limit: 10 })).rejects.toBeInstanceOf(InvalidListError);
    });

    it('matches literal parts exactly, even with LIKE wildcards or other letter case in them', async () => {
      for (const id of ['a_b.x', 'axb.x', 'A_B.x', '100%.y', '1000.y']) await store.put(id, { name: id });
      expect((await store.list({ pattern: 'a_b.*', limit: 10 })).items.map((l) => l.id)).toEqual(['a_b.x']);
      expect((await store.list({ pattern: '100%.**', limit: 10 })).items.map((l) => l.id)).toEqual(['100%.y']);
      await store.subscribe('axb.x', 'wrong');
      await store.subscribe('A_B.x', 'wrong-case');
      await store.subscribe('a_b.x', 'right');
      expect(await store.recipientsPage({ list_pattern: 'a_b.*' }, undefined, 10)).toEqual(['right']);
    });

    it('refuses bad list ids and prototype keys in preferences, writing nothing', async () => {
      await expect(store.put('a..b', { name: 'x' })).rejects.toBeInstanceOf(InvalidListError);
      await expect(store.subscribe('a.b.c.d.e', 'u')).rejects.toBeInstanceOf(InvalidListError);
      await expect(store.addSubscribers('a.*', [{ userId: 'u' }])).rejects.toBeInstanceOf(InvalidListError);
      await expect(store.subscribeUser('u', [{ listId: 'ok' }, { listId: 'bad list' }])).rejects.toBeInstanceOf(
        InvalidListError,
      );
      const polluted = JSON.parse('{"notifications": {"__proto__": {"status": "OPTED_IN"}}}');
      await expect(store.subscribe('ok', 'u', polluted)).rejects.toBeInstanceOf(InvalidListError);
      expect(await store.get('ok')).toBeUndefined();
      expect((await store.list({ limit: 10 })).items).toEqual([]);
    });
  });

  describe('subscriptions', () => {
    it('auto-creates a list named after its id when subscribing', async () => {
      await store.subscribe('news.weekly', 'u1', prefs);
      expect(await store.get('news.weekly')).toMatchObject({ id: 'news.weekly', name: 'news.weekly' });
      expect((await store.subscriptions('news.weekly', { limit: 10 }))!.items).toEqual([
        { userId: 'u1', preferences: prefs, created: expect.any(Number) },
      ]);
    });

    it('replaces the whole set, keeping the subscription date of those who stay', async () => {
      await store.addSubscribers('team', [{ userId: 'keep' }, { userId: 'drop' }]);
      const before = (await store.subscriptions('team', { limit: 10 }))!.items.find((s) => s.userId === 'keep')!;
      await new Promise((resolve) => setTimeout(resolve, 5));
      await store.replaceSubscribers('team', [{ userId: 'keep', preferences: prefs }, { userId: 'new' }]);
      expect((await store.subscriptions('team', { limit: 10 }))!.items).toEqual([
        { userId: 'keep', preferences: prefs, created: before.created },
        { userId: 'new', created: expect.any(Number) },
      ]);
      await store.replaceSubscribers('team', []);
      expect((await store.subscriptions('team', { limit: 10 }))!.items).toEqual([]);
    });

    it('adds without touching the others, and the last mention of a user wins', async () => {
      await store.addSubscribers('team', [{ userId: 'a', preferences: prefs }]);
      await store.addSubscribers('team', [{ userId: 'b', preferences: prefs }, { userId: 'b' }, { userId: 'c' }]);
      expect((await store.subscriptions('team', { limit: 10 }))!.items).toEqual([
        { userId: 'a', preferences: prefs, created: expect.any(Number) },
        { userId: 'b', created: expect.any(Number) },
        { userId: 'c', created: expect.any(Number) },
      ]);
    });

    it('pages subscribers by user id', async () => {
      await store.addSubscribers(
        'big',
        ['u3', 'u1', 'u5', 'u2', 'u4'].map((userId) => ({ userId })),
      );
      const first = (await store.subscriptions('big', { limit: 2 }))!;
      expect(first.items.map((s) => s.userId)).toEqual(['u1', 'u2']);
      expect(first.more).toBe(true);
      const last = (await store.subscriptions('big', { limit: 2, after: 'u4' }))!;
      expect(last).toEqual({ items: [expect.objectContaining({ userId: 'u5' })], more: false });
    });

    it('unsubscribes one user', async () => {
      await store.addSubscribers('team', [{ userId: 'a' }, { userId: 'b' }]);
      expect(await store.unsubscribe('team', 'a')).toBe(true);
      expect(await store.unsubscribe('team', 'a')).toBe(false);
      expect(await store.recipientsPage({ list_id: 'team' }, undefined, 10)).toEqual(['b']);
    });
  });

  describe("a user's lists", () => {
    it('subscribes a user to several lists, lists them with their preferences, and removes them all', async () => {
      await store.put('alpha', { name: 'Alpha', preferences: { notifications: {} } });
      await store.subscribeUser('ada', [
        { listId: 'gamma', preferences: prefs },
        { listId: 'alpha' },
        { listId: 'beta' },
      ]);
      await store.subscribe('beta', 'someone-else');
      await store.put('deleted', { name: 'Deleted' });
      await store.subscribe('deleted', 'ada');
      await store.delete('deleted');

      const first = await store.userLists('ada', { limit: 2 });
      expect(first.more).toBe(true);
      expect(first.items).toEqual([
        {
          list: {
            id: 'alpha',
            name: 'Alpha',
            preferences: { notifications: {} },
            created: expect.any(Number),
            updated: expect.any(Number),
          },
        },
        { list: expect.objectContaining({ id: 'beta', name: 'beta' }) },
      ]);
      expect(await store.userLists('ada', { limit: 2, after: 'beta' })).toEqual({
        items: [{ list: expect.objectContaining({ id: 'gamma' }), preferences: prefs }],
        more: false,
      });

      expect(await store.unsubscribeUserFromAll('ada')).toBe(4);
      expect((await store.userLists('ada', { limit: 10 })).items).toEqual([]);
      expect(await store.recipientsPage({ list_id: 'beta' }, undefined, 10)).toEqual(['someone-else']);
    });
  });

  describe('recipientsPage', () => {
    it('pages one list in ascending user id order across several pages', async () => {
      const users = Array.from({ length: 7 }, (_, i) => `user-${i}`).reverse();
      await store.addSubscribers(
        'big',
        users.map((userId) => ({ userId })),
      );
      expect(await allRecipients({ list_id: 'big' }, 3)).toEqual([
        ['user-0', 'user-1', 'user-2'],
        ['user-3', 'user-4', 'user-5'],
        ['user-6'],
      ]);
      expect(await store.recipientsPage({ list_id: 'big' }, 'user-5', 3)).toEqual(['user-6']);
      expect(await store.recipientsPage({ list_id: 'big' }, undefined, 0)).toEqual([]);
      expect(await store.recipientsPage({ list_id: 'unknown' }, undefined, 3)).toEqual([]);
    });

    it("dedupes users across a pattern's lists, ignoring deleted and non-matching lists", async () => {
      await store.addSubscribers(
        'pokemon.fire',
        ['ash', 'brock', 'misty'].map((userId) => ({ userId })),
      );
      await store.addSubscribers(
        'pokemon.water',
        ['misty', 'brock', 'gary'].map((userId) => ({ userId })),
      );
      await store.addSubscribers('pokemon.fire.gen1', [{ userId: 'oak' }]);
      await store.addSubscribers('pokemon.grass', [{ userId: 'erika' }]);
      await store.delete('pokemon.grass');
      await store.addSubscribers('digimon.fire', [{ userId: 'tai' }]);

      expect(await allRecipients({ list_pattern: 'pokemon.*' }, 2)).toEqual([
        ['ash', 'brock'],
        ['gary', 'misty'],
      ]);
      expect((await allRecipients({ list_pattern: 'pokemon.**' }, 10)).flat()).toEqual([
        'ash',
        'brock',
        'gary',
        'misty',
        'oak',
      ]);
      expect((await allRecipients({ list_pattern: '*.fire' }, 10)).flat()).toEqual(['ash', 'brock', 'misty', 'tai']);
      expect(await store.recipientsPage({ list_pattern: 'nothing.*' }, undefined, 10)).toEqual([]);
      await expect(store.recipientsPage({ list_pattern: '*' }, undefined, 10)).rejects.toBeInstanceOf(InvalidListError);
    });

    it('handles a pattern matching many lists', async () => {
      const now = Date.now();
      const ids = Array.from({ length: 1200 }, (_, i) => `bulk.l${String(i).padStart(4, '0')}`);
      for (let i = 0; i < ids.length; i += 200) {
        const chunk = ids.slice(i, i + 200);
        await database.db
          .insertInto('lists')
          .values(chunk.map((id) => ({ id, name: id, preferences: null, created: now, updated: now, deleted: null })))
          .execute();
        await database.db
          .insertInto('list_subscriptions')
          .values(chunk.map((id, j) => ({ list_id: id, user_id: `u${(i + j) % 50}`, preferences: null, created: now })))
          .execute();
      }
      const pages = await allRecipients({ list_pattern: 'bulk.*' }, 20);
      expect(pages.map((page) => page.length)).toEqual([20, 20, 10]);
      expect(pages.flat()).toEqual([...new Set(pages.flat())].sort());
      expect(new Set(pages.flat()).size).toBe(50);
      expect((await store.list({ pattern: 'bulk.*', limit: 1000 })).items).toHaveLength(1000);
    });

    it('orders user ids bytewise, upper case before lower case', async () => {
      await store.addSubscribers(
        'mixed',
        ['bob', 'Bob', 'alice', 'Zed', '_x'].map((userId) => ({ userId })),
      );
      expect(await store.recipientsPage({ list_id: 'mixed' }, undefined, 10)).toEqual([
        'Bob',
        'Zed',
        '_x',
        'alice',
        'bob',
      ]);
      expect(await store.recipientsPage({ list_id: 'mixed' }, 'Zed', 2)).toEqual(['_x', 'alice']);
    });

    it("pages a tenant's members", async () => {
      const now = Date.now();
      await database.db
        .insertInto('tenant_members')
        .values(
          ['m3', 'm1', 'm2', 'm4'].map((user_id) => ({ tenant_id: 'acme', user_id, profile: null, created: now })),
        )
        .execute();
      await database.db
        .insertInto('tenant_members')
        .values({ tenant_id: 'other', user_id: 'm0', profile: null, created: now })
        .execute();
      expect(await allRecipients({ tenant_id: 'acme' }, 3)).toEqual([['m1', 'm2', 'm3'], ['m4']]);
      expect(await store.recipientsPage({ tenant_id: 'nobody' }, undefined, 3)).toEqual([]);
    });
  });
});
