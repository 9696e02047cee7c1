import Courier from '@trycourier/courier';
import { CourierClient as CourierClientV6, CourierError } from 'courier-v6';
import { CourierClient as courierClientV5 } from 'courier-v5';
import { useStack } from '../helpers/stack';

/**
 * Courier's lists (api-contract §9, §5.2) and tenants (§10) over real HTTP on the real stack, through the official
 * SDKs: every v7 method, and the v6 and classic v5 list methods.
 */
describe('lists and tenants', () => {
  const stack = useStack();

  const v7 = () => new Courier({ apiKey: stack().apiKey, baseURL: stack().gatewayUrl, maxRetries: 0 });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${stack().gatewayUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${stack().apiKey}`, 'content-type': 'application/json', ...init.headers },
    });
  const iso = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const prefs = { notifications: { welcome: { status: 'OPTED_OUT' as const } } };

  /** Expects a 400 in Courier's error shape. */
  async function expectBadRequest(response: Response): Promise<void> {
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ message: expect.any(String), type: 'invalid_request_error' });
  }

  describe('lists through the v7 SDK', () => {
    it('creates, reads, lists by pattern, deletes and restores lists', async () => {
      const client = v7();
      expect(await client.lists.update('v7.pokemon.fire', { name: 'Fire', preferences: prefs })).toBeNull();
      await client.lists.update('v7.pokemon.water', { name: 'Water' });
      await client.lists.update('v7.pokemon.fire.gen1', { name: 'Gen 1' });
      await client.lists.update('v7.digimon.fire', { name: 'Digi' });

      expect(await client.lists.retrieve('v7.pokemon.fire')).toEqual({
        id: 'v7.pokemon.fire',
        name: 'Fire',
        created: iso,
        updated: iso,
        preferences: prefs,
      });
      const ids = async (pattern: string) => (await client.lists.list({ pattern })).items.map((list) => list.id);
      expect(await ids('v7.pokemon.*')).toEqual(['v7.pokemon.fire', 'v7.pokemon.water']);
      expect(await ids('v7.pokemon.**')).toEqual(['v7.pokemon.fire', 'v7.pokemon.fire.gen1', 'v7.pokemon.water']);
      expect(await ids('v7.*.fire')).toEqual(['v7.digimon.fire', 'v7.pokemon.fire']);
      expect(await ids('v7.digimon.fire')).toEqual(['v7.digimon.fire']);
      expect((await client.lists.list({ pattern: 'v7.*.fire' })).paging).toEqual({ more: false });

      expect(await client.lists.delete('v7.pokemon.water')).toBeNull();
      await expect(client.lists.retrieve('v7.pokemon.water')).rejects.toBeInstanceOf(Courier.NotFoundError);
      expect(await ids('v7.pokemon.*')).toEqual(['v7.pokemon.fire']);
      expect(await client.lists.restore('v7.pokemon.water', {})).toBeNull();
      expect(await client.lists.retrieve('v7.pokemon.water')).toMatchObject({ name: 'Water' });

      await expect(client.lists.retrieve('v7.nothing')).rejects.toBeInstanceOf(Courier.NotFoundError);
      await expect(client.lists.restore('v7.nothing', {})).rejects.toBeInstanceOf(Courier.NotFoundError);
      await expect(client.lists.list({ pattern: '*.**' })).rejects.toBeInstanceOf(Courier.BadRequestError);
    });

    it('manages subscribers, paging them with the cursor', async () => {
      const client = v7();
      const listId = 'v7.subscribers';
      const users = Array.from({ length: 130 }, (_, i) => `user+${String(i).padStart(3, '0')}@example.com`);
      // PUT replaces the whole set and creates the list, named after its id.
      await client.lists.subscriptions.subscribe(listId, {
        recipients: [{ recipientId: 'dropped' }, ...users.slice(0, 5).map((recipientId) => ({ recipientId }))],
      });
      expect(await client.lists.retrieve(listId)).toMatchObject({ id: listId, name: listId });
      expect(
        await client.lists.subscriptions.subscribe(listId, {
          recipients: users.map((recipientId) => ({
            recipientId,
            ...(recipientId === users[0] ? { preferences: prefs } : {}),
          })),
        }),
      ).toBeNull();

      const first = await client.lists.subscriptions.list(listId);
      expect(first.items).toHaveLength(100);
      expect(first.items[0]).toEqual({ recipientId: users[0], created: iso, preferences: prefs });
      expect(first.items[1]).toEqual({ recipientId: users[1], created: iso });
      expect(first.paging).toEqual({ cursor: expect.any(String), more: true });
      const second = await client.lists.subscriptions.list(listId, { cursor: first.paging.cursor });
      expect(second.paging).toEqual({ more: false });
      expect([...first.items, ...second.items].map((item) => item.recipientId)).toEqual(users);

      // POST adds without touching the others; single PUT and DELETE take the user id in the path.
      await client.lists.subscriptions.add(listId, { recipients: [{ recipientId: 'added' }] });
      await client.lists.subscriptions.subscribeUser('single:user', { list_id: listId, preferences: prefs });
      await client.lists.subscriptions.subscribeUser('bare', { list_id: listId });
      expect(await client.lists.subscriptions.unsubscribeUser(users[1], { list_id: listId })).toBeNull();
      const all = [...(await client.lists.subscriptions.list(listId)).items];
      const rest = await client.lists.subscriptions.list(listId, {
        cursor: (await client.lists.subscriptions.list(listId)).paging.cursor,
      });
      all.push(...rest.items);
      expect(all.map((item) => item.recipientId).sort()).toEqual(
        ['added', 'bare', 'single:user', ...users.filter((u) => u !== users[1])].sort(),
      );
      expect(all.find((item) => item.recipientId === 'single:user')).toEqual({
        recipientId: 'single:user',
        created: iso,
        preferences: prefs,
      });

      await expect(client.lists.subscriptions.list('v7.unknown')).rejects.toBeInstanceOf(Courier.NotFoundError);
      await client.lists.delete(listId);
      await expect(client.lists.subscriptions.list(listId)).rejects.toBeInstanceOf(Courier.NotFoundError);
    });

    it("reads, subscribes and clears a profile's lists", async () => {
      const client = v7();
      const user = 'ada+lists@example.com';
      await client.lists.update('v7.profile.a', { name: 'A' });
      expect(
        await client.profiles.lists.subscribe(user, {
          lists: [{ listId: 'v7.profile.a', preferences: prefs }, { listId: 'v7.profile.b' }],
        }),
      ).toEqual({ status: 'SUCCESS' });
      expect(await client.profiles.lists.retrieve(user)).toEqual({
        paging: { more: false },
        results: [
          { id: 'v7.profile.a', name: 'A', created: iso, updated: iso, preferences: prefs },
          { id: 'v7.profile.b', name: 'v7.profile.b', created: iso, updated: iso },
        ],
      });
      expect(await client.profiles.lists.delete(user)).toEqual({ status: 'SUCCESS' });
      expect((await client.profiles.lists.retrieve(user)).results).toEqual([]);
      expect(await client.lists.retrieve('v7.profile.b')).toMatchObject({ id: 'v7.profile.b' });
    });
  });

  describe('tenants through the v7 SDK', () => {
    it('creates, replaces, reads, lists and deletes tenants', async () => {
      const client = v7();
      const acme = {
        name: 'Acme',
        parent_tenant_id: 'v7-holding',
        brand_id: 'BRAND1',
        default_preferences: { items: [{ id: 'digest', status: 'OPTED_OUT' as const }] },
        properties: { plan: 'pro' },
        user_profile: { locale: 'de-DE' },
      };
      expect(await client.tenants.update('v7-acme', acme)).toEqual({ id: 'v7-acme', ...acme });
      expect(await client.tenants.retrieve('v7-acme')).toEqual({ id: 'v7-acme', ...acme });
      expect(await client.tenants.update('v7-acme', { name: 'Acme Inc.', parent_tenant_id: 'v7-holding' })).toEqual({
        id: 'v7-acme',
        name: 'Acme Inc.',
        parent_tenant_id: 'v7-holding',
      });
      await client.tenants.update('v7-globex', { name: 'Globex', parent_tenant_id: 'v7-holding' });
      await client.tenants.update('v7-initech', { name: 'Initech', parent_tenant_id: 'v7-holding' });

      const first = await client.tenants.list({ parent_tenant_id: 'v7-holding', limit: 2 });
      expect(first).toEqual({
        items: [expect.objectContaining({ id: 'v7-acme' }), expect.objectContaining({ id: 'v7-globex' })],
        has_more: true,
        type: 'list',
        url: '/tenants',
        cursor: expect.any(String),
        next_url: expect.stringMatching(/^\/tenants\?/),
      });
      const second = await client.tenants.list({ parent_tenant_id: 'v7-holding', limit: 2, cursor: first.cursor });
      expect(second).toMatchObject({ items: [{ id: 'v7-initech' }], has_more: false, cursor: null, next_url: null });
      // next_url carries the same filter and page size.
      const next = (await (await api(first.next_url!)).json()) as { items: Array<{ id: string }> };
      expect(next.items.map((t) => t.id)).toEqual(['v7-initech']);

      expect(await client.tenants.delete('v7-initech')).toBeNull();
      await expect(client.tenants.retrieve('v7-initech')).rejects.toBeInstanceOf(Courier.NotFoundError);
      await client.tenants.delete('v7-initech'); // idempotent
    });

    it("sets and removes a tenant's default preferences", async () => {
      const client = v7();
      await client.tenants.update('v7-prefs', { name: 'Prefs' });
      expect(
        await client.tenants.preferences.items.update('news', {
          tenant_id: 'v7-prefs',
          status: 'OPTED_IN',
          has_custom_routing: true,
          custom_routing: ['email', 'push'],
        }),
      ).toBeNull();
      await client.tenants.preferences.items.update('digest', { tenant_id: 'v7-prefs', status: 'REQUIRED' });
      expect((await client.tenants.retrieve('v7-prefs')).default_preferences).toEqual({
        items: [
          { id: 'news', status: 'OPTED_IN', has_custom_routing: true, custom_routing: ['email', 'push'] },
          { id: 'digest', status: 'REQUIRED' },
        ],
      });
      expect(await client.tenants.preferences.items.delete('news', { tenant_id: 'v7-prefs' })).toBeNull();
      expect((await client.tenants.retrieve('v7-prefs')).default_preferences).toEqual({
        items: [{ id: 'digest', status: 'REQUIRED' }],
      });
      await expect(
        client.tenants.preferences.items.update('news', { tenant_id: 'v7-nobody', status: 'OPTED_IN' }),
      ).rejects.toBeInstanceOf(Courier.NotFoundError);
    });

    it("manages a user's memberships and a tenant's members", async () => {
      const client = v7();
      const user = 'grace+tenants@example.com';
      await client.tenants.update('v7-team', { name: 'Team' });
      expect(
        await client.users.tenants.addMultiple(user, {
          tenants: [{ tenant_id: 'v7-team', profile: { role: 'admin' } }, { tenant_id: 'v7-auto' }],
        }),
      ).toBeNull();
      expect(await client.users.tenants.addSingle('v7-third', { user_id: user, profile: { seat: 3 } })).toBeNull();
      await client.users.tenants.addSingle('v7-team', { user_id: 'linus@example.com' });
      // A tenant named in a membership exists afterwards, named after its id.
      expect(await client.tenants.retrieve('v7-auto')).toEqual({ id: 'v7-auto', name: 'v7-auto' });

      const mine = await client.users.tenants.list(user, { limit: 2 });
      expect(mine).toEqual({
        items: [
          { tenant_id: 'v7-auto', user_id: user, type: 'user' },
          { tenant_id: 'v7-team', user_id: user, type: 'user', profile: { role: 'admin' } },
        ],
        has_more: true,
        type: 'list',
        url: `/users/${encodeURIComponent(user)}/tenants`,
        cursor: expect.any(String),
        next_url: expect.any(String),
      });
      expect((await client.users.tenants.list(user, { cursor: mine.cursor })).items).toEqual([
        { tenant_id: 'v7-third', user_id: user, type: 'user', profile: { seat: 3 } },
      ]);
      expect((await client.tenants.listUsers('v7-team')).items).toEqual([
        { tenant_id: 'v7-team', user_id: user, type: 'user', profile: { role: 'admin' } },
        { tenant_id: 'v7-team', user_id: 'linus@example.com', type: 'user' },
      ]);

      expect(await client.users.tenants.removeSingle('v7-team', { user_id: user })).toBeNull();
      expect((await client.tenants.listUsers('v7-team')).items?.map((m) => m.user_id)).toEqual(['linus@example.com']);
      expect(await client.users.tenants.removeAll(user)).toBeNull();
      expect((await client.users.tenants.list(user)).items).toEqual([]);
      await expect(client.tenants.listUsers('v7-nobody')).rejects.toBeInstanceOf(Courier.NotFoundError);
    });
  });

  it('refuses bad ids, patterns, cursors and bodies with 400 in the error shape', async () => {
    const client = v7();
    await client.lists.update('v7.valid', { name: 'Valid' });
    await client.tenants.update('v7-valid', { name: 'Valid' });
    const cases: Array<[string, string, unknown?]> = [
      ['GET', '/lists?pattern=a.**.b'],
      ['GET', '/lists?pattern=*'],
      ['GET', '/lists?cursor=not-a-cursor'],
      ['GET', '/lists/a..b'],
      ['PUT', '/lists/a.b.c.d.e', { name: 'Too deep' }],
      ['PUT', '/lists/a*b', { name: 'Star' }],
      ['PUT', '/lists/v7.valid', {}],
      ['PUT', '/lists/v7.valid', { name: 'x', preferences: { notifications: { n: { status: 'MAYBE' } } } }],
      ['PUT', '/lists/v7.valid/subscriptions', { recipients: [{ recipientId: '' }] }],
      ['POST', '/lists/v7.valid/subscriptions', { recipients: 'everyone' }],
      ['PUT', '/lists/v7.valid/subscriptions/u1', { preferences: [] }],
      ['POST', '/profiles/u1/lists', { lists: [{ listId: 'a..b' }] }],
      ['POST', '/profiles/u1/lists', { lists: [{ listId: 'ok', preferences: JSON.parse('{"__proto__": {"x": 1}}') }] }],
      ['PUT', '/tenants/v7-valid', { brand_id: 'no name' }],
      ['PUT', '/tenants/v7-valid', { name: 'x', default_preferences: { items: [{ id: 't', status: 'ON' }] } }],
      ['PUT', '/tenants/v7-valid/default_preferences/items/t', { status: 'MAYBE' }],
      ['PUT', '/tenants/v7-valid/default_preferences/items/t', { status: 'OPTED_IN', custom_routing: ['pigeon'] }],
      ['PUT', '/tenants/v7-valid/default_preferences/items/t', { status: 'OPTED_IN', has_custom_routing: true }],
      ['GET', '/tenants?limit=0'],
      ['GET', '/tenants?limit=ten'],
      ['GET', '/tenants?cursor=%%%'],
      ['PUT', '/users/u1/tenants', { tenants: [{ profile: {} }] }],
      ['PUT', '/users/u1/tenants/v7-valid', { profile: 'admin' }],
    ];
    for (const [method, path, body] of cases) {
      const response = await api(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      try {
        await expectBadRequest(response);
      } catch (error) {
        throw new Error(`${method} ${path}: ${(error as Error).message}`);
      }
    }
    // Nothing was written by the refused requests.
    expect(await client.lists.retrieve('v7.valid')).toMatchObject({ name: 'Valid' });
    expect(await client.tenants.retrieve('v7-valid')).toEqual({ id: 'v7-valid', name: 'Valid' });
    expect((await client.lists.subscriptions.list('v7.valid')).items).toEqual([]);
    expect((await client.users.tenants.list('u1')).items).toEqual([]);
    expect((await api('/tenants?limit=500')).status).toBe(200);
  });

  it('documents every path in the OpenAPI document', async () => {
    const document = (await (await fetch(`${stack().gatewayUrl}/docs-json`)).json()) as {
      paths: Record<string, object>;
    };
    for (const path of [
      '/lists',
      '/lists/{list_id}',
      '/lists/{list_id}/restore',
      '/lists/{list_id}/subscriptions',
      '/lists/{list_id}/subscriptions/{user_id}',
      '/profiles/{user_id}/lists',
      '/tenants',
      '/tenants/{tenant_id}',
      '/tenants/{tenant_id}/users',
      '/tenants/{tenant_id}/default_preferences/items/{topic_id}',
      '/users/{user_id}/tenants',
      '/users/{user_id}/tenants/{tenant_id}',
    ]) {
      expect(document.paths).toHaveProperty([path]);
    }
    expect(document.paths['/lists/{list_id}']).toHaveProperty(['put', 'requestBody', 'content']);
  });

  it('works with the v6 SDK', async () => {
    const client = new CourierClientV6({ authorizationToken: stack().apiKey, baseUrl: stack().gatewayUrl });
    await client.lists.update('v6.team.red', { name: 'Red', preferences: prefs });
    await client.lists.update('v6.team.blue', { name: 'Blue' });
    expect(await client.lists.get('v6.team.red')).toEqual({
      id: 'v6.team.red',
      name: 'Red',
      created: iso,
      updated: iso,
      preferences: prefs,
    });
    expect((await client.lists.list({ pattern: 'v6.team.*' })).items.map((list) => list.id)).toEqual([
      'v6.team.blue',
      'v6.team.red',
    ]);

    await client.lists.updateSubscribers('v6.team.red', { recipients: [{ recipientId: 'a' }, { recipientId: 'b' }] });
    // v6 sends Idempotency-Key on addSubscribers: a repeat replays the stored 204 without running again.
    const add = { recipients: [{ recipientId: 'c', preferences: prefs }] };
    await client.lists.addSubscribers('v6.team.red', add, { idempotencyKey: 'v6-add-c' });
    await client.lists.addSubscribers('v6.team.red', add, { idempotencyKey: 'v6-add-c' });
    const replay = await api('/lists/v6.team.red/subscriptions', {
      method: 'POST',
      headers: { 'idempotency-key': 'v6-add-c' },
      body: JSON.stringify(add),
    });
    expect(replay.status).toBe(204);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    await client.lists.subscribe('v6.team.red', 'd');
    await client.lists.unsubscribe('v6.team.red', 'a');
    const subscribers = await client.lists.getSubscribers('v6.team.red');
    expect(subscribers.paging).toEqual({ more: false });
    expect(subscribers.items).toEqual([
      { recipientId: 'b', created: iso },
      { recipientId: 'c', created: iso, preferences: prefs },
      { recipientId: 'd', created: iso },
    ]);

    await client.lists.delete('v6.team.blue');
    const missing = await client.lists.get('v6.team.blue').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(CourierError);
    expect((missing as CourierError).statusCode).toBe(404);
    await client.lists.restore('v6.team.blue');
    expect((await client.lists.get('v6.team.blue')).name).toBe('Blue');

    await client.profiles.subscribeToLists('v6-user', { lists: [{ listId: 'v6.team.blue' }, { listId: 'v6.new' }] });
    expect((await client.profiles.getListSubscriptions('v6-user')).results.map((list) => list.id)).toEqual([
      'v6.new',
      'v6.team.blue',
    ]);
    expect(await client.profiles.deleteListSubscription('v6-user')).toEqual({ status: 'SUCCESS' });
    expect((await client.profiles.getListSubscriptions('v6-user')).results).toEqual([]);

    // The tenant methods too, with the same envelopes.
    await client.tenants.createOrReplace('v6-acme', { name: 'Acme', parent_tenant_id: 'v6-holding' });
    expect(await client.tenants.get('v6-acme')).toEqual({
      id: 'v6-acme',
      name: 'Acme',
      parent_tenant_id: 'v6-holding',
    });
    expect((await client.tenants.list({ parent_tenant_id: 'v6-holding', limit: 5 })).items).toHaveLength(1);
    await client.users.tenants.add('v6-user', 'v6-acme');
    expect((await client.tenants.getUsersByTenant('v6-acme')).items).toEqual([
      { tenant_id: 'v6-acme', user_id: 'v6-user', type: 'user' },
    ]);
    await client.tenants.createOrReplaceDefaultPreferencesForTopic('v6-acme', 'news', { status: 'OPTED_OUT' });
    expect((await client.tenants.get('v6-acme')).default_preferences).toEqual({
      items: [{ id: 'news', status: 'OPTED_OUT' }],
    });
    await client.tenants.removeDefaultPreferencesForTopic('v6-acme', 'news');
    await client.users.tenants.removeAll('v6-user');
    await client.tenants.delete('v6-acme');
  });

  it('works with the classic v5 client', async () => {
    const client = courierClientV5({ authorizationToken: stack().apiKey, baseUrl: stack().gatewayUrl });
    await client.lists.put('v5.club', { name: 'Club' });
    expect(await client.lists.get('v5.club')).toEqual({ id: 'v5.club', name: 'Club', created: iso, updated: iso });
    // v5 passes list parameters where its HTTP client expects options, so it never sends a cursor or pattern.
    expect((await client.lists.list({ pattern: 'v5.*' })).items.map((list) => list.id)).toContain('v5.club');

    await client.lists.putSubscriptions('v5.club', [{ recipientId: 'x' }, { recipientId: 'y' }]);
    await client.lists.postSubscriptions('v5.club', [{ recipientId: 'z' }]);
    await client.lists.subscribe('v5.club', 'w', { notifications: { n: { status: 'OPTED_IN' } } });
    await client.lists.unsubscribe('v5.club', 'x');
    expect((await client.lists.getSubscriptions('v5.club')).items).toEqual([
      { recipientId: 'w', created: iso, preferences: { notifications: { n: { status: 'OPTED_IN' } } } },
      { recipientId: 'y', created: iso },
      { recipientId: 'z', created: iso },
    ]);

    await client.lists.delete('v5.club');
    await expect(client.lists.get('v5.club')).rejects.toThrow();
    await client.lists.restore('v5.club');
    expect((await client.lists.get('v5.club')).name).toBe('Club');

    expect(
      await client.addRecipientToLists({
        recipientId: 'v5-user',
        lists: [
          { listId: 'v5.club', name: 'ignored' },
          { listId: 'v5.other', name: 'ignored' },
        ],
      }),
    ).toEqual({ status: 'SUCCESS' });
    expect((await client.getRecipientSubscriptions({ recipientId: 'v5-user' })).results.map((l) => l.id)).toEqual([
      'v5.club',
      'v5.other',
    ]);
    expect((await client.lists.findByRecipientId('v5-user')).results).toHaveLength(2);
    await client.removeRecipientFromAllLists({ recipientId: 'v5-user' });
    expect((await client.getRecipientSubscriptions({ recipientId: 'v5-user' })).results).toEqual([]);

    // Its tenant methods send the whole tenant (id included) and `cursor=` when there is none.
    expect(await client.tenants.put({ id: 'v5-acme', name: 'Acme', properties: { plan: 'pro' } })).toEqual({
      id: 'v5-acme',
      name: 'Acme',
      properties: { plan: 'pro' },
    });
    expect(await client.tenants.get('v5-acme')).toMatchObject({ id: 'v5-acme', name: 'Acme' });
    const listed = await client.tenants.listTenants({ limit: '100' });
    expect(listed).toMatchObject({ type: 'list', has_more: false });
    expect(listed.items.map((tenant) => tenant.id)).toContain('v5-acme');
    await client.tenants.delete('v5-acme');
    await expect(client.tenants.get('v5-acme')).rejects.toThrow();
  });
});
