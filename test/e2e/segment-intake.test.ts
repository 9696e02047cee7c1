import { createHash, randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Analytics } from '@segment/analytics-node';
import { createLogger } from '../../apps/common/logger';
import type { AutomationLauncher, InboundEvent } from '../../apps/gateway/automations/automation-launcher';
import { loadGatewayConfig } from '../../apps/gateway/config';
import { createGatewayApp } from '../../apps/gateway/gateway';
import { openDatabase, type HeraldDatabase } from '../../db/database';
import { createInboundEventStore } from '../../db/inbound-events';
import { createMessageLog } from '../../db/message-log';
import { eventually, freePort } from '../helpers/ports';
import { describeEachStack } from '../helpers/stack';

const WRITE_KEY = 'segment-intake-test-key';

/**
 * Stands in for the automation engine where a test must see what was started. Like the real launcher, it derives
 * run ids from the event, so `started` holds each event once however often it is asked.
 */
class RecordingLauncher implements AutomationLauncher {
  readonly calls: InboundEvent[] = [];
  readonly started = new Map<string, InboundEvent>();

  async startForEvent(event: InboundEvent): Promise<string[]> {
    this.calls.push(event);
    const runId = `run_${createHash('sha256').update(`${event.source}\n${event.messageId}`).digest('hex').slice(0, 24)}`;
    if (!this.started.has(runId)) this.started.set(runId, event);
    return [runId];
  }

  callsFor(messageId: string): InboundEvent[] {
    return this.calls.filter((event) => event.messageId === messageId);
  }
}

/**
 * Segment into Herald both ways users wire it, over real HTTP: the real `@segment/analytics-node` pointed at
 * Herald's Tracking API (`/v1/batch`), Segment's Courier destination (`/inbound/segment`), and Courier's own
 * `POST /inbound/courier`.
 */
