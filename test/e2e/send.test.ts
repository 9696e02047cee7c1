import Courier from '@trycourier/courier';
import { CourierClient as CourierClientV6 } from 'courier-v6';
import { CourierClient as courierClientV5 } from 'courier-v5';
import { eventually } from '../helpers/ports';
import { useStack } from '../helpers/stack';

/** POST /send and GET /messages/{id} over real HTTP, through the official Courier SDKs, on the real stack(). */
describe('sending through the gateway', () => {
  const stack = useStack();

  /** The seed's first SMS example. */
  const seedSms = (phone = '+15551234567') => ({
    message: {
      to: { user_id: 'user-123', phone_number: phone },
      content: { title: 'Shipped', body: 'Your order {{order_id}} has shipped! Track it at {{tracking_url}}' },
      data: { order_id: 'ORD-9876', tracking_url: 'https://track.example.com/ORD-9876' },
      routing: { method: 'single', channels: ['sms'] },
    },
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${stack().gatewayUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${stack().apiKey}`, 'content-type': 'application/json', ...init.headers },
    });

  async function delivered(requestId: string) {
    return eventually(
      async () => {
        const response = await api(`/messages/${requestId}`);
        const body: any = await response.json();
        return body.status === 'DELIVERED' ? body : undefined;
      },
      30_000,
      `message ${requestId} to be DELIVERED`,
    );
  }

  it('accepts the seed SMS over plain HTTP, delivers it with the variables filled in, and reports DELIVERED', async () => {
    const response = await api('/send', { method: 'POST', body: JSON.stringify(seedSms()) });
    expect(response.status).toBe(202);
    expect(response.headers.get('content-type')).toBe('application/json');
    const { requestId } = (await response.json()) as { requestId: string };
    expect(requestId).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);

    const [sms] = await eventually(async () => {
      const received = await stack().providers.messages({ provider: 'twilio' });
      return received.length > 0 ? received : undefined;
    });
    expect(sms).toMatchObject({
      to: '+15551234567',
      body: 'Your order ORD-9876 has shipped! Track it at https://track.example.com/ORD-9876',
    });

    const message = await delivered(requestId);
    expect(message).toMatchObject({ id: requestId, recipient: 'user-123', status: 'DELIVERED' });
    expect(message.enqueued).toBeLessThanOrEqual(message.sent);
    expect(message.sent).toBeLessThanOrEqual(message.delivered);
    expect(message.providers).toEqual([
      expect.objectContaining({
        channel: expect.objectContaining({ key: 'sms' }),
        provider: 'twilio',
        status: 'DELIVERED',
        reference: { sid: sms.id },
      }),
    ]);

    // The request id is the workflow id: the run is in Temporal, completed, as the Temporal UI shows it.
    const handle = stack().temporal.workflow.getHandle(requestId);
    expect(await handle.result()).toEqual({ status: 'DELIVERED' });
    const description = await handle.describe();
    expect(description.type).toBe('sendMessage');
    expect(description.status.name).toBe('COMPLETED');
  });

  it('works with the official v7 SDK (send.message, messages.retrieve)', async () => {
    const client = new Courier({ apiKey: stack().apiKey, baseURL: stack().gatewayUrl, maxRetries: 0 });
    const { requestId } = await client.send.message(seedSms() as Parameters<typeof client.send.message>[0]);
    await delivered(requestId);
    const message = await client.messages.retrieve(requestId);
    expect(message.status).toBe('DELIVERED');
    const [sms] = await stack().providers.messages({ provider: 'twilio' });
    expect(sms.body).toContain('ORD-9876');
  });

  it('works with the v6 SDK and the classic v5 client', async () => {
    const v6 = new CourierClientV6({ authorizationToken: stack().apiKey, baseUrl: stack().gatewayUrl });
    const { requestId: fromV6 } = await v6.send(seedSms('+15550000006') as Parameters<typeof v6.send>[0]);
    const v5 = courierClientV5({ authorizationToken: stack().apiKey, baseUrl: stack().gatewayUrl });
    const { requestId: fromV5 } = (await v5.send(seedSms('+15550000005') as Parameters<typeof v5.send>[0])) as {
      requestId: string;
    };

    await delivered(fromV6);
    await delivered(fromV5);
    expect((await v5.getMessage(fromV5)).status).toBe('DELIVERED');
    const recipients = (await stack().providers.messages({ provider: 'twilio' })).map((m) => m.to).sort();
    expect(recipients).toEqual(['+15550000005', '+15550000006']);
  });

  it('sends email through SendGrid with the title as subject', async () => {
    const client = new Courier({ apiKey: stack().apiKey, baseURL: stack().gatewayUrl, maxRetries: 0 });
    const { requestId } = await client.send.message({
      message: {
        to: { email: 'ada@example.com' },
        content: { title: 'Welcome, {{name}}', body: 'Hello {{name}}, thanks for joining.' },
        data: { name: 'Ada' },
        routing: { method: 'single', channels: ['email'] },
      },
    });
    const [email] = await eventually(async () => {
      const received = await stack().providers.messages({ provider: 'sendgrid' });
      return received.length > 0 ? received : undefined;
    });
    expect(email).toMatchObject({
      to: 'ada@example.com',
      subject: 'Welcome, Ada',
      body: 'Hello Ada, thanks for joining.',
    });
    // The sandbox reports delivery through SendGrid's signed Event Webhook, which moves the message on.
    const message = await eventually(async () => {
      const m = await client.messages.retrieve(requestId);
      return m.status === 'DELIVERED' ? m : undefined;
    });
    expect(message.providers).toEqual([
      expect.objectContaining({ provider: 'sendgrid', reference: { 'x-message-id': email.id } }),
    ]);
  });

  it('delivers both channels in parallel with routing "all"', async () => {
    const response = await api('/send', {
      method: 'POST',
      body: JSON.stringify({
        message: {
          to: { email: 'ada@example.com', phone_number: '+15551112222' },
          content: { title: 'Hi', body: 'Both ways' },
          routing: { method: 'all', channels: ['email', 'sms'] },
        },
      }),
    });
    const { requestId } = (await response.json()) as { requestId: string };
    await delivered(requestId);
    const received = await stack().providers.messages();
    expect(received.map((m) => m.provider).sort()).toEqual(['sendgrid', 'twilio']);
  });
});
