import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Courier from '@trycourier/courier';
import { eventually } from '../helpers/ports';
import { describeEachStack, sendThroughGateway, type Stack } from '../helpers/stack';

const orderConfirmation = JSON.parse(
  readFileSync(join(__dirname, '../../examples/templates/ORDER_CONFIRMATION.json'), 'utf8'),
) as { id: string };

/**
 * What a send to a `user_id` becomes at send time, on the real stack and each database: the stored profile and
 * device tokens route it, preferences may stop or narrow it, a stored template writes it.
 */
describeEachStack('sends to stored recipients', (stack) => {
  const v7 = () => new Courier({ apiKey: stack().apiKey, baseURL: stack().gatewayUrl, maxRetries: 0 });
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack().gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${stack().apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    return response.status === 204 ? undefined : response.json();
  };

  /** Waits until the message has a final status (or a delivery), and returns its record. */
  const settled = (s: Stack, id: string, statuses: string[]) =>
    eventually(
      async () => {
        const response = await fetch(`${s.gatewayUrl}/messages/${id}`, {
          headers: { authorization: `Bearer ${s.apiKey}` },
        });
        const record = response.ok ? ((await response.json()) as { status: string; reason?: string }) : undefined;
        return record && statuses.includes(record.status) ? record : undefined;
      },
      30_000,
      `message ${id} in ${statuses.join('/')}`,
    );

  it('routes a send to a user_id alone from the stored profile, to email and SMS', async () => {
    const user = 'user-routed';
    await v7().profiles.create(user, { profile: { email: 'routed@example.com', phone_number: '+15550001001' } });
    const id = await sendThroughGateway(stack(), {
      to: { user_id: user },
      content: { title: 'Hello', body: 'Hi {{profile.email}}' },
      routing: { method: 'all', channels: ['email', 'sms'] },
    });
    await settled(stack(), id, ['DELIVERED']);
    const [email] = await eventually(async () => {
      const found = await stack().providers.messages({ to: 'routed@example.com' });
      return found.length ? found : undefined;
    });
    expect(email).toMatchObject({ provider: 'sendgrid', body: 'Hi routed@example.com' });
    const [sms] = await stack().providers.messages({ to: '+15550001001' });
    expect(sms).toMatchObject({ provider: 'twilio', body: 'Hi routed@example.com' });
  });

  it('merges inline recipient keys over the stored profile for that send only', async () => {
    const user = 'user-inline';
    await v7().profiles.create(user, { profile: { email: 'stored@example.com', name: 'Stored' } });
    const id = await sendThroughGateway(stack(), {
      to: { user_id: user, email: 'inline@example.com' },
      content: { title: 'Hi {{profile.name}}', body: 'x' },
      routing: { method: 'single', channels: ['email'] },
    });
    await settled(stack(), id, ['SENT', 'DELIVERED']);
    const [email] = await stack().providers.messages({ provider: 'sendgrid', to: 'inline@example.com' });
    expect(email.subject).toBe('Hi Stored');
    expect(await stack().providers.messages({ to: 'stored@example.com' })).toEqual([]);
    expect((await v7().profiles.retrieve(user)).profile).toEqual({ email: 'stored@example.com', name: 'Stored' });
  });

  it('reaches a user by push through a registered device token', async () => {
    const user = 'user-push';
    await v7().users.tokens.addSingle('fcm-token-e2e-1', { user_id: user, provider_key: 'firebase-fcm' });
    const id = await sendThroughGateway(stack(), {
      to: { user_id: user },
      content: { title: 'Ping', body: 'Pong' },
      routing: { method: 'single', channels: ['push'] },
    });
    await settled(stack(), id, ['SENT', 'DELIVERED']);
    const [push] = await stack().providers.messages({ provider: 'firebase-fcm' });
    expect(push).toMatchObject({ to: 'fcm-token-e2e-1', subject: 'Ping', body: 'Pong' });
  });

  it('respects an opt-out, sends a REQUIRED topic anyway, and restricts channels to custom routing', async () => {
    const user = 'user-prefs';
    await v7().profiles.create(user, { profile: { email: 'prefs@example.com', phone_number: '+15550001002' } });
    await api('PUT', '/topics/order-updates', { name: 'Order updates', default_status: 'OPTED_IN' });
    await api('PUT', '/topics/security', { name: 'Security', default_status: 'REQUIRED' });
    await api('PUT', '/topics/newsletter', { name: 'Newsletter', default_status: 'OPTED_OUT' });
    await api('PUT', '/topics/tips', { name: 'Tips', default_status: 'OPTED_IN' });
    await v7().users.preferences.updateOrCreateTopic('order-updates', {
      user_id: user,
      topic: { status: 'OPTED_OUT' },
    });
    await v7().users.preferences.updateOrCreateTopic('security', { user_id: user, topic: { status: 'OPTED_OUT' } });
    await v7().users.preferences.updateOrCreateTopic('tips', {
      user_id: user,
      topic: { status: 'OPTED_IN', has_custom_routing: true, custom_routing: ['sms'] },
    });
    const send = (topic: string) =>
      sendThroughGateway(stack(), {
        to: { user_id: user },
        content: { title: topic, body: `about ${topic}` },
        routing: { method: 'single', channels: ['email', 'sms'] },
        preferences: { subscription_topic_id: topic },
      });

    const optedOut = await send('order-updates');
    expect(await settled(stack(), optedOut, ['FILTERED'])).toMatchObject({ reason: 'UNSUBSCRIBED' });
    const optInRequired = await send('newsletter');
    expect(await settled(stack(), optInRequired, ['FILTERED'])).toMatchObject({ reason: 'OPT_IN_REQUIRED' });
    const required = await send('security');
    await settled(stack(), required, ['SENT', 'DELIVERED']);
    const tips = await send('tips');
    await settled(stack(), tips, ['DELIVERED']);

    const received = await stack().providers.messages();
    expect(received.map((m) => `${m.provider}:${m.body}`).sort()).toEqual([
      'sendgrid:about security',
      'twilio:about tips',
    ]);
  });

  it('renders ORDER_CONFIRMATION with its items in the email and the SMS, routed by the template', async () => {
    await api('PUT', `/templates/${orderConfirmation.id}`, orderConfirmation);
    const user = 'user-order';
    await v7().profiles.create(user, { profile: { email: 'order@example.com', phone_number: '+15550001003' } });
    const id = await sendThroughGateway(stack(), {
      to: { user_id: user },
      template: 'ORDER_CONFIRMATION',
      data: {
        customer_name: 'Grace',
        order_id: 'ORD-4242',
        total: 149.99,
        items: [
          { name: 'Espresso beans', qty: 2 },
          { name: 'Milk frother', qty: 1 },
        ],
      },
    });
    await settled(stack(), id, ['DELIVERED']);
    const [email] = await eventually(async () => {
      const found = await stack().providers.messages({ provider: 'sendgrid', to: 'order@example.com' });
      return found.length ? found : undefined;
    });
    expect(email.subject).toBe('Your order ORD-4242 is confirmed');
    expect(email.html).toContain('<tr><td>Espresso beans</td><td align="right">2</td></tr>');
    expect(email.html).toContain('<tr><td>Milk frother</td><td align="right">1</td></tr>');
    expect(email.html).toContain('Total: <strong>$149.99</strong>');
    expect(email.body).toContain('- 2 x Espresso beans\n- 1 x Milk frother');
    const [sms] = await stack().providers.messages({ provider: 'twilio', to: '+15550001003' });
    expect(sms.body).toBe('Hi Grace, order ORD-4242 is confirmed: 2x Espresso beans, 1x Milk frother. Total $149.99.');
  });

  it("merges the tenant's user_profile and the membership profile under the user's, and fans out to a tenant", async () => {
    await api('PUT', '/tenants/acme', { name: 'Acme', user_profile: { company: 'Acme Inc', role: 'member' } });
    await v7().profiles.create('acme-admin', { profile: { phone_number: '+15550001101' } });
    await v7().profiles.create('acme-staff', { profile: { phone_number: '+15550001102', company: 'Acme Labs' } });
    await api('PUT', '/users/acme-admin/tenants/acme', { profile: { role: 'admin' } });
    await api('PUT', '/users/acme-staff/tenants/acme', {});
    const message = {
      content: { body: 'Hi {{profile.role}} at {{profile.company}}' },
      routing: { method: 'single', channels: ['sms'] },
    };

    const one = await sendThroughGateway(stack(), { ...message, to: { user_id: 'acme-admin', tenant_id: 'acme' } });
    await settled(stack(), one, ['DELIVERED']);
    const [admin] = await stack().providers.messages({ to: '+15550001101' });
    expect(admin.body).toBe('Hi admin at Acme Inc');

    await stack().providers.clear();
    await sendThroughGateway(stack(), { ...message, to: { tenant_id: 'acme' } });
    const fanned = await eventually(async () => {
      const sms = await stack().providers.messages({ provider: 'twilio' });
      return sms.length >= 2 ? sms : undefined;
    });
    expect(fanned.map((m) => `${m.to}: ${m.body}`).sort()).toEqual([
      '+15550001101: Hi admin at Acme Inc',
      '+15550001102: Hi member at Acme Labs',
    ]);
  });

  it('ends UNMAPPED for a template Herald does not know, and sends nothing', async () => {
    const id = await sendThroughGateway(stack(), { to: { email: 'nobody@example.com' }, template: 'NO_SUCH_TEMPLATE' });
    await settled(stack(), id, ['UNMAPPED']);
    expect(await stack().providers.messages()).toEqual([]);
  });
});
