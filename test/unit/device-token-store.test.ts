import type { HeraldDatabase } from '../../db/database';
import {
  createDeviceTokenStore,
  InvalidDeviceTokenError,
  parseDeviceTokenInput,
  type DeviceTokenInput,
  type HeraldDeviceTokenStore,
} from '../../db/device-tokens';
import { migrateToLatest } from '../../db/migrations';
import type { ProfilePatchOperation } from '../../db/profiles';
import { describeEachDatabase } from '../helpers/databases';

/** Courier's `/users/{id}/tokens` semantics (api-contract §5.4) on each database, with the real migrations. */
describeEachDatabase('device token store', (testDatabase) => {
  let database: HeraldDatabase;
  let store: HeraldDeviceTokenStore;

  beforeEach(async () => {
    database = await testDatabase.open();
    await migrateToLatest(database.db);
    store = createDeviceTokenStore(database);
  });
  afterEach(() => database.close());

  const user = 'user+1@example.com';
  // FCM registration tokens carry a colon and run to ~160 characters.
  const fcmToken = `dXk3:APA91b${'x'.repeat(140)}`;
  const future = '2099-01-01T00:00:00.000Z';
  const past = '2001-01-01T00:00:00.000Z';

  const full: DeviceTokenInput = {
    provider_key: 'firebase-fcm',
    expiry_date: future,
    device: { app_id: 'app', platform: 'android', model: 'Pixel 8' },
    properties: { topic: 'news', nested: [1, 2] },
    tracking: { os_version: '14', ip: '10.0.0.1', lat: '59.9', long: '10.7' },
  };

  it('stores a token with everything Courier defines, new ones "unknown" until a send tells', async () => {
    await store.put(user, fcmToken, full);
    const expected = {
      token: fcmToken,
      provider_key: 'firebase-fcm',
      status: 'unknown',
      expiry_date: future,
      device: full.device,
      properties: full.properties,
      tracking: full.tracking,
    };
    expect(await store.get(user, fcmToken)).toEqual(expected);
    expect(await store.list(user)).toEqual([expected]);
    expect(await store.get('someone-else', fcmToken)).toBeUndefined();
    expect(await store.list('someone-else')).toEqual([]);
  });

  it('replaces a token on a second put, dropping what the new body leaves out', async () => {
    await store.put(user, 'apn-1', full);
    await store.put(user, 'apn-1', { provider_key: 'apn', expiry_date: false, token: 'apn-1' });
    expect(await store.get(user, 'apn-1')).toEqual({
      token: 'apn-1',
      provider_key: 'apn',
      status: 'unknown',
      expiry_date: false,
    });
  });

  it("gives a token without expiry Courier's default of two months", async () => {
    const before = Date.now();
    await store.put(user, 'expo-1', { provider_key: 'expo' });
    await store.put(user, 'expo-2', { provider_key: 'expo', expiry_date: true });
    for (const token of ['expo-1', 'expo-2']) {
      const expiry = (await store.get(user, token))?.expiry_date;
      if (typeof expiry !== 'string') throw new Error(`expected a date, got ${String(expiry)}`);
      const days = (Date.parse(expiry) - before) / 86_400_000;
      expect(days).toBeGreaterThan(58);
      expect(days).toBeLessThan(63);
    }
  });

  it.each<[string, unknown]>([
    ['no provider_key', { device: {} }],
    ['an unknown provider_key', { provider_key: 'pigeon' }],
    ['an expiry that is not a date', { provider_key: 'apn', expiry_date: 'next tuesday' }],
    ['an unknown status', { provider_key: 'apn', status: 'sleepy' }],
    ['an unknown key', { provider_key: 'apn', colour: 'blue' }],
    ['a device that is not an object', { provider_key: 'apn', device: 'iphone' }],
    ['a token that differs from the path', { provider_key: 'apn', token: 'other' }],
    ['a prototype key', JSON.parse('{"provider_key": "apn", "properties": {"__proto__": {"x": 1}}}')],
  ])('refuses a body with %s and stores nothing', async (_name, body) => {
    await expect(store.put(user, 'tok', body as DeviceTokenInput)).rejects.toBeInstanceOf(InvalidDeviceTokenError);
    expect(await store.list(user)).toEqual([]);
  });

  it('names the field at fault', () => {
    expect(() => parseDeviceTokenInput({ provider_key: 'pigeon' })).toThrow(
      'provider_key: must be one of firebase-fcm, apn, expo, onesignal',
    );
  });

  it("replaces the user's whole set in bulk, keeping other users' tokens", async () => {
    await store.put(user, 'old', { provider_key: 'apn' });
    await store.put(user, 'kept', { provider_key: 'apn', status: 'failed', status_reason: 'bounced' });
    await store.put('other', 'theirs', { provider_key: 'expo' });
    await store.putMany(user, [
      { token: 'kept', provider_key: 'apn', expiry_date: false },
      { token: 'new', provider_key: 'onesignal', expiry_date: false },
      { token: 'new', provider_key: 'expo', expiry_date: false },
    ]);
    expect(await store.list(user)).toEqual([
      { token: 'kept', provider_key: 'apn', status: 'unknown', expiry_date: false },
      { token: 'new', provider_key: 'expo', status: 'unknown', expiry_date: false },
    ]);
    expect((await store.list('other')).map((t) => t.token)).toEqual(['theirs']);

    await store.putMany(user, []);
    expect(await store.list(user)).toEqual([]);
  });

  it('changes nothing when one token of a bulk write is invalid', async () => {
    await store.put(user, 'old', { provider_key: 'apn', expiry_date: false });
    await expect(
      store.putMany(user, [
        { token: 'a', provider_key: 'apn' },
        { token: 'b', provider_key: 'nope' } as unknown as DeviceTokenInput & { token: string },
      ]),
    ).rejects.toThrow('tokens[1]: provider_key');
    await expect(
      store.putMany(user, [{ provider_key: 'apn' } as DeviceTokenInput & { token: string }]),
    ).rejects.toBeInstanceOf(InvalidDeviceTokenError);
    expect((await store.list(user)).map((t) => t.token)).toEqual(['old']);
  });

  it('patches the token as get shows it', async () => {
    await store.put(user, fcmToken, full);
    expect(
      await store.patch(user, fcmToken, [
        { op: 'replace', path: '/status', value: 'revoked' },
        { op: 'add', path: '/status_reason', value: 'logged out' },
        { op: 'replace', path: '/device/model', value: 'Pixel 9' },
        { op: 'remove', path: '/tracking' },
        { op: 'add', path: '/properties/extra', value: true },
      ]),
    ).toBe(true);
    expect(await store.get(user, fcmToken)).toEqual({
      token: fcmToken,
      provider_key: 'firebase-fcm',
      status: 'revoked',
      status_reason: 'logged out',
      expiry_date: future,
      device: { ...full.device, model: 'Pixel 9' },
      properties: { topic: 'news', nested: [1, 2], extra: true },
    });
    expect(await store.patch(user, 'missing', [{ op: 'replace', path: '/status', value: 'active' }])).toBe(false);
  });

  it.each<[string, ProfilePatchOperation]>([
    ['a failing test', { op: 'test', path: '/provider_key', value: 'apn' }],
    ['a path that does not exist', { op: 'replace', path: '/device/nope/deeper', value: 'x' }],
    ['an unknown op', { op: 'frobnicate', path: '/status' }],
    ['an unknown provider', { op: 'replace', path: '/provider_key', value: 'pigeon' }],
    ['an unknown status', { op: 'replace', path: '/status', value: 'sleepy' }],
    ['a key Courier does not define', { op: 'add', path: '/colour', value: 'blue' }],
    ['removing the provider', { op: 'remove', path: '/provider_key' }],
    ['a new token value', { op: 'replace', path: '/token', value: 'stolen' }],
    ['a prototype path', { op: 'add', path: '/device/__proto__/polluted', value: 'yes' }],
  ])('changes nothing when a patch has %s', async (_name, bad) => {
    await store.put(user, fcmToken, full);
    const before = await store.get(user, fcmToken);
    await expect(
      store.patch(user, fcmToken, [{ op: 'replace', path: '/expiry_date', value: false }, bad]),
    ).rejects.toBeInstanceOf(InvalidDeviceTokenError);
    expect(await store.get(user, fcmToken)).toEqual(before);
    expect(await store.get(user, 'stolen')).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('deletes one token, idempotently', async () => {
    await store.put(user, 'a', { provider_key: 'apn' });
    await store.put(user, 'b', { provider_key: 'apn' });
    expect(await store.delete(user, 'a')).toBe(true);
    expect(await store.delete(user, 'a')).toBe(false);
    expect((await store.list(user)).map((t) => t.token)).toEqual(['b']);
  });

  it('records what a send learned about a token', async () => {
    await store.put(user, 'a', { provider_key: 'firebase-fcm', status_reason: 'stale' });
    expect(await store.setStatus(user, 'a', 'failed', 'UNREGISTERED')).toBe(true);
    expect(await store.get(user, 'a')).toMatchObject({ status: 'failed', status_reason: 'UNREGISTERED' });
    expect(await store.setStatus(user, 'a', 'active')).toBe(true);
    const token = await store.get(user, 'a');
    expect(token?.status).toBe('active');
    expect(token).not.toHaveProperty('status_reason');
    expect(await store.setStatus(user, 'missing', 'failed')).toBe(false);
  });

  it('hands sends only the live tokens of the provider asked for', async () => {
    const now = Date.parse('2030-06-01T00:00:00.000Z');
    const fcm = (expiry_date: string | boolean, extra: Partial<DeviceTokenInput> = {}): DeviceTokenInput => ({
      provider_key: 'firebase-fcm',
      expiry_date,
      ...extra,
    });
    await store.put(user, 'unknown', fcm(future));
    await store.put(user, 'active', fcm(false, { status: 'active' }));
    await store.put(user, 'failed', fcm(future, { status: 'failed' }));
    await store.put(user, 'revoked', fcm(future, { status: 'revoked' }));
    await store.put(user, 'expired', fcm(past, { status: 'active' }));
    await store.put(user, 'expires-at-now', fcm(new Date(now).toISOString()));
    await store.put(user, 'apn', { provider_key: 'apn', expiry_date: false });
    await store.put('other', 'theirs', fcm(false));

    // Written within the same millisecond they may tie on age, so compare the sets.
    expect((await store.activeTokens(user, 'firebase-fcm', now)).sort()).toEqual(['active', 'unknown']);
    expect(await store.activeTokens(user, 'apn', now)).toEqual(['apn']);
    expect(await store.activeTokens(user, 'expo', now)).toEqual([]);
    expect(await store.activeTokens('nobody', 'firebase-fcm', now)).toEqual([]);
  });
});
