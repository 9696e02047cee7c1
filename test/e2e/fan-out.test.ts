import type { ChildProcess } from 'node:child_process';
import { createProfileStore } from '../../db/profiles';
import { fanOutProgressQuery } from '../../workflows/fan-out-message.workflow';
import { eventually } from '../helpers/ports';
import { describeEachStack, sendThroughGateway, type Stack } from '../helpers/stack';
import { killWorker, spawnWorker } from '../helpers/worker-process';

const SUBSCRIBERS = 1000;
const phoneOf = (i: number) => `+1555${String(2_000_000 + i).padStart(7, '0')}`;

/**
 * A send to a list fans out to one message per subscriber from a parent workflow. The worker (its own process,
 * as in production) is killed with SIGKILL part-way through and a new one started: every subscriber still gets
 * exactly one SMS, and Temporal holds exactly one `sendMessage` per subscriber.
 */
describeEachStack(
  'list fan-out survives a worker killed mid-way',
  (stack) => {
    let worker: ChildProcess | undefined;
    afterEach(async () => {
      if (worker) await killWorker(worker);
    });

    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${stack().gatewayUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${stack().apiKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    };

    const twilioCount = async (s: Stack) => (await s.providers.messages({ provider: 'twilio' })).length;

    it(`delivers exactly ${SUBSCRIBERS} messages to ${SUBSCRIBERS} subscribers`, async () => {
      const s = stack();
      const profiles = createProfileStore(s.deps.database);
      const users = Array.from({ length: SUBSCRIBERS }, (_, i) => `subscriber-${String(i).padStart(4, '0')}`);
      for (const [i, user] of users.entries()) await profiles.merge(user, { phone_number: phoneOf(i), name: user });
      await api('PUT', '/lists/customers.all/subscriptions', {
        recipients: users.map((recipientId) => ({ recipientId })),
      });

      worker = spawnWorker(s);
      const requestId = await sendThroughGateway(s, {
        to: { list_id: 'customers.all' },
        content: { body: 'Hello {{profile.name}}, our spring sale starts today.' },
        routing: { method: 'single', channels: ['sms'] },
      });

      // Once the fan-out is under way, Twilio keeps accepting messages but holds its answers, so the worker has
      // sends in flight that Twilio has already taken. Then the worker is killed, as a machine dies.
      await eventually(async () => ((await twilioCount(s)) >= 250 ? true : undefined), 120_000, '250 SMS sent');
      await s.providers.inject({ provider: 'twilio', count: 100_000, mode: 'slow', delayMs: 600_000 });
      const atHold = await twilioCount(s);
      await eventually(async () => ((await twilioCount(s)) >= atHold + 10 ? true : undefined), 60_000, 'sends held');
      await killWorker(worker);
      await fetch(`${s.sandboxUrl}/sandbox/faults`, { method: 'DELETE' });
      const atKill = await twilioCount(s);
      // Taken by Twilio, never answered: each one's activity must be retried by the next worker.
      const unanswered = atKill - atHold;
      expect(atKill).toBeLessThan(SUBSCRIBERS);
      worker = spawnWorker(s);

      const fanOut = s.temporal.workflow.getHandle(requestId);
      expect(await fanOut.result()).toEqual({ started: SUBSCRIBERS });
      expect(await fanOut.query(fanOutProgressQuery)).toEqual({ started: SUBSCRIBERS, done: true });

      await eventually(
        async () => ((await twilioCount(s)) >= SUBSCRIBERS ? true : undefined),
        240_000,
        `${SUBSCRIBERS} SMS sent`,
      );
      // Every message has finished (so no retry is still to come) before the count is final.
      await eventually(
        async () => {
          const open = await s.temporal.workflow.count(`WorkflowType = 'sendMessage' AND ExecutionStatus = 'Running'`);
          return open.count === 0 ? true : undefined;
        },
        240_000,
        'every sendMessage closed',
      );
      const sms = await s.providers.messages({ provider: 'twilio' });
      expect(sms).toHaveLength(SUBSCRIBERS);
      expect(new Set(sms.map((m) => m.to)).size).toBe(SUBSCRIBERS);
      expect(sms.find((m) => m.to === phoneOf(7))?.body).toBe('Hello subscriber-0007, our spring sale starts today.');
      // For the record: how far the fan-out had got, and how many SMS sends were retried after the kill (each
      // asked Twilio whether its first attempt had already gone out, instead of sending again).
      const requests = (await (await fetch(`${s.sandboxUrl}/sandbox/requests?provider=twilio`)).json()) as Array<{
        method: string;
        path: string;
      }>;
      const lookups = requests.filter(
        (r) => r.method === 'GET' && r.path.split('?')[0].endsWith('/Messages.json'),
      ).length;
      console.info(
        `fan-out: ${atKill} SMS sent when the worker was killed, ${unanswered} of them unanswered; ` +
          `${lookups} sends retried with a lookup`,
      );
      // Every unanswered send was retried, looked for its message and adopted it (the count above stays exact).
      expect(lookups).toBeGreaterThanOrEqual(unanswered);
      const children = await s.temporal.workflow.count(`WorkflowType = 'sendMessage'`);
      expect(children.count).toBe(SUBSCRIBERS);
      const completed = await s.temporal.workflow.count(
        `WorkflowType = 'sendMessage' AND ExecutionStatus = 'Completed'`,
      );
      expect(completed.count).toBe(SUBSCRIBERS);
    }, 600_000);
  },
  { worker: false },
);
