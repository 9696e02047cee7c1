import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Analytics } from '@segment/analytics-node';
import { DEVELOPMENT_SEGMENT_WRITE_KEY } from '../../apps/gateway/config';
import { eventually } from '../helpers/ports';
import { describeEachStack } from '../helpers/stack';

const example = (path: string) => JSON.parse(readFileSync(join(__dirname, '../../examples', path), 'utf8'));

/**
 * The seed's promise end to end, with no application code: Segment's own library, pointed at Herald, identifies a
 * user and tracks `Order Completed`; the shipped example automation (its 2-hour wait shortened to 3 seconds) sends
 * the thank-you email and the SMS confirmation with the order filled in, only for orders over 100; and Herald
 * reports those messages' lifecycle back to Segment.
 */
describeEachStack(
  'Segment → automation → Segment',
  (stack) => {
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${stack().gatewayUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${stack().apiKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
    };

    beforeAll(async () => {
      for (const id of ['ORDER_THANK_YOU', 'ORDER_SMS_CONFIRMATION']) {
        expect((await api('PUT', `/templates/${id}`, example(`templates/${id}.json`))).status).toBe(200);
      }
      const automation = example('automations/order-completed.json');
      automation.automation.steps[0].duration = 'PT3S';
      expect((await api('PUT', '/automations/templates/order-completed', automation)).status).toBe(200);
    });

    /** Segment's Node library as a customer's backend would use it, with Herald as the host. */
    async function segment(calls: (analytics: Analytics) => void): Promise<void> {
      const analytics = new Analytics({
        writeKey: DEVELOPMENT_SEGMENT_WRITE_KEY,
        host: stack().gatewayUrl,
        path: '/v1/batch',
        flushAt: 1,
        maxRetries: 0,
      });
      const errors: unknown[] = [];
      analytics.on('error', (error) => errors.push(error));
      calls(analytics);
      await analytics.closeAndFlush();
      expect(errors).toEqual([]);
    }

    const order = (total: number) => ({
      order_id: `ORD-${total}`,
      total,
      currency: 'USD',
      products: [
        { product_id: 'p1', name: 'Trail shoes', quantity: 1, price: total - 20 },
        { product_id: 'p2', name: 'Socks', quantity: 2, price: 10 },
      ],
    });

    const runsStillGoing = async () =>
      (await stack().temporal.workflow.count(`WorkflowType = 'runAutomation' AND ExecutionStatus = 'Running'`)).count;

    it('identify + track Order Completed (149.99) → email then SMS with the order, reported back to Segment', async () => {
      const trackedAt = Date.now();
      await segment((analytics) => {
        analytics.identify({
          userId: 'buyer-1',
          traits: { email: 'buyer1@example.com', phone: '+15557770001', name: 'Kim Buyer' },
        });
        analytics.track({ userId: 'buyer-1', event: 'Order Completed', properties: order(149.99) });
      });

      const email = await eventually(
        async () => (await stack().providers.messages({ provider: 'sendgrid', to: 'buyer1@example.com' }))[0],
        30_000,
        'the thank-you email',
      );
      expect(email.subject).toBe('Thank you for your order ORD-149.99');
      expect(email.body).toContain('- 1 x Trail shoes ($129.99)');
      expect(email.body).toContain('Total: $149.99');
      const sms = await eventually(
        async () => (await stack().providers.messages({ provider: 'twilio', to: '+15557770001' }))[0],
        30_000,
        'the SMS confirmation',
      );
      expect(sms.body).toContain('ORD-149.99');
      expect(sms.body).toContain('$149.99');
      // Not before the automation's (shortened) wait.
      expect(email.receivedAt - trackedAt).toBeGreaterThanOrEqual(3000);
      await eventually(async () => ((await runsStillGoing()) === 0 ? true : undefined), 30_000, 'run done');

      // Herald as a Segment source: both messages' lifecycle arrives at the sandbox's Segment endpoint.
      const tracked = await eventually(
        async () => {
          const events = await stack().providers.messages({ provider: 'segment', to: 'buyer-1' });
          const byChannel = (channel: string, name: string) =>
            events.find(
              (e) =>
                e.subject === name && (e.params.properties as Record<string, unknown> | undefined)?.channel === channel,
            );
          const wanted = [
            byChannel('email', 'Message Sent'),
            byChannel('email', 'Message Delivered'),
            byChannel('sms', 'Message Sent'),
            byChannel('sms', 'Message Delivered'),
          ];
          return wanted.every(Boolean) ? wanted : undefined;
        },
        30_000,
        'Message Sent and Message Delivered for the email and the SMS',
      );
      expect(tracked.map((e) => (e?.params.properties as Record<string, unknown>).template)).toEqual([
        'ORDER_THANK_YOU',
        'ORDER_THANK_YOU',
        'ORDER_SMS_CONFIRMATION',
        'ORDER_SMS_CONFIRMATION',
      ]);
    });

    it('sends nothing for an order of 50, and a redelivered event starts no second run', async () => {
      const event = {
        type: 'track',
        userId: 'buyer-2',
        event: 'Order Completed',
        messageId: 'segment-redelivered-1',
        properties: order(50),
      };
      await api('POST', '/profiles/buyer-2', {
        profile: { email: 'buyer2@example.com', phone_number: '+15557770002' },
      });
      const allRuns = async () => (await stack().temporal.workflow.count(`WorkflowType = 'runAutomation'`)).count;
      const before = await allRuns();
      for (let i = 0; i < 2; i++) {
        expect((await api('POST', '/inbound/segment', event)).status).toBe(202);
      }
      await eventually(async () => ((await allRuns()) === before + 1 ? true : undefined), 10_000, 'one new run');
      await eventually(async () => ((await runsStillGoing()) === 0 ? true : undefined), 30_000, 'run done');
      expect(await allRuns()).toBe(before + 1);
      expect(await stack().providers.messages({ to: 'buyer2@example.com' })).toEqual([]);
      expect(await stack().providers.messages({ to: '+15557770002' })).toEqual([]);
    });

    it('refuses a bad ad hoc automation with a 400 naming the step, and starts nothing', async () => {
      const before = (await stack().temporal.workflow.count(`WorkflowType = 'runAutomation'`)).count;
      const cases: Array<[unknown[], string]> = [
        [[{ action: 'delay', duration: 'PT1M' }, { action: 'explode' }], 'steps[1]: unknown action "explode"'],
        [[{ action: 'send', template: 'NO_SUCH_TEMPLATE', recipient: 'u' }], 'steps[0]: template "NO_SUCH_TEMPLATE"'],
        [[{ action: 'delay', duration: 'PT1M', if: 'data.total >' }], 'steps[0]: if does not parse'],
      ];
      for (const [steps, message] of cases) {
        const response = await api('POST', '/automations/invoke', { automation: { steps }, recipient: 'u' });
        expect(response.status).toBe(400);
        expect(response.body).toMatchObject({ type: 'invalid_request_error' });
        expect(response.body.message).toContain(message);
      }
      expect((await stack().temporal.workflow.count(`WorkflowType = 'runAutomation'`)).count).toBe(before);
    });
  },
  { segmentSource: true },
);
