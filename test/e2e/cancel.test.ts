import Courier from '@trycourier/courier';
import { eventually } from '../helpers/ports';
import { sendThroughGateway, useStack } from '../helpers/stack';

/** `message.delay` and `POST /messages/{id}/cancel` on the real stack, through plain HTTP and the v7 SDK. */
describe('delaying and cancelling', () => {
  const stack = useStack();

  const headers = () => ({ authorization: `Bearer ${stack().apiKey}`, 'content-type': 'application/json' });

  const send = (message: object) => sendThroughGateway(stack(), message);

  it('holds a delayed message as DELAYED and cancels it before anything is sent', async () => {
    const id = await send({
      to: { phone_number: '+15551110000' },
      content: { body: 'later' },
      routing: { method: 'single', channels: ['sms'] },
      delay: { duration: 3_600_000 },
    });
    const client = new Courier({ apiKey: stack().apiKey, baseURL: stack().gatewayUrl, maxRetries: 0 });
    await eventually(async () => ((await client.messages.retrieve(id)).status === 'DELAYED' ? true : undefined));

    const canceled = await client.messages.cancel(id);
    expect(canceled).toMatchObject({ id, status: 'CANCELED', canceledAt: expect.any(Number) });
    expect(await stack().temporal.workflow.getHandle(id).result()).toEqual({ status: 'CANCELED' });
    expect((await client.messages.retrieve(id)).status).toBe('CANCELED');
    expect(await stack().providers.messages({ to: '+15551110000' })).toHaveLength(0);

    // Again: too late now. 409 with the message, and a hint that stops v7 SDKs from retrying.
    const again = await fetch(`${stack().gatewayUrl}/messages/${id}/cancel`, { method: 'POST', headers: headers() });
    expect(again.status).toBe(409);
    expect(again.headers.get('x-should-retry')).toBe('false');
    expect(await again.json()).toMatchObject({ id, status: 'CANCELED' });
  });

  it('answers 409 for a message a provider already has, and 404 for an unknown one', async () => {
    const id = await send({
      to: { phone_number: '+15551110001' },
      content: { body: 'now' },
      routing: { method: 'single', channels: ['sms'] },
    });
    await stack().temporal.workflow.getHandle(id).result();
    const late = await fetch(`${stack().gatewayUrl}/messages/${id}/cancel`, { method: 'POST', headers: headers() });
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ id, status: 'DELIVERED' });

    const unknown = await fetch(`${stack().gatewayUrl}/messages/1-00000000-000000000000000000000000/cancel`, {
      method: 'POST',
      headers: headers(),
    });
    expect(unknown.status).toBe(404);
  });

  it('retries an UNDELIVERABLE message as a new run, keeping the failed attempt in its history', async () => {
    await stack().providers.inject({ provider: 'twilio', status: 400, count: 1 });
    const id = await send({
      to: { phone_number: '+15551110002' },
      content: { body: 'again' },
      routing: { method: 'single', channels: ['sms'] },
    });
    const first = stack().temporal.workflow.getHandle(id);
    expect(await first.result()).toEqual({ status: 'UNDELIVERABLE', reason: 'PROVIDER_ERROR' });
    const firstRunId = (await first.describe()).runId;

    const retry = await fetch(`${stack().gatewayUrl}/messages/${id}/retry`, { method: 'POST', headers: headers() });
    expect(retry.status).toBe(202);
    const started = (await retry.json()) as { requestId: string; runId: string; attempt: number };
    expect(started).toMatchObject({ requestId: id, attempt: 2 });
    expect(started.runId).not.toBe(firstRunId);

    expect(await stack().temporal.workflow.getHandle(id, started.runId).result()).toEqual({ status: 'DELIVERED' });
    const record = (await (await fetch(`${stack().gatewayUrl}/messages/${id}`, { headers: headers() })).json()) as any;
    expect(record.status).toBe('DELIVERED');
    expect(record.reason).toBeUndefined();
    expect(record.providers.map((p: { status: string }) => p.status)).toEqual(['UNDELIVERABLE', 'DELIVERED']);

    // Only undeliverable messages can be retried.
    const again = await fetch(`${stack().gatewayUrl}/messages/${id}/retry`, { method: 'POST', headers: headers() });
    expect(again.status).toBe(409);
  });

  it('refuses a condition that does not parse, naming the field', async () => {
    const response = await fetch(`${stack().gatewayUrl}/send`, {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify({
        message: {
          to: { email: 'a@example.com' },
          content: { body: 'x' },
          channels: { email: { if: 'data.plan === ' } },
        },
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      message: expect.stringMatching(/^channels\.email\.if is not a valid condition: .*at character \d+/),
      type: 'invalid_request_error',
    });
  });
});
