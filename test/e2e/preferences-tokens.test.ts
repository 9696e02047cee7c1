import Courier from '@trycourier/courier';
import { CourierClient as CourierClientV6, CourierError } from 'courier-v6';
import { CourierClient as courierClientV5 } from 'courier-v5';
import { useStack } from '../helpers/stack';

/**
 * Courier's `/users/{id}/preferences` (api-contract §6) and `/users/{id}/tokens` (§5.4), and Herald's `/topics`,
 * over real HTTP through the official SDKs, on the real stack.
 */
describe('preferences and device tokens', () => {
  const stack = useStack();

  const v7 = () => new Courier({ apiKey: stack().apiKey, baseURL: stack().gatewayUrl, maxRetries: 0 });
  const v6 = () => new CourierClientV6({ authorizationToken: stack().apiKey, baseUrl: stack().gatewayUrl });
  const v5 = () => courierClientV5({ authorizationToken: stack().apiKey, baseUrl: stack().gatewayUrl });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${stack().gatewayUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${stack().apiKey}`, 'content-type': 'application/json', ...init.headers },
    });
  const expectApiError = async (response: Response, status: number) => {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ message: expect.any(String), type: 'invalid_request_error' });
  };
  const putTopic = async (id: string, body: object) => {
    const response = await api(`/topics/${encodeURIComponent(id)}`, { method: 'PUT', body: JSON.stringify(body) });
    expect(response.status).toBe(200);
    return response.json();
  };
  /** A tenant as the tenants API stores it, written straight to the stack's database. */
  const putTenantDefaults = async (id: string, items: object[]) => {
    const now = Date.now();
    await stack()
      .deps.database.db.insertInto('tenants')
      .values({
        id,
        name: id,
        parent_tenant_id: null,
        data: JSON.stringify({ default_preferences: { items } }),
        created: now,
        updated: now,
      })
      .execute();
  };

  describe('topics (Herald)', () => {
    it('creates, lists, reads, renames and deletes topics', async () => {
      expect(await putTopic('ADMIN-B', { name: 'Admin B', default_status: 'OPTED_OUT' })).toEqual({
        id: 'ADMIN-B',
        name: 'Admin B',
        default_status: 'OPTED_OUT',
      });
      expect(await putTopic('ADMIN-A', { default_status: 'REQUIRED' })).toEqual({
        id: 'ADMIN-A',
        name: 'ADMIN-A',
        default_status: 'REQUIRED',
      });
      const listed = (await (await api('/topics')).json()) as { items: Array<{ id: string }> };
      const ids = listed.items.map((topic) => topic.id).filter((id) => id.startsWith('ADMIN-'));
      expect(ids).toEqual(['ADMIN-A', 'ADMIN-B']);

      expect(await putTopic('ADMIN-B', { default_status: 'OPTED_IN' })).toEqual({
        id: 'ADMIN-B',
        name: 'Admin B',
        default_status: 'OPTED_IN',
      });
      expect(await (await api('/topics/ADMIN-B')).json()).toEqual({
        id: 'ADMIN-B',
        name: 'Admin B',
        default_status: 'OPTED_IN',
      });

      expect((await api('/topics/ADMIN-B', { method: 'DELETE' })).status).toBe(204);
      expect((await api('/topics/ADMIN-B', { method: 'DELETE' })).status).toBe(204);
      await expectApiError(await api('/topics/ADMIN-B'), 404);
    });

    it('refuses a bad topic body with 400', async () => {
      for (const body of [{}, { default_status: 'SOMETIMES' }, { default_status: 'OPTED_IN', name: '' }, [1]]) {
        await expectApiError(await api('/topics/BAD', { method: 'PUT', body: JSON.stringify(body) }), 400);
      }
      await expectApiError(await api('/topics/BAD'), 404);
    });

    it('documents the new paths in the OpenAPI document', async () => {
      const document = (await (await api('/docs-json')).json()) as { paths: Record<string, object> };
      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining([
          '/users/{user_id}/tokens',
          '/users/{user_id}/tokens/{token}',
          '/users/{user_id}/preferences',
          '/users/{user_id}/preferences/{topic_id}',
          '/topics',
          '/topics/{topic_id}',
        ]),
      );
    });
  });

  describe('preferences', () => {
    beforeAll(async () => {
      await putTopic('P-MARKETING', { name: 'Marketing', default_status: 'OPTED_OUT' });
      await putTopic('P-SECURITY', { name: 'Security', default_status: 'REQUIRED' });
      await putTopic('P-UPDATES', { name: 'Updates', default_status: 'OPTED_IN' });
    });

    const ours = <T extends { topic_id: string }>(items: T[]) => items.filter((p) => p.topic_id.startsWith('P-'));

    it('lists, writes and reads preferences through the v7 SDK, with tenant defaults applied on request', async () => {
      const client = v7();
      const user = 'ada+prefs@example.com';
      const listed = await client.users.preferences.retrieve(user);
      expect(listed.paging).toEqual({ more: false });
      expect(ours(listed.items)).toEqual([
        {
          topic_id: 'P-MARKETING',
          topic_name: 'Marketing',
          status: 'OPTED_OUT',
          default_status: 'OPTED_OUT',
          has_custom_routing: false,
        },
        {
          topic_id: 'P-SECURITY',
          topic_name: 'Security',
          status: 'REQUIRED',
          default_status: 'REQUIRED',
          has_custom_routing: false,
        },
        {
          topic_id: 'P-UPDATES',
          topic_name: 'Updates',
          status: 'OPTED_IN',
          default_status: 'OPTED_IN',
          has_custom_routing: false,
        },
      ]);

      expect(
        await client.users.preferences.updateOrCreateTopic('P-MARKETING', {
          user_id: user,
          topic: { status: 'OPTED_IN', has_custom_routing: true, custom_routing: ['inbox', 'email'] },
        }),
      ).toEqual({ message: 'success' });
      expect(await client.users.preferences.retrieveTopic('P-MARKETING', { user_id: user })).toEqual({
        topic: {
          topic_id: 'P-MARKETING',
          topic_name: 'Marketing',
          status: 'OPTED_IN',
          default_status: 'OPTED_OUT',
          has_custom_routing: true,
          custom_routing: ['inbox', 'email'],
        },
      });

      // An opt-out of a required topic is recorded, but the topic stays required.
      await client.users.preferences.updateOrCreateTopic('P-SECURITY', {
        user_id: user,
        topic: { status: 'OPTED_OUT' },
      });
      expect((await client.users.preferences.retrieveTopic('P-SECURITY', { user_id: user })).topic.status).toBe(
        'REQUIRED',
      );

      await putTenantDefaults('acme-prefs', [
        { id: 'P-UPDATES', status: 'OPTED_OUT', has_custom_routing: true, custom_routing: ['sms'] },
      ]);
      const inTenant = await client.users.preferences.retrieveTopic('P-UPDATES', {
        user_id: user,
        tenant_id: 'acme-prefs',
      });
      expect(inTenant.topic).toEqual({
        topic_id: 'P-UPDATES',
        topic_name: 'Updates',
        status: 'OPTED_OUT',
        default_status: 'OPTED_OUT',
        has_custom_routing: true,
        custom_routing: ['sms'],
      });
      const listedInTenant = await client.users.preferences.retrieve(user, { tenant_id: 'acme-prefs' });
      expect(ours(listedInTenant.items).find((p) => p.topic_id === 'P-UPDATES')?.status).toBe('OPTED_OUT');
      expect((await client.users.preferences.retrieveTopic('P-UPDATES', { user_id: user })).topic.status).toBe(
        'OPTED_IN',
      );
    });

    it('refuses an unknown status or channel with 400 and keeps the stored choice', async () => {
      const client = v7();
      const user = 'grace+bad-prefs@example.com';
      await client.users.preferences.updateOrCreateTopic('P-UPDATES', {
        user_id: user,
        topic: { status: 'OPTED_OUT' },
      });
      const before = await client.users.preferences.retrieveTopic('P-UPDATES', { user_id: user });

      await expect(
        client.users.preferences.updateOrCreateTopic('P-UPDATES', {
          user_id: user,
          topic: { status: 'SOMETIMES' as 'OPTED_IN' },
        }),
      ).rejects.toBeInstanceOf(Courier.BadRequestError);
      for (const topic of [
        { status: 'MAYBE' },
        { status: 'OPTED_IN', has_custom_routing: true, custom_routing: ['email', 'carrier-pigeon'] },
        { status: 'OPTED_IN', has_custom_routing: true, custom_routing: [] },
        { status: 'OPTED_IN', has_custom_routing: 'yes' },
      ]) {
        const response = await api(`/users/${encodeURIComponent(user)}/preferences/P-UPDATES`, {
          method: 'PUT',
          body: JSON.stringify({ topic }),
        });
        await expectApiError(response, 400);
      }
      await expectApiError(
        await api(`/users/${encodeURIComponent(user)}/preferences/P-UPDATES`, {
          method: 'PUT',
          body: JSON.stringify({ status: 'OPTED_IN' }),
        }),
        400,
      );
      expect(await client.users.preferences.retrieveTopic('P-UPDATES', { user_id: user })).toEqual(before);
      expect(before.topic.status).toBe('OPTED_OUT');
    });

    it('answers 404 for a topic nobody configured, and stores nothing for it', async () => {
      const client = v7();
      const user = 'linus+ghost@example.com';
      await expect(client.users.preferences.retrieveTopic('P-GHOST', { user_id: user })).rejects.toBeInstanceOf(
        Courier.NotFoundError,
      );
      await expect(
        client.users.preferences.updateOrCreateTopic('P-GHOST', { user_id: user, topic: { status: 'OPTED_IN' } }),
      ).rejects.toBeInstanceOf(Courier.NotFoundError);
      await expectApiError(await api(`/users/${encodeURIComponent(user)}/preferences/P-GHOST`), 404);
      const listed = await client.users.preferences.retrieve(user);
      expect(listed.items.map((p) => p.topic_id)).not.toContain('P-GHOST');
    });

    it('works with the v6 SDK', async () => {
      const client = v6();
      const user = 'grace+v6-prefs@example.com';
      const listed = await client.users.preferences.list(user);
      expect(ours(listed.items).map((p) => [p.topic_id, p.status])).toEqual([
        ['P-MARKETING', 'OPTED_OUT'],
        ['P-SECURITY', 'REQUIRED'],
        ['P-UPDATES', 'OPTED_IN'],
      ]);
      expect(
        await client.users.preferences.update(user, 'P-UPDATES', {
          topic: { status: 'OPTED_OUT', has_custom_routing: true, custom_routing: ['push'] },
        }),
      ).toEqual({ message: 'success' });
      expect((await client.users.preferences.get(user, 'P-UPDATES')).topic).toEqual({
        topic_id: 'P-UPDATES',
        topic_name: 'Updates',
        status: 'OPTED_OUT',
        default_status: 'OPTED_IN',
        has_custom_routing: true,
        custom_routing: ['push'],
      });
      const missing = await client.users.preferences.get(user, 'P-GHOST').catch((error: unknown) => error);
      expect(missing).toBeInstanceOf(CourierError);
      expect((missing as CourierError).statusCode).toBe(404);
    });

    it('works with the classic v5 client', async () => {
      const client = v5();
      const user = 'linus+v5-prefs@example.com';
      await client.users.putUserPreferenceByTopic(user, 'P-MARKETING', {
        status: 'OPTED_IN',
        default_status: 'OPTED_OUT',
        has_custom_routing: false,
      });
      expect(await client.users.getUserPreferenceByTopic(user, 'P-MARKETING')).toEqual({
        topic_id: 'P-MARKETING',
        topic_name: 'Marketing',
        status: 'OPTED_IN',
        default_status: 'OPTED_OUT',
        has_custom_routing: false,
      });
      // Typed `object` in v5; the body is the same `{items, paging}` as for the other SDKs.
      const listed = (await client.users.getUserPreferenceByTopics(user)) as {
        items: Array<{ topic_id: string; status: string }>;
        paging: unknown;
      };
      expect(listed.paging).toEqual({ more: false });
      expect(ours(listed.items).find((p) => p.topic_id === 'P-MARKETING')?.status).toBe('OPTED_IN');
      await expect(client.users.getUserPreferenceByTopic(user, 'P-GHOST')).rejects.toThrow();
    });
  });

  describe('device tokens', () => {
    // FCM registration tokens carry a colon, which v7 leaves unencoded in the path.
    const fcmToken = 'fcm-dXk3:APA91bHuN_7x-example';
    const apnToken = 'a'.repeat(64);
    const device = { app_id: 'com.example', platform: 'android', model: 'Pixel 8' };

    it('registers, lists, reads, patches and deletes tokens through the v7 SDK', async () => {
      const client = v7();
      const user = 'ada+tokens@example.com';
      expect(
        await client.users.tokens.addSingle(fcmToken, {
          user_id: user,
          provider_key: 'firebase-fcm',
          expiry_date: '2099-01-01T00:00:00.000Z',
          device,
          properties: { locale: 'en' },
        }),
      ).toBeNull(); // 204
      await client.users.tokens.addSingle(apnToken, { user_id: user, provider_key: 'apn', expiry_date: false });

      expect(await client.users.tokens.retrieve(fcmToken, { user_id: user })).toEqual({
        token: fcmToken,
        provider_key: 'firebase-fcm',
        status: 'unknown',
        expiry_date: '2099-01-01T00:00:00.000Z',
        device,
        properties: { locale: 'en' },
      });
      const listed = await client.users.tokens.list(user);
      expect(listed.tokens.map((t) => [t.token, t.provider_key]).sort()).toEqual(
        [
          [fcmToken, 'firebase-fcm'],
          [apnToken, 'apn'],
        ].sort(),
      );

      await client.users.tokens.update(fcmToken, {
        user_id: user,
        patch: [
          { op: 'replace', path: '/status', value: 'revoked' },
          { op: 'add', path: '/status_reason', value: 'logged out' },
          { op: 'replace', path: '/device/model', value: 'Pixel 9' },
        ],
      });
      expect(await client.users.tokens.retrieve(fcmToken, { user_id: user })).toMatchObject({
        status: 'revoked',
        status_reason: 'logged out',
        device: { ...device, model: 'Pixel 9' },
      });

      expect(await client.users.tokens.delete(fcmToken, { user_id: user })).toBeNull();
      await expect(client.users.tokens.retrieve(fcmToken, { user_id: user })).rejects.toBeInstanceOf(
        Courier.NotFoundError,
      );
      await client.users.tokens.delete(fcmToken, { user_id: user }); // idempotent
      await expect(
        client.users.tokens.update(fcmToken, {
          user_id: user,
          patch: [{ op: 'replace', path: '/status', value: 'active' }],
        }),
      ).rejects.toBeInstanceOf(Courier.NotFoundError);
      expect((await client.users.tokens.list(user)).tokens.map((t) => t.token)).toEqual([apnToken]);

      // v7's addMultiple sends no body: nothing to add, nothing changes.
      expect(await client.users.tokens.addMultiple(user)).toBeNull();
      expect((await client.users.tokens.list(user)).tokens.map((t) => t.token)).toEqual([apnToken]);
    });

    it('refuses a bad PATCH with 400 and leaves the token as it was', async () => {
      const client = v7();
      const user = 'grace+bad-patch@example.com';
      await client.users.tokens.addSingle(apnToken, {
        user_id: user,
        provider_key: 'apn',
        expiry_date: false,
        device,
      });
      const before = await client.users.tokens.retrieve(apnToken, { user_id: user });

      await expect(
        client.users.tokens.update(apnToken, {
          user_id: user,
          patch: [
            { op: 'replace', path: '/status', value: 'active' },
            { op: 'replace', path: '/provider_key', value: 'carrier-pigeon' },
          ],
        }),
      ).rejects.toBeInstanceOf(Courier.BadRequestError);
      for (const patch of [
        [
          { op: 'replace', path: '/status', value: 'active' },
          { op: 'test', path: '/provider_key', value: 'expo' },
        ],
        [
          { op: 'replace', path: '/status', value: 'active' },
          { op: 'remove', path: '/device/missing/deeper' },
        ],
        [{ op: 'replace', path: '/token', value: 'stolen' }],
        [{ op: 'add', path: '/colour', value: 'blue' }],
        [{ op: 'frobnicate', path: '/status' }],
      ]) {
        const response = await api(`/users/${encodeURIComponent(user)}/tokens/${apnToken}`, {
          method: 'PATCH',
          body: JSON.stringify({ patch }),
        });
        await expectApiError(response, 400);
      }
      await expectApiError(
        await api(`/users/${encodeURIComponent(user)}/tokens/${apnToken}`, {
          method: 'PATCH',
          body: JSON.stringify([{ op: 'replace', path: '/status', value: 'active' }]),
        }),
        400,
      );
      expect(await client.users.tokens.retrieve(apnToken, { user_id: user })).toEqual(before);
      expect(before.status).toBe('unknown');
    });

    it('refuses bad token bodies with 400 and stores nothing', async () => {
      const user = 'bad+body@example.com';
      for (const body of [
        {},
        { provider_key: 'carrier-pigeon' },
        { provider_key: 'apn', token: 'another-token' },
        { provider_key: 'apn', expiry_date: 'soon' },
        { provider_key: 'apn', colour: 'blue' },
      ]) {
        await expectApiError(
          await api(`/users/${encodeURIComponent(user)}/tokens/tok-1`, { method: 'PUT', body: JSON.stringify(body) }),
          400,
        );
      }
      for (const body of [{ tokens: 'nope' }, { tokens: [{ provider_key: 'apn' }] }, [1]]) {
        await expectApiError(
          await api(`/users/${encodeURIComponent(user)}/tokens`, { method: 'PUT', body: JSON.stringify(body) }),
          400,
        );
      }
      expect(await (await api(`/users/${encodeURIComponent(user)}/tokens`)).json()).toEqual({ tokens: [] });
      await expectApiError(await api(`/users/${encodeURIComponent(user)}/tokens/tok-1`), 404);
    });

    it('works with the v6 SDK, which reads the list as a bare array', async () => {
      const client = v6();
      const user = 'grace+v6-tokens@example.com';
      await client.users.tokens.add(user, fcmToken, { provider_key: 'firebase-fcm', device: { platform: 'android' } });
      await client.users.tokens.add(user, 'expo-token-1', { token: 'expo-token-1', provider_key: 'expo' });

      const listed = await client.users.tokens.list(user);
      expect(Array.isArray(listed)).toBe(true);
      expect(listed.map((t) => t.token).sort()).toEqual(['expo-token-1', fcmToken].sort());

      await client.users.tokens.update(user, fcmToken, {
        patch: [{ op: 'replace', path: '/status', value: 'active' }],
      });
      const token = await client.users.tokens.get(user, fcmToken);
      expect(token).toMatchObject({ token: fcmToken, provider_key: 'firebase-fcm', status: 'active' });
      expect(typeof token.expiry_date).toBe('string');

      await client.users.tokens.addMultiple(user); // no body: nothing changes
      expect((await client.users.tokens.list(user)).length).toBe(2);

      await client.users.tokens.delete(user, 'expo-token-1');
      expect((await client.users.tokens.list(user)).map((t) => t.token)).toEqual([fcmToken]);
      const missing = await client.users.tokens.get(user, 'expo-token-1').catch((error: unknown) => error);
      expect(missing).toBeInstanceOf(CourierError);
      expect((missing as CourierError).statusCode).toBe(404);
    });

    it('works with the classic v5 client, including the bulk replace', async () => {
      const client = v5();
      const user_id = 'linus+v5-tokens@example.com';
      await client.tokenManagement.putUserToken({ user_id, token: { token: 'old-token', provider_key: 'apn' } });
      await client.tokenManagement.putUserTokens({
        user_id,
        tokens: [
          { token: fcmToken, provider_key: 'firebase-fcm', expiry_date: false },
          { token: 'onesignal-1', provider_key: 'onesignal', expiry_date: false, properties: { a: 1 } },
        ],
      });
      const listed = await client.tokenManagement.getUserTokens({ user_id });
      expect(listed.tokens.map((t) => [t.token, t.status]).sort()).toEqual(
        [
          [fcmToken, 'unknown'],
          ['onesignal-1', 'unknown'],
        ].sort(),
      );

      await client.tokenManagement.patchUserToken({
        user_id,
        token: 'onesignal-1',
        patch: [{ op: 'replace', path: '/status', value: 'failed' }],
      });
      expect(await client.tokenManagement.getUserToken({ user_id, token: 'onesignal-1' })).toEqual({
        token: 'onesignal-1',
        provider_key: 'onesignal',
        status: 'failed',
        expiry_date: false,
        properties: { a: 1 },
      });
      await expect(
        client.tokenManagement.patchUserToken({
          user_id,
          token: 'onesignal-1',
          patch: [{ op: 'replace', path: '/provider_key', value: 'nope' }],
        }),
      ).rejects.toThrow();
      expect((await client.tokenManagement.getUserToken({ user_id, token: 'onesignal-1' })).provider_key).toBe(
        'onesignal',
      );

      await client.tokenManagement.deleteUserToken({ user_id, token: 'onesignal-1' });
      expect((await client.tokenManagement.getUserTokens({ user_id })).tokens.map((t) => t.token)).toEqual([fcmToken]);
      await expect(client.tokenManagement.getUserToken({ user_id, token: 'old-token' })).rejects.toThrow();
    });
  });
});
