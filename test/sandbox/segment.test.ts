import { Analytics } from '@segment/analytics-node';
import { sandboxCredentials } from '../../apps/sandbox/credentials';
import { messagesOf, requestsOf, startSandbox } from './helpers';

const writeKey = sandboxCredentials.segment.writeKey;

describe('sandbox: Segment through @segment/analytics-node', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterEach(() => sandbox.reset());
  afterAll(() => sandbox.close());

  function analytics(key: string = writeKey): { client: Analytics; errors: unknown[] } {
    const client = new Analytics({
      writeKey: key,
      host: sandbox.base,
      path: '/segment/v1/batch',
      flushAt: 1,
      maxRetries: 0,
    });
    const errors: unknown[] = [];
    client.on('error', (error) => errors.push(error));
    return { client, errors };
  }

  it('records a track event', async () => {
    const { client, errors } = analytics();
    client.track({ userId: 'u1', event: 'Notification Sent', properties: { channel: 'sms' }, messageId: 'm-1' });
    await client.closeAndFlush({ timeout: 5000 });

    expect(errors).toEqual([]);
    const listed = await messagesOf(sandbox.base, '?provider=segment');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      id: 'm-1',
      provider: 'segment',
      channel: 'analytics',
      to: 'u1',
      subject: 'Notification Sent',
      status: 'received',
      params: { type: 'track', event: 'Notification Sent', properties: { channel: 'sms' }, userId: 'u1' },
    });
    expect(listed[0]!.params).not.toHaveProperty('writeKey');
    const [request] = await requestsOf(sandbox.base, 'segment');
    expect(request).toMatchObject({ path: '/segment/v1/batch', status: 200, body: { writeKey: '[redacted]' } });
  });

  it('records identify and group events too, once per messageId', async () => {
    const { client } = analytics();
    client.identify({ userId: 'u2', traits: { email: 'u2@example.com' } });
    client.group({ userId: 'u2', groupId: 'g1', traits: { name: 'Acme' } });
    await client.closeAndFlush({ timeout: 5000 });

    const listed = await messagesOf(sandbox.base, '?to=u2');
    expect(listed.map((m) => (m.params as { type: string }).type)).toEqual(['identify', 'group']);

    // A replayed event (same messageId) is not recorded twice.
    const replay = await fetch(`${sandbox.base}/segment/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writeKey, userId: 'u2', event: 'Again', messageId: listed[0]!.id }),
    });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ success: true });
    expect(await messagesOf(sandbox.base, '?to=u2')).toHaveLength(2);
  });

  it('rejects a wrong write key with 401 and records nothing', async () => {
    const { client, errors } = analytics('wrong-key');
    client.track({ userId: 'u1', event: 'Nope' });
    await client.closeAndFlush({ timeout: 5000 });

    expect(errors).toHaveLength(1);
    expect(await messagesOf(sandbox.base)).toHaveLength(0);
    const requests = await requestsOf(sandbox.base, 'segment');
    expect(requests.map((r) => r.status)).toEqual([401]);
  });
});