describeEachStack(
  'segment intake',
  (stack) => {
    // A second gateway on the stack's database and Temporal, given a launcher the tests can watch and its own write key.
    const launcher = new RecordingLauncher();
    let gatewayUrl: string;
    let app: NestFastifyApplication;
    let database: HeraldDatabase;
    beforeAll(async () => {
      const port = await freePort();
      gatewayUrl = `http://127.0.0.1:${port}`;
      database = openDatabase(stack().databaseAt);
      app = await createGatewayApp({
        config: loadGatewayConfig({
          PORT: String(port),
          TEMPORAL_ADDRESS: stack().temporalAddress,
          HERALD_API_KEYS: stack().apiKey,
          HERALD_SEGMENT_WRITE_KEYS: `other-key, ${WRITE_KEY}`,
        }),
        temporal: stack().temporal,
        database,
        messageLog: createMessageLog(database),
        logger: createLogger('segment-intake-test', 'silent'),
        automations: launcher,
      });
      await app.listen(port, '127.0.0.1');
    });
    afterAll(async () => {
      await app?.close();
      await database?.close();
    });

    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${gatewayUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${stack().apiKey}`, 'content-type': 'application/json', ...init.headers },
      });
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      api(path, { method: 'POST', body: JSON.stringify(body), headers });
    const basic = (writeKey: string) => ({ authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` });
    const unique = (prefix: string) => `${prefix}-${randomUUID()}`;

    /** The profile once it holds `expected` (the write is done before the answer; the poll only guards timing). */
    const profileOf = (userId: string, expected: Record<string, unknown>) =>
      eventually(async () => {
        const response = await api(`/profiles/${encodeURIComponent(userId)}`);
        if (response.status !== 200) return undefined;
        const { profile } = (await response.json()) as { profile: Record<string, unknown> };
        return Object.entries(expected).every(([key, value]) => JSON.stringify(profile[key]) === JSON.stringify(value))
          ? profile
          : undefined;
      }, 5_000);

    /** A real Segment client aimed at this gateway; events go out one request each, without retries. */
    function segmentClient(writeKey = WRITE_KEY) {
      const analytics = new Analytics({ writeKey, host: gatewayUrl, path: '/v1/batch', flushAt: 1, maxRetries: 0 });
      const errors: unknown[] = [];
      analytics.on('error', (error) => errors.push(error));
      return { analytics, errors };
    }

    describe('through @segment/analytics-node (Tracking API)', () => {
      it('merges identify traits into the profile under Courier names', async () => {
        const userId = unique('ada');
        const { analytics, errors } = segmentClient();
        analytics.identify({
          userId,
          traits: {
            email: 'ada@example.com',
            phone: '+15551234567',
            firstName: 'Ada',
            lastName: 'Lovelace',
            plan: 'pro',
          },
        });
        await analytics.closeAndFlush({ timeout: 10_000 });
        expect(errors).toEqual([]);

        const profile = await profileOf(userId, { email: 'ada@example.com' });
        expect(profile).toEqual({
          email: 'ada@example.com',
          phone: '+15551234567',
          phone_number: '+15551234567',
          firstName: 'Ada',
          lastName: 'Lovelace',
          given_name: 'Ada',
          family_name: 'Lovelace',
          name: 'Ada Lovelace',
          plan: 'pro',
        });
        expect(launcher.calls.find((call) => call.userId === userId)).toMatchObject({
          source: 'segment',
          event: 'identify',
          payload: expect.objectContaining({ type: 'identify', userId }),
        });
      });

      it('adds the user of a group call to the tenant, created with the group name', async () => {
        const userId = unique('grace');
        const groupId = unique('acme');
        const { analytics, errors } = segmentClient();
        analytics.group({ userId, groupId, traits: { name: 'Acme Inc.', plan: 'enterprise' } });
        await analytics.closeAndFlush({ timeout: 10_000 });
        expect(errors).toEqual([]);

        const members = await eventually(async () => {
          const response = await api(`/tenants/${groupId}/users`);
          if (response.status !== 200) return undefined;
          const { items } = (await response.json()) as { items: Array<{ user_id: string }> };
          return items.length > 0 ? items : undefined;
        }, 5_000);
        expect(members.map((member) => member.user_id)).toEqual([userId]);
        expect(await (await api(`/tenants/${groupId}`)).json()).toEqual({
          id: groupId,
          name: 'Acme Inc.',
          properties: { plan: 'enterprise' },
        });
      });

      it('starts track/<Event Name> with the whole event and its user as the recipient', async () => {
        const userId = unique('linus');
        const messageId = unique('order');
        const { analytics, errors } = segmentClient();
        analytics.track({ userId, event: 'Order Completed', messageId, properties: { order_id: 'o-1', total: 42 } });
        await analytics.closeAndFlush({ timeout: 10_000 });
        expect(errors).toEqual([]);

        const [call, ...more] = launcher.callsFor(messageId);
        expect(more).toEqual([]);
        expect(call).toEqual({
          source: 'segment',
          messageId,
          event: 'track/Order Completed',
          userId,
          payload: expect.objectContaining({
            type: 'track',
            event: 'Order Completed',
            userId,
            messageId,
            properties: { order_id: 'o-1', total: 42 },
            timestamp: expect.any(String),
            context: expect.objectContaining({ library: expect.objectContaining({ name: '@segment/analytics-node' }) }),
            _metadata: expect.any(Object),
          }),
        });
        expect(call.payload).not.toHaveProperty('writeKey');
        expect(await createInboundEventStore(database).get('segment', messageId)).toMatchObject({
          event: 'track/Order Completed',
          runs: [expect.stringMatching(/^run_/)],
        });
      });

      it('answers 401 to a bad write key and changes nothing', async () => {
        const userId = unique('mallory');
        const { analytics, errors } = segmentClient('not-a-write-key');
        analytics.identify({ userId, traits: { email: 'mallory@example.com' } });
        await analytics.closeAndFlush({ timeout: 10_000 });
        expect(errors).toEqual([expect.objectContaining({ code: 'delivery_failure' })]);

        const identify = { type: 'identify', userId, messageId: unique('m'), traits: { email: 'm@example.com' } };
        for (const headers of [
          basic('not-a-write-key'),
          { authorization: '' },
          { authorization: `Bearer ${stack().apiKey}` },
        ]) {
          const response = await post('/v1/batch', { batch: [identify] }, headers);
          expect(response.status).toBe(401);
          expect(await response.json()).toEqual({ success: false, message: expect.any(String) });
        }
        const wrongBodyKey = await post('/v1/identify', { ...identify, writeKey: 'nope' }, { authorization: '' });
        expect(wrongBodyKey.status).toBe(401);

        expect((await api(`/profiles/${userId}`)).status).toBe(404);
        expect(launcher.calls.filter((call) => call.userId === userId)).toEqual([]);
      });

      it('takes the write key from the body, and the single-event calls', async () => {
        const userId = unique('body-key');
        const noAuth = { authorization: '' };
        const identify = await post(
          '/v1/identify',
          { userId, messageId: unique('m'), traits: { email: 'b@example.com' }, writeKey: WRITE_KEY },
          noAuth,
        );
        expect(identify.status).toBe(200);
        expect(await identify.json()).toEqual({ success: true });
        await profileOf(userId, { email: 'b@example.com' });

        const trackId = unique('m');
        const track = await post('/v1/track', { userId, messageId: trackId, event: 'Signed Up' }, basic(WRITE_KEY));
        expect(track.status).toBe(200);
        expect(launcher.callsFor(trackId)).toEqual([
          expect.objectContaining({ event: 'track/Signed Up', payload: expect.objectContaining({ type: 'track' }) }),
        ]);

        const groupId = unique('team');
        const group = await post('/v1/group', { userId, groupId, messageId: unique('m') }, basic(WRITE_KEY));
        expect(group.status).toBe(200);
        // No name among the traits: the tenant is named after its id.
        expect(await (await api(`/tenants/${groupId}`)).json()).toEqual({ id: groupId, name: groupId });

        const page = await post('/v1/page', { userId, name: 'Home' }, basic(WRITE_KEY));
        expect(page.status).toBe(200);
      });

      it('drops the invalid events of a batch and takes the others, in order', async () => {
        const userId = unique('batch');
        const goodTrack = unique('good');
        const badTrack = unique('bad');
        const response = await post(
          '/v1/batch',
          {
            batch: [
              { type: 'identify', userId, messageId: unique('m'), traits: { email: 'first@example.com' } },
              { type: 'track', userId, messageId: badTrack },
              { type: 'track', event: 'No One', messageId: unique('m') },
              { type: 'page', userId, messageId: unique('m'), name: 'Home' },
              'not an event',
              { type: 'track', userId, messageId: goodTrack, event: 'Batch Done' },
              { type: 'identify', userId, messageId: unique('m'), traits: { email: 'second@example.com' } },
            ],
            context: { ip: '10.0.0.1' },
            sentAt: new Date().toISOString(),
          },
          basic(WRITE_KEY),
        );
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ success: true });

        await profileOf(userId, { email: 'second@example.com' });
        expect(launcher.callsFor(badTrack)).toEqual([]);
        expect(launcher.callsFor(goodTrack)).toEqual([
          expect.objectContaining({
            event: 'track/Batch Done',
            payload: expect.objectContaining({ context: { ip: '10.0.0.1' } }),
          }),
        ]);
        expect(await createInboundEventStore(database).get('segment', badTrack)).toBeUndefined();
      });

      it('refuses a body that is not a batch', async () => {
        const response = await post('/v1/batch', { events: [] }, basic(WRITE_KEY));
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual({ success: false, message: expect.any(String) });
      });
    });

    describe('through the Courier destination (/inbound/segment)', () => {
      it('answers the credentials test only with a valid API key', async () => {
        const ok = await api('/debug', { method: 'POST' });
        expect(ok.status).toBe(200);
        expect((await api('/debug', { method: 'POST', headers: { authorization: 'Bearer nope' } })).status).toBe(401);
      });

      it('takes a raw event under the bearer key with 202, and a redelivery changes nothing', async () => {
        const userId = unique('dest');
        const messageId = unique('seg');
        const event = {
          type: 'track',
          event: 'Login Button Clicked',
          userId,
          anonymousId: unique('anon'),
          messageId,
          timestamp: '2021-12-07T08:41:59.410Z',
          properties: { orderNumber: 1 },
          context: { library: { name: 'analytics.js' } },
        };
        const first = await post('/inbound/segment', event, { 'user-agent': 'SegmentCourier' });
        expect(first.status).toBe(202);
        expect(await first.json()).toEqual({ messageId });
        expect(launcher.callsFor(messageId)).toEqual([
          { source: 'segment', messageId, event: 'track/Login Button Clicked', userId, payload: event },
        ]);

        const again = await post('/inbound/segment', event);
        expect(again.status).toBe(202);
        expect(await again.json()).toEqual({ messageId });
        expect(launcher.callsFor(messageId)).toHaveLength(1);
      });

      it('does not let a redelivered identify overwrite a newer profile', async () => {
        const userId = unique('redeliver');
        const identify = { type: 'identify', userId, messageId: unique('seg'), traits: { email: 'old@example.com' } };
        expect((await post('/inbound/segment', identify)).status).toBe(202);
        expect((await post(`/profiles/${userId}`, { profile: { email: 'new@example.com' } })).status).toBe(200);
        expect((await post('/inbound/segment', identify)).status).toBe(202);
        await expect(profileOf(userId, { email: 'new@example.com' })).resolves.toBeDefined();
      });

      it('keys an anonymous identify by its anonymousId', async () => {
        const anonymousId = unique('anon');
        const identify = {
          type: 'identify',
          anonymousId,
          messageId: unique('seg'),
          traits: { email: 'a@example.com' },
        };
        expect((await post('/inbound/segment', identify)).status).toBe(202);
        await profileOf(anonymousId, { email: 'a@example.com' });
      });

      it('takes concurrent deliveries of one event once, answering each 202', async () => {
        const messageId = unique('race');
        const event = { type: 'track', event: 'Raced', userId: unique('u'), messageId };
        const answers = await Promise.all(Array.from({ length: 6 }, () => post('/inbound/segment', event)));
        expect(answers.map((answer) => answer.status)).toEqual(Array(6).fill(202));
        expect([...launcher.started.values()].filter((started) => started.messageId === messageId)).toHaveLength(1);
        const rows = await database.db
          .selectFrom('inbound_events')
          .select('message_id')
          .where('message_id', '=', messageId)
          .execute();
        expect(rows).toHaveLength(1);
      });

      it('refuses an invalid event with 400 and a missing key with 401', async () => {
        const bad = await post('/inbound/segment', { type: 'track', userId: 'u', messageId: unique('m') });
        expect(bad.status).toBe(400);
        expect(await bad.json()).toEqual({ message: 'event is required for a track', type: 'invalid_request_error' });
        const page = await post('/inbound/segment', { type: 'page', userId: 'u', messageId: unique('m') });
        expect(page.status).toBe(400);
        const noKey = await post(
          '/inbound/segment',
          { type: 'track', event: 'X', userId: 'u', messageId: 'm' },
          {
            authorization: '',
          },
        );
        expect(noKey.status).toBe(401);
      });
    });

    describe('POST /inbound/courier', () => {
      it('takes a track event once: 202, then 409 without retry', async () => {
        const messageId = unique('courier');
        const body = {
          event: 'New Order Placed',
          messageId,
          type: 'track',
          userId: '1234',
          properties: { order_id: 123 },
        };
        const first = await post('/inbound/courier', body);
        expect(first.status).toBe(202);
        expect(await first.json()).toEqual({ messageId });
        expect(launcher.callsFor(messageId)).toEqual([
          { source: 'courier', messageId, event: 'track/New Order Placed', userId: '1234', payload: body },
        ]);

        const again = await post('/inbound/courier', body);
        expect(again.status).toBe(409);
        expect(again.headers.get('x-should-retry')).toBe('false');
        expect(again.headers.get('content-type')).toBe('application/json');
        expect(await again.json()).toEqual({
          message: expect.stringContaining(messageId),
          type: 'invalid_request_error',
        });
        expect(launcher.callsFor(messageId)).toHaveLength(1);
      });

      it('takes an event without a user', async () => {
        const messageId = unique('courier');
        const response = await post('/inbound/courier', { event: 'Ping', messageId, type: 'track', properties: {} });
        expect(response.status).toBe(202);
        expect(launcher.callsFor(messageId)[0]).not.toHaveProperty('userId');
      });

      it('refuses a body missing a required field with 400', async () => {
        const valid = { event: 'E', messageId: unique('courier'), type: 'track', properties: {} };
        const variants: Array<[Record<string, unknown>, string]> = [
          [{ ...valid, event: undefined }, 'event'],
          [{ ...valid, messageId: undefined }, 'messageId'],
          [{ ...valid, type: undefined }, 'type'],
          [{ ...valid, type: 'identify' }, 'type'],
          [{ ...valid, properties: undefined }, 'properties'],
          [{ ...valid, properties: 'x' }, 'properties'],
        ];
        for (const [body, field] of variants) {
          const response = await post('/inbound/courier', body);
          expect(response.status).toBe(400);
          const error = (await response.json()) as { message: string; type: string };
          expect(error).toEqual({
            message: expect.stringMatching(new RegExp(`^${field}: `)),
            type: 'invalid_request_error',
          });
        }
        expect((await post('/inbound/courier', valid)).status).toBe(202);
      });

      it('keeps Courier and Segment message ids apart', async () => {
        const messageId = unique('shared');
        expect((await post('/inbound/segment', { type: 'track', event: 'A', userId: 'u', messageId })).status).toBe(
          202,
        );
        expect((await post('/inbound/courier', { event: 'A', messageId, type: 'track', properties: {} })).status).toBe(
          202,
        );
      });
    });

    it('documents every inbound path in the OpenAPI document', async () => {
      const { paths } = (await (await fetch(`${gatewayUrl}/docs-json`)).json()) as {
        paths: Record<
          string,
          { post?: { requestBody?: { content: Record<string, { schema: { required?: string[] } }> } } }
        >;
      };
      for (const path of ['/inbound/segment', '/inbound/courier', '/debug', '/v1/batch', '/v1/track', '/v1/identify']) {
        expect(paths[path]?.post).toBeDefined();
      }
      expect(paths['/v1/group']?.post).toBeDefined();
      expect(paths['/inbound/courier'].post?.requestBody?.content['application/json'].schema.required).toEqual(
        expect.arrayContaining(['event', 'messageId', 'type', 'properties']),
      );
    });

    it("takes events on the stack's own gateway, with its own launcher and the development write key", async () => {
      const userId = unique('plain');
      const response = await fetch(`${stack().gatewayUrl}/v1/identify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...basic('herald-segment-dev-key') },
        body: JSON.stringify({ userId, messageId: unique('m'), traits: { email: 'plain@example.com' } }),
      });
      expect(response.status).toBe(200);
      await profileOf(userId, { email: 'plain@example.com' });
    });
  },
  { worker: false },
);
