import { sendThroughGateway, useStack } from '../helpers/stack';
import { eventually } from '../helpers/ports';

/**
 * Provider webhooks on the real stack: the sandbox posts Twilio status callbacks and SendGrid Event Webhook
 * batches, signed as the providers sign them; the gateway verifies them, updates the message log and signals the
 * workflow. Forged or unsigned requests are refused and change nothing.
 */
describe('provider webhooks', () => {
  const stack = useStack();

  const send = (message: object) => sendThroughGateway(stack(), message);

  async function message(id: string): Promise<any> {
    const response = await fetch(`${stack().gatewayUrl}/messages/${id}`, {
      headers: { authorization: `Bearer ${stack().apiKey}` },
    });
    return response.json();
  }

  const reaches = (id: string, status: string) =>
    eventually(
      async () => {
        const m = await message(id);
        return m.status === status ? m : undefined;
      },
      20_000,
      `${id} to reach ${status}`,
    );

  async function sandboxEvent(messageId: string, event: string) {
    const response = await fetch(`${stack().sandboxUrl}/sandbox/sendgrid/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messageId, event }),
    });
    return (await response.json()) as { responseStatus: number };
  }

  it('moves an email to DELIVERED, OPENED and CLICKED on signed SendGrid events, also after the workflow ended', async () => {
    const id = await send({
      to: { email: 'ada@example.com' },
      content: { title: 'Hi', body: 'Hello' },
      routing: { method: 'single', channels: ['email'] },
    });
    const delivered = await reaches(id, 'DELIVERED');
    expect(await stack().temporal.workflow.getHandle(id).result()).toEqual({ status: 'DELIVERED' });
    const xMessageId = delivered.providers[0].reference['x-message-id'];

    expect((await sandboxEvent(xMessageId, 'open')).responseStatus).toBe(204);
    await reaches(id, 'OPENED');
    expect((await sandboxEvent(xMessageId, 'click')).responseStatus).toBe(204);
    const clicked = await reaches(id, 'CLICKED');
    expect(clicked.opened).toBeLessThanOrEqual(clicked.clicked);
    // A duplicate (SendGrid retries) and a late, out-of-order open change nothing.
    await sandboxEvent(xMessageId, 'click');
    await sandboxEvent(xMessageId, 'open');
    expect((await message(id)).status).toBe('CLICKED');
  });

  it('refuses forged and unsigned SendGrid batches and changes nothing', async () => {
    const id = await send({
      to: { email: 'grace@example.com' },
      content: { body: 'x' },
      routing: { method: 'single', channels: ['email'] },
    });
    await reaches(id, 'DELIVERED');
    const body = JSON.stringify([
      { event: 'click', herald_message_id: id, sg_message_id: 'forged.1', email: 'grace@example.com' },
    ]);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const attempts: Array<{ headers: Record<string, string>; expected: number }> = [
      { headers: {}, expected: 401 },
      {
        headers: {
          'X-Twilio-Email-Event-Webhook-Signature':
            'MEUCIQDforgedforgedforgedforgedforgedforgedforgedforgedAiBforgedforgedforgedforged==',
          'X-Twilio-Email-Event-Webhook-Timestamp': timestamp,
        },
        expected: 403,
      },
    ];
    for (const attempt of attempts) {
      const response = await fetch(`${stack().gatewayUrl}/webhooks/sendgrid`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...attempt.headers },
        body,
      });
      expect(response.status).toBe(attempt.expected);
      expect(await response.json()).toMatchObject({ type: 'authentication_error' });
    }
    expect((await message(id)).status).toBe('DELIVERED');
  });

  it('fails over to SMS when SendGrid reports a bounce, without trying another email provider', async () => {
    const id = await send({
      to: { email: 'bounce@example.com', phone_number: '+15551230000' },
      content: { body: 'Where are you?' },
      routing: { method: 'single', channels: ['email', 'sms'] },
    });
    const result = await stack().temporal.workflow.getHandle(id).result();
    expect(result).toEqual({ status: 'DELIVERED' });
    const record = await message(id);
    expect(record.providers.map((p: { provider: string; status: string }) => [p.provider, p.status])).toEqual([
      ['sendgrid', 'UNDELIVERABLE'],
      ['twilio', 'DELIVERED'],
    ]);
    expect(record.providers[0].error).toContain('bounce');
    expect(await stack().providers.messages({ provider: 'smtp' })).toHaveLength(0);
  });

  it('follows an SMS through signed Twilio status callbacks, delivered to the workflow as a signal', async () => {
    const id = await send({
      to: { phone_number: '+15551239999' },
      content: { body: 'cb' },
      routing: { method: 'single', channels: ['sms'] },
    });
    expect(await stack().temporal.workflow.getHandle(id).result()).toEqual({ status: 'DELIVERED' });
    const [sms] = await stack().providers.messages({ provider: 'twilio' });
    expect(sms.params).toMatchObject({ StatusCallback: `${stack().gatewayUrl}/webhooks/twilio?message_id=${id}` });

    const callbacks = (await (
      await fetch(`${stack().sandboxUrl}/sandbox/callbacks?messageId=${sms.id}`)
    ).json()) as Array<{ params: { MessageStatus: string }; responseStatus: number }>;
    expect(callbacks.map((c) => [c.params.MessageStatus, c.responseStatus])).toEqual([
      ['sent', 204],
      ['delivered', 204],
    ]);
    const history = await stack().temporal.workflow.getHandle(id).fetchHistory();
    expect(
      history.events?.some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'providerReport'),
    ).toBe(true);
  });

  it('refuses forged and unsigned Twilio callbacks and changes nothing', async () => {
    const id = await send({
      to: { phone_number: '+15005550010' },
      content: { body: 'x' },
      routing: { method: 'single', channels: ['sms'] },
    });
    await stack().temporal.workflow.getHandle(id).result();
    const before = await message(id);
    const params = new URLSearchParams({ MessageSid: before.providers[0].reference.sid, MessageStatus: 'delivered' });
    for (const [headers, expected] of [
      [{}, 401],
      [{ 'x-twilio-signature': 'bm90IGEgc2lnbmF0dXJl' }, 403],
    ] as const) {
      const response = await fetch(`${stack().gatewayUrl}/webhooks/twilio?message_id=${id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: params.toString(),
      });
      expect(response.status).toBe(expected);
    }
    expect(await message(id)).toEqual(before);
    expect(before.status).toBe('UNDELIVERABLE');
  });

  it('passes a Twilio provider override through to the API and then leaves status tracking to the sender', async () => {
    const id = await send({
      to: { phone_number: '+15551238888' },
      content: { body: 'with override' },
      routing: { method: 'single', channels: ['sms'] },
      providers: {
        twilio: { override: { body: { statusCallback: 'https://hooks.example.com/twilio', validityPeriod: 300 } } },
      },
    });
    expect(await stack().temporal.workflow.getHandle(id).result()).toEqual({ status: 'SENT' });
    const [sms] = await stack().providers.messages({ provider: 'twilio' });
    expect(sms.params).toMatchObject({ StatusCallback: 'https://hooks.example.com/twilio', ValidityPeriod: '300' });
    const history = await stack().temporal.workflow.getHandle(id).fetchHistory();
    expect(history.events?.some((e) => e.timerStartedEventAttributes)).toBe(false);
  });
});
