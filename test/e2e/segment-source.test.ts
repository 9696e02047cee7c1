import { segmentMessageId } from '../../activities/providers/segment-reporter';
import { eventually } from '../helpers/ports';
import type { SandboxMessage } from '../helpers/sandbox-client';
import { sendThroughGateway, useStack } from '../helpers/stack';

/**
 * Herald as a Segment source on the real stack: the worker reports what its activities commit (SENT, the final
 * outcome), the gateway what provider webhooks commit (DELIVERED, bounces), both to the sandbox's Tracking API.
 */
describe('Segment source', () => {
  const stack = useStack({ segmentSource: true });

  /** The Segment events the sandbox holds for one user (or anonymous message), once `names` have all arrived. */
  const trackedFor = (who: string, names: string[]) =>
    eventually(
      async () => {
        const events = await stack().providers.messages({ provider: 'segment', to: who });
        const seen = events.map((event) => event.subject);
        return names.every((name) => seen.includes(name)) ? events : undefined;
      },
      20_000,
      `${names.join(', ')} for ${who}`,
    );
  const named = (events: SandboxMessage[], name: string) => events.find((event) => event.subject === name)!;

  it('tracks Message Sent and Message Delivered for an SMS to a user', async () => {
    const userId = 'segment-user-1';
    const id = await sendThroughGateway(stack(), {
      to: { user_id: userId, phone_number: '+15551230101' },
      content: { body: 'Your order has shipped' },
      routing: { method: 'single', channels: ['sms'] },
    });
    expect(await stack().temporal.workflow.getHandle(id).result()).toEqual({ status: 'DELIVERED' });

    const events = await trackedFor(userId, ['Message Sent', 'Message Delivered']);
    expect(events).toHaveLength(2);
    for (const [name, status] of [
      ['Message Sent', 'SENT'],
      ['Message Delivered', 'DELIVERED'],
    ] as const) {
      expect(named(events, name)).toMatchObject({
        id: segmentMessageId(id, status),
        params: {
          type: 'track',
          userId,
          properties: { messageId: id, status, recipient: userId, channel: 'sms', provider: 'twilio' },
        },
      });
    }
  });

  it('tracks Message Opened from the gateway, after the workflow has ended', async () => {
    const userId = 'segment-user-3';
    const id = await sendThroughGateway(stack(), {
      to: { user_id: userId, email: 'reader@example.com' },
      content: { title: 'News', body: 'Something to read' },
      routing: { method: 'single', channels: ['email'] },
    });
    expect(await stack().temporal.workflow.getHandle(id).result()).toEqual({ status: 'DELIVERED' });
    const record = await fetch(`${stack().gatewayUrl}/messages/${id}`, {
      headers: { authorization: `Bearer ${stack().apiKey}` },
    }).then((response) => response.json() as Promise<{ providers: Array<{ reference: Record<string, string> }> }>);

    // Only the gateway hears an open: the sandbox posts it as a signed SendGrid event.
    const opened = await fetch(`${stack().sandboxUrl}/sandbox/sendgrid/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messageId: record.providers[0]!.reference['x-message-id'], event: 'open' }),
    });
    expect(((await opened.json()) as { responseStatus: number }).responseStatus).toBe(204);

    const events = await trackedFor(userId, ['Message Sent', 'Message Delivered', 'Message Opened']);
    expect(named(events, 'Message Opened').params).toMatchObject({
      properties: { messageId: id, status: 'OPENED', channel: 'email', provider: 'sendgrid' },
    });
  });

  it('tracks Message Undeliverable when SendGrid reports a bounce', async () => {
    const userId = 'segment-user-2';
    const id = await sendThroughGateway(stack(), {
      to: { user_id: userId, email: 'bounce@example.com' },
      content: { title: 'Hello', body: 'Nobody reads this' },
      routing: { method: 'single', channels: ['email'] },
    });
    expect(await stack().temporal.workflow.getHandle(id).result()).toMatchObject({ status: 'UNDELIVERABLE' });

    const events = await trackedFor(userId, ['Message Sent', 'Message Undeliverable']);
    expect(events.map((event) => event.subject)).not.toContain('Message Delivered');
    expect(named(events, 'Message Undeliverable')).toMatchObject({
      id: segmentMessageId(id, 'UNDELIVERABLE'),
      params: {
        userId,
        properties: { messageId: id, status: 'UNDELIVERABLE', channel: 'email', provider: 'sendgrid' },
      },
    });
  });
});
