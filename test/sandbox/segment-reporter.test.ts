import type { StatusChange } from '../../activities/lifecycle-events';
import {
  createSegmentReporter,
  segmentMessageId,
  type SegmentReporter,
  type SegmentReporterSettings,
} from '../../activities/providers/segment-reporter';
import { sandboxCredentials } from '../../apps/sandbox/credentials';
import type { MessageRecord } from '../../domain/message';
import { messagesOf, requestsOf, startSandbox } from './helpers';

/** Herald as a Segment source: the real analytics-node client against the sandbox's Tracking API. */
describe(createSegmentReporter.name, () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let warnings: Array<Record<string, unknown>>;
  const logger = { warn: (details: Record<string, unknown>) => void warnings.push(details) };

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  beforeEach(() => {
    warnings = [];
  });
  afterEach(() => sandbox.reset());
  afterAll(() => sandbox.close());

  function reporter(settings: Partial<SegmentReporterSettings> = {}): SegmentReporter {
    return createSegmentReporter(
      {
        writeKey: sandboxCredentials.segment.writeKey,
        host: `${sandbox.base}/segment`,
        maxRetries: 0,
        ...settings,
      },
      logger,
    );
  }

  const record: MessageRecord = {
    id: '1-65f00000-000000000000000000000001',
    status: 'DELIVERED',
    enqueued: Date.parse('2024-03-12T10:00:00Z'),
    sent: Date.parse('2024-03-12T10:00:01Z'),
    delivered: Date.parse('2024-03-12T10:00:05Z'),
    recipient: 'user-42',
    event: 'ORDER_SHIPPED',
    notification: 'order-shipped',
    providers: [
      {
        channel: { key: 'email', name: 'Email', template: '' },
        provider: 'sendgrid',
        status: 'UNDELIVERABLE',
        error: 'sendgrid: bounce',
      },
      { channel: { key: 'sms', name: 'SMS', template: '' }, provider: 'twilio', status: 'DELIVERED' },
    ],
  };
  const delivered: StatusChange = { status: 'DELIVERED', at: record.delivered!, record };

  it('tracks a status change as `Message <Status>` for the recipient, with the message in the properties', async () => {
    const segment = reporter();
    segment.messageStatusChanged(delivered);
    await segment.close(5000);

    const [event, ...others] = await messagesOf(sandbox.base, '?provider=segment');
    expect(others).toEqual([]);
    expect(event).toMatchObject({
      id: segmentMessageId(record.id, 'DELIVERED'),
      to: 'user-42',
      subject: 'Message Delivered',
      params: {
        type: 'track',
        userId: 'user-42',
        event: 'Message Delivered',
        messageId: segmentMessageId(record.id, 'DELIVERED'),
        timestamp: '2024-03-12T10:00:05.000Z',
        properties: {
          messageId: record.id,
          status: 'DELIVERED',
          recipient: 'user-42',
          event: 'ORDER_SHIPPED',
          template: 'order-shipped',
          channel: 'sms',
          provider: 'twilio',
        },
      },
    });
    expect((event!.params as { properties: object }).properties).not.toHaveProperty('error');
    const [request] = await requestsOf(sandbox.base, 'segment');
    expect(request).toMatchObject({ path: '/segment/v1/batch', status: 200 });
    expect(warnings).toEqual([]);
  });

  it('names every lifecycle status, under a configurable prefix', async () => {
    const segment = reporter({ eventPrefix: 'Notification', flushAt: 6 });
    const undeliverable = { ...record, status: 'UNDELIVERABLE' as const, reason: 'BOUNCED' as const };
    const statuses = ['SENT', 'DELIVERED', 'OPENED', 'CLICKED', 'UNDELIVERABLE', 'UNROUTABLE'] as const;
    for (const status of statuses) {
      segment.messageStatusChanged({ status, at: 1_710_237_600_000, record: { ...undeliverable, status } });
    }
    await segment.close(5000);

    const events = await messagesOf(sandbox.base, '?provider=segment');
    expect(events.map((event) => event.subject)).toEqual([
      'Notification Sent',
      'Notification Delivered',
      'Notification Opened',
      'Notification Clicked',
      'Notification Undeliverable',
      'Notification Unroutable',
    ]);
    expect(new Set(events.map((event) => event.id)).size).toBe(statuses.length);
    expect(events[4]!.params).toMatchObject({
      properties: { status: 'UNDELIVERABLE', reason: 'BOUNCED', channel: 'email', error: 'sendgrid: bounce' },
    });
    expect(await requestsOf(sandbox.base, 'segment')).toHaveLength(1); // one batch of six
  });

  it('reports the same change under the same messageId, so a second report (a retry, the other process) is dropped', async () => {
    for (let copy = 0; copy < 2; copy++) {
      const segment = reporter();
      segment.messageStatusChanged(delivered);
      await segment.close(5000);
    }
    expect(await requestsOf(sandbox.base, 'segment')).toHaveLength(2);
    const events = await messagesOf(sandbox.base, '?provider=segment');
    expect(events.map((event) => event.id)).toEqual([segmentMessageId(record.id, 'DELIVERED')]);
  });

  it('tracks a message without a user id as its own anonymous visitor', async () => {
    const segment = reporter();
    segment.messageStatusChanged({ status: 'SENT', at: record.sent!, record: { ...record, recipient: '' } });
    await segment.close(5000);

    const [event] = await messagesOf(sandbox.base, '?provider=segment');
    expect(event!.params).toMatchObject({ anonymousId: record.id, properties: { messageId: record.id } });
    expect(event!.params).not.toHaveProperty('userId');
    expect((event!.params as { properties: object }).properties).not.toHaveProperty('recipient');
  });

  it('logs a refused batch without throwing, and without the write key', async () => {
    const writeKey = 'wrong-segment-write-key';
    const segment = reporter({ writeKey });
    expect(() => segment.messageStatusChanged(delivered)).not.toThrow();
    await segment.close(5000);

    expect(await messagesOf(sandbox.base, '?provider=segment')).toEqual([]);
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'delivery_failure', segmentMessageId: segmentMessageId(record.id, 'DELIVERED') }),
    ]);
    expect(JSON.stringify(warnings)).not.toContain(writeKey);
  });
});
