import { sendThroughGateway, useStack } from '../helpers/stack';

/** The seed's priority fallback, on the real stack: push → email → sms, provider and channel failover. */
describe('priority routing and failover', () => {
  const stack = useStack();

  async function deliver(message: object) {
    const requestId = await sendThroughGateway(stack(), message);
    const result = await stack().temporal.workflow.getHandle(requestId).result();
    const record = (await (
      await fetch(`${stack().gatewayUrl}/messages/${requestId}`, {
        headers: { authorization: `Bearer ${stack().apiKey}` },
      })
    ).json()) as { providers: Array<{ provider: string; status: string }> };
    return { result, attempts: record.providers.map((p) => [p.provider, p.status]) };
  }

  const seed = { content: { title: 'Your order', body: 'Order {{id}} is on its way' }, data: { id: 'A-7' } };
  const priority = { method: 'single', channels: ['push', 'email', 'sms'] };

  it('skips push for a recipient without a device token and delivers by email', async () => {
    const { result, attempts } = await deliver({
      ...seed,
      to: { email: 'ada@example.com', phone_number: '+15552220001' },
      routing: priority,
    });
    expect(result).toEqual({ status: 'DELIVERED' });
    expect(attempts).toEqual([['sendgrid', 'DELIVERED']]);
    expect(await stack().providers.messages({ provider: 'twilio' })).toHaveLength(0);
  });

  it('uses push first when the recipient has a device token', async () => {
    const { result, attempts } = await deliver({
      ...seed,
      to: { firebaseToken: 'device-1', email: 'ada@example.com' },
      routing: priority,
    });
    expect(result).toEqual({ status: 'SENT' });
    expect(attempts).toEqual([['firebase-fcm', 'SENT']]);
  });

  it('sends over SMTP when SendGrid keeps failing until the (short) provider timeout', async () => {
    await stack().providers.inject({ provider: 'sendgrid', status: 503, count: 1000 });
    const { attempts } = await deliver({
      ...seed,
      to: { email: 'ada@example.com', phone_number: '+15552220002' },
      routing: priority,
      timeout: { provider: { sendgrid: 3_000 } },
    });
    expect(attempts).toEqual([
      ['sendgrid', 'UNDELIVERABLE'],
      ['smtp', 'SENT'],
    ]);
    const [mail] = await stack().providers.messages({ provider: 'smtp' });
    expect(mail).toMatchObject({ to: 'ada@example.com', subject: 'Your order', body: 'Order A-7 is on its way' });
  }, 60_000);

  it('falls back to SMS when every email provider rejects the message for good', async () => {
    await stack().providers.inject({ provider: 'sendgrid', status: 400, count: 1 });
    const { result, attempts } = await deliver({
      ...seed,
      to: { email: 'reject-permanent@example.com', phone_number: '+15552220003' },
      routing: priority,
    });
    expect(result).toEqual({ status: 'DELIVERED' });
    expect(attempts).toEqual([
      ['sendgrid', 'UNDELIVERABLE'],
      ['smtp', 'UNDELIVERABLE'],
      ['twilio', 'DELIVERED'],
    ]);
  });
});
