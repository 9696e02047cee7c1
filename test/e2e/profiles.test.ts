import Courier from '@trycourier/courier';
import { CourierClient as CourierClientV6, CourierError } from 'courier-v6';
import { CourierClient as courierClientV5 } from 'courier-v5';
import { describeEachStack } from '../helpers/stack';

/** Courier's `/profiles/{user_id}` (api-contract §5.1) over real HTTP, through the official SDKs, on the real stack. */
describeEachStack('profiles', (stack) => {
  const v7 = () => new Courier({ apiKey: stack().apiKey, baseURL: stack().gatewayUrl, maxRetries: 0 });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${stack().gatewayUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${stack().apiKey}`, 'content-type': 'application/json', ...init.headers },
    });

  it('merges, reads, replaces, patches and deletes through the v7 SDK, with + and @ in the user id', async () => {
    const client = v7();
    const user = 'ada+v7@example.com';
    expect(await client.profiles.create(user, { profile: { email: 'ada@example.com', locale: 'en-US' } })).toEqual({
      status: 'SUCCESS',
    });
    await client.profiles.create(user, { profile: { phone_number: '+15551234567', locale: 'fr-FR' } });
    expect(await client.profiles.retrieve(user)).toEqual({
      profile: { email: 'ada@example.com', phone_number: '+15551234567', locale: 'fr-FR' },
    });

    expect(await client.profiles.replace(user, { profile: { email: 'ada@example.org' } })).toEqual({
      status: 'SUCCESS',
    });
    expect((await client.profiles.retrieve(user)).profile).toEqual({ email: 'ada@example.org' });

    await client.profiles.update(user, {
      patch: [
        { op: 'test', path: '/email', value: 'ada@example.org' },
        { op: 'add', path: '/phone_number', value: '+15550000007' },
        { op: 'add', path: '/backup', value: 'ada@example.org' },
      ],
    });
    expect((await client.profiles.retrieve(user)).profile).toEqual({
      email: 'ada@example.org',
      phone_number: '+15550000007',
      backup: 'ada@example.org',
    });

    // Stored under the id exactly as sent: `+` is not a space, and percent-encoded reads find the same profile.
    const encoded = await api(`/profiles/${encodeURIComponent(user)}`);
    expect(encoded.status).toBe(200);
    expect(((await encoded.json()) as { profile: unknown }).profile).toMatchObject({ email: 'ada@example.org' });
    expect((await api('/profiles/ada%20v7@example.com')).status).toBe(404);

    await client.profiles.delete(user);
    await expect(client.profiles.retrieve(user)).rejects.toBeInstanceOf(Courier.NotFoundError);
    await client.profiles.delete(user); // idempotent
  });

  it('refuses a bad JSON Patch with 400 and leaves the profile as it was', async () => {
    const client = v7();
    const user = 'patch:bad@example.com';
    await client.profiles.replace(user, { profile: { email: 'a@example.com', locale: 'en-US' } });

    for (const patch of [
      [
        { op: 'replace', path: '/locale', value: 'fr-FR' },
        { op: 'test', path: '/email', value: 'other' },
      ],
      [
        { op: 'replace', path: '/locale', value: 'fr-FR' },
        { op: 'remove', path: '/missing/deeper' },
      ],
      [
        { op: 'replace', path: '/locale', value: 'fr-FR' },
        { op: 'frobnicate', path: '/email' },
      ],
      [{ op: 'add', path: '/__proto__/polluted', value: 'yes' }],
    ]) {
      const response = await api(`/profiles/${encodeURIComponent(user)}`, {
        method: 'PATCH',
        body: JSON.stringify({ patch }),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ message: expect.any(String), type: 'invalid_request_error' });
    }
    await expect(
      client.profiles.update(user, { patch: [{ op: 'test', path: '/email', value: 'nope' }] }),
    ).rejects.toBeInstanceOf(Courier.BadRequestError);
    expect((await client.profiles.retrieve(user)).profile).toEqual({ email: 'a@example.com', locale: 'en-US' });
  });

  it('validates bodies and answers 404 for unknown profiles', async () => {
    const client = v7();
    await expect(client.profiles.retrieve('nobody@example.com')).rejects.toBeInstanceOf(Courier.NotFoundError);
    const patched = await api('/profiles/nobody', {
      method: 'PATCH',
      body: JSON.stringify({ patch: [{ op: 'add', path: '/email', value: 'x@example.com' }] }),
    });
    expect(patched.status).toBe(404);
    expect(await patched.json()).toEqual({ message: expect.any(String), type: 'invalid_request_error' });
    expect((await api('/profiles/nobody')).status).toBe(404);

    for (const [method, body] of [
      ['POST', { profile: 'not an object' }],
      ['POST', { profile: [1, 2] }],
      ['PUT', {}],
      ['PATCH', { patch: { op: 'add' } }],
      ['PATCH', [{ op: 'add', path: '/email', value: 'x' }]],
    ] as const) {
      const response = await api('/profiles/validation', { method, body: JSON.stringify(body) });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ message: expect.any(String), type: 'invalid_request_error' });
    }
    expect((await api('/profiles/validation')).status).toBe(404);
    expect((await api('/profiles/nobody', { method: 'DELETE' })).status).toBe(204);
  });

  it('works with the v6 SDK', async () => {
    const client = new CourierClientV6({ authorizationToken: stack().apiKey, baseUrl: stack().gatewayUrl });
    const user = 'grace+v6@example.com';
    expect(await client.profiles.create(user, { profile: { email: 'grace@example.com' } })).toEqual({
      status: 'SUCCESS',
    });
    await client.profiles.create(user, { profile: { locale: 'en-GB' } });
    expect((await client.profiles.get(user)).profile).toEqual({ email: 'grace@example.com', locale: 'en-GB' });
    await client.profiles.replace(user, { profile: { phone_number: '+15550000006' } });
    expect((await client.profiles.get(user)).profile).toEqual({ phone_number: '+15550000006' });
    await client.profiles.mergeProfile(user, { patch: [{ op: 'add', path: '/email', value: 'g@example.com' }] });
    expect((await client.profiles.get(user)).profile).toEqual({
      phone_number: '+15550000006',
      email: 'g@example.com',
    });
    await client.profiles.delete(user);
    const missing = await client.profiles.get(user).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(CourierError);
    expect((missing as CourierError).statusCode).toBe(404);
  });

  it('works with the classic v5 client', async () => {
    const client = courierClientV5({ authorizationToken: stack().apiKey, baseUrl: stack().gatewayUrl });
    const recipientId = 'linus+v5@example.com';
    expect(await client.mergeProfile({ recipientId, profile: { email: 'linus@example.com' } })).toEqual({
      status: 'SUCCESS',
    });
    await client.mergeProfile({ recipientId, profile: { locale: 'fi-FI' } });
    expect((await client.getProfile({ recipientId })).profile).toEqual({ email: 'linus@example.com', locale: 'fi-FI' });
    expect(await client.replaceProfile({ recipientId, profile: { locale: 'sv-SE' } })).toEqual({ status: 'SUCCESS' });
    expect((await client.getProfile({ recipientId })).profile).toEqual({ locale: 'sv-SE' });
    await client.deleteProfile({ recipientId });
    await expect(client.getProfile({ recipientId })).rejects.toThrow();
  });
});
