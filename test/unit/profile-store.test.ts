import type { HeraldDatabase } from '../../db/database';
import { migrateToLatest } from '../../db/migrations';
import { createProfileStore, ProfilePatchError, type HeraldProfileStore } from '../../db/profiles';
import { describeEachDatabase } from '../helpers/databases';

/** Courier's profile semantics (api-contract §5.1) on each database, with the real migrations. */
describeEachDatabase('profile store', (testDatabase) => {
  let database: HeraldDatabase;
  let store: HeraldProfileStore;

  beforeEach(async () => {
    database = await testDatabase.open();
    await migrateToLatest(database.db);
    store = createProfileStore(database);
  });
  afterEach(() => database.close());

  const user = 'user+1@example.com';

  it('has no profile until one is written', async () => {
    expect(await store.get(user)).toBeUndefined();
    expect(await store.patch(user, [{ op: 'add', path: '/email', value: 'a@example.com' }])).toBe(false);
    expect(await store.get(user)).toBeUndefined();
  });

  it('merges shallowly: top-level keys overwrite, the others are kept, a missing profile is created', async () => {
    await store.merge(user, { email: 'a@example.com', address: { city: 'Oslo', zip: '0150' } });
    await store.merge(user, { phone_number: '+15551234567', address: { city: 'Bergen' } });
    expect(await store.get(user)).toEqual({
      email: 'a@example.com',
      phone_number: '+15551234567',
      address: { city: 'Bergen' },
    });
  });

  it('replaces: keys not supplied are removed', async () => {
    await store.merge(user, { email: 'a@example.com', locale: 'en-US' });
    await store.replace(user, { phone_number: '+15551234567' });
    expect(await store.get(user)).toEqual({ phone_number: '+15551234567' });
    await store.replace('new-user', { email: 'n@example.com' });
    expect(await store.get('new-user')).toEqual({ email: 'n@example.com' });
  });

  it('patches with every RFC 6902 op', async () => {
    await store.replace(user, { email: 'a@example.com', tags: ['x'], name: { first: 'Ada' } });
    expect(
      await store.patch(user, [
        { op: 'test', path: '/email', value: 'a@example.com' },
        { op: 'replace', path: '/email', value: 'b@example.com' },
        { op: 'add', path: '/tags/-', value: 'y' },
        { op: 'copy', from: '/email', path: '/backup_email' },
        { op: 'move', from: '/name/first', path: '/first_name' },
        { op: 'remove', path: '/name' },
        { op: 'add', path: '/custom', value: { n: 1, ok: true } },
      ]),
    ).toBe(true);
    expect(await store.get(user)).toEqual({
      email: 'b@example.com',
      backup_email: 'b@example.com',
      tags: ['x', 'y'],
      first_name: 'Ada',
      custom: { n: 1, ok: true },
    });
  });

  it.each([
    ['a failing test', { op: 'test', path: '/email', value: 'other@example.com' }],
    ['a missing path', { op: 'replace', path: '/nope/deeper', value: 1 }],
    ['an unknown op', { op: 'frobnicate', path: '/email', value: 1 }],
    ['a path without a leading slash', { op: 'add', path: 'email', value: 1 }],
    ['a prototype path', { op: 'add', path: '/__proto__/polluted', value: 1 }],
    ['a constructor value', { op: 'add', path: '/x', value: { constructor: { prototype: {} } } }],
  ])('applies nothing when the patch has %s', async (_name, bad) => {
    const before = { email: 'a@example.com', locale: 'en-US' };
    await store.replace(user, before);
    await expect(
      store.patch(user, [{ op: 'add', path: '/locale', value: 'fr-FR' }, bad as { op: string; path: string }]),
    ).rejects.toBeInstanceOf(ProfilePatchError);
    expect(await store.get(user)).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses prototype keys on merge and replace', async () => {
    const polluted = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    await expect(store.merge(user, polluted)).rejects.toBeInstanceOf(ProfilePatchError);
    await expect(store.replace(user, { a: { constructor: 1 } })).rejects.toBeInstanceOf(ProfilePatchError);
    expect(await store.get(user)).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('deletes idempotently', async () => {
    await store.merge(user, { email: 'a@example.com' });
    await store.merge('other', { email: 'o@example.com' });
    expect(await store.delete(user)).toBe(true);
    expect(await store.delete(user)).toBe(false);
    expect(await store.get(user)).toBeUndefined();
    expect(await store.get('other')).toEqual({ email: 'o@example.com' });
  });
});
