import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkflowHandle } from '@temporalio/client';
import { createAutomationRunStore } from '../../db/automation-runs';
import { createProfileStore } from '../../db/profiles';
import { createTemplateStore } from '../../db/templates';
import type { AutomationDefinition } from '../../domain/automation';
import {
  automationRunStateQuery,
  runAutomation,
  type AutomationRunState,
  type RunAutomationInput,
} from '../../workflows/run-automation.workflow';
import { recordHistory } from '../helpers/histories';
import { waitClosed } from '../helpers/temporal';
import { useWorkflowTestbed } from '../helpers/workflow-testbed';

/**
 * runAutomation on the time-skipping server with the real activities, database and sandbox: the seed's flow with
 * its real 2-hour wait, conditions, cancelation tokens and fetch-data merge strategies.
 */
describe('runAutomation', () => {
  const bed = useWorkflowTestbed();
  let api: Server;
  let apiUrl: string;

  beforeAll(async () => {
    // The service fetch-data calls: it answers with the loyalty data of whoever asks.
    api = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ tier: 'gold', points: 1200, asked: req.url }));
    });
    await new Promise<void>((done) => api.listen(0, '127.0.0.1', done));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

    const templates = createTemplateStore(bed.deps.database);
    await templates.put({
      id: 'THANK_YOU',
      name: 'Thank you',
      content: {
        email: {
          subject: 'Thanks for order {{order_id}}',
          text: 'You spent {{currency total}}.{{#if tier}} Tier: {{tier}}.{{/if}}',
        },
      },
    });
    await templates.put({
      id: 'SMS_CONFIRMATION',
      name: 'SMS',
      content: { sms: { body: 'Order {{order_id}} confirmed' } },
    });
    await createProfileStore(bed.deps.database).merge('shopper', {
      email: 'shopper@example.com',
      phone_number: '+15554440001',
    });
  }, 120_000);

  afterAll(() => new Promise((done) => api?.close(done)));

  /** The run's final state (queried once it has closed), or just how it closed when it did not complete. */
  async function closed(handle: WorkflowHandle): Promise<AutomationRunState> {
    const status = await waitClosed(handle);
    if (status !== 'COMPLETED') return { status, refs: {} } as unknown as AutomationRunState;
    return handle.query(automationRunStateQuery);
  }

  /** The seed's flow: wait 2 hours, then if the order is over 100 thank by email and confirm by SMS. */
  const seedFlow: AutomationDefinition = {
    steps: [
      { action: 'delay', duration: 'PT2H' },
      {
        action: 'send',
        ref: 'thanks',
        if: 'refs.data.properties.total > 100',
        message: {
          to: { user_id: { $ref: 'data.userId' } },
          template: 'THANK_YOU',
          data: { $ref: 'data.properties' },
          routing: { method: 'single', channels: ['email'] },
        },
      },
      {
        action: 'send',
        ref: 'confirmation',
        if: 'refs.data.properties.total > 100',
        message: {
          to: { user_id: { $ref: 'data.userId' } },
          template: 'SMS_CONFIRMATION',
          data: { $ref: 'data.properties' },
          routing: { method: 'single', channels: ['sms'] },
        },
      },
    ],
  };
  const orderCompleted = (total: number) => ({
    type: 'track',
    event: 'Order Completed',
    userId: 'shopper',
    messageId: randomUUID(),
    properties: { order_id: 'ORD-77', total },
  });

  async function run(input: Omit<RunAutomationInput, 'runId'>, history?: string) {
    const runId = `run_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const state = await bed.withWorker(async (taskQueue) => {
      const handle = await bed.env.client.workflow.start(runAutomation, {
        workflowId: runId,
        taskQueue,
        args: [{ runId, ...input }],
      });
      const result = await closed(handle);
      // The sends are children that outlive the run: let the worker hand each message to its provider. (They then
      // follow delivery for hours, which this test does not wait for.)
      const messageIds = Object.values(result.refs)
        .map((ref) => (ref as { messageId?: string }).messageId)
        .filter((id): id is string => id !== undefined);
      for (let i = 0; i < 200 && (await bed.providers.messages()).length < messageIds.length; i++) await pause(50);
      // Then end them, so none holds the test server's clock with a task left behind by this test's worker.
      await Promise.all(
        messageIds.map(
          (id) =>
            bed.env.client.workflow
              .getHandle(id)
              .terminate('test over')
              .catch(() => undefined), // already finished on its own: nothing left to hold the clock
        ),
      );
      return result;
    });
    if (history) recordHistory(bed.env.address, runId, history);
    return { runId, state };
  }

  it('runs the seed flow: waits the real 2 hours, then sends the email and then the SMS', async () => {
    const startedAt = await bed.env.currentTimeMs();
    const { runId, state } = await run(
      { context: { data: orderCompleted(149.99), recipient: 'shopper' }, automation: seedFlow },
      'run-automation-seed-flow',
    );

    expect(state.status).toBe('COMPLETED');
    expect((await bed.env.currentTimeMs()) - startedAt).toBeGreaterThanOrEqual(2 * 3_600_000);
    const [email] = await bed.providers.messages({ provider: 'sendgrid' });
    expect(email).toMatchObject({ to: 'shopper@example.com', subject: 'Thanks for order ORD-77' });
    expect(email.body).toBe('You spent $149.99.');
    const [sms] = await bed.providers.messages({ provider: 'twilio' });
    expect(sms).toMatchObject({ to: '+15554440001', body: 'Order ORD-77 confirmed' });

    const record = await createAutomationRunStore(bed.deps.database).get(runId);
    expect(record).toMatchObject({ status: 'COMPLETED', currentStep: undefined });
    expect(record?.steps.map((s) => `${s.index}:${s.action}:${s.outcome}`)).toEqual([
      '0:delay:done',
      '1:send:done',
      '2:send:done',
    ]);
  });

  it('skips the sends when the if is false (total 50): nothing is sent', async () => {
    const { runId, state } = await run(
      { context: { data: orderCompleted(50), recipient: 'shopper' }, automation: seedFlow },
      'run-automation-if-skips',
    );
    expect(state.status).toBe('COMPLETED');
    expect(await bed.providers.messages()).toEqual([]);
    const record = await createAutomationRunStore(bed.deps.database).get(runId);
    expect(record?.steps.map((s) => s.outcome)).toEqual(['done', 'skipped', 'skipped']);
  });

  it('is cancelled by a later run holding the same cancelation token, before it sends anything', async () => {
    const waiting: AutomationDefinition = {
      cancelation_token: 'cart-shopper',
      steps: [
        { action: 'delay', duration: '1 day' },
        { action: 'send', message: { to: { email: 'late@example.com' }, content: { body: 'too late' } } },
      ],
    };
    const canceller: AutomationDefinition = { steps: [{ action: 'cancel', cancelation_token: 'cart-shopper' }] };
    const firstId = `run_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const cancellerId = `run_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    await bed.withWorker(async (taskQueue) => {
      const first = await bed.env.client.workflow.start(runAutomation, {
        workflowId: firstId,
        taskQueue,
        args: [{ runId: firstId, automation: waiting, context: {} }],
      });
      // Let the first run register itself and start waiting (no time skipping while nobody awaits a result).
      const runs = createAutomationRunStore(bed.deps.database);
      for (let i = 0; i < 100 && (await runs.get(firstId))?.currentStep !== 0; i++) await pause(50);
      await bed.env.client.workflow.execute(runAutomation, {
        workflowId: cancellerId,
        taskQueue,
        args: [{ runId: cancellerId, automation: canceller, context: {} }],
      });
      await expect(first.result()).rejects.toThrow();
      expect((await first.describe()).status.name).toBe('CANCELLED');
    });
    const runs = createAutomationRunStore(bed.deps.database);
    expect((await runs.get(firstId))?.status).toBe('CANCELED');
    expect((await runs.get(cancellerId))?.steps[0]).toMatchObject({ outcome: 'done', detail: { canceled: [firstId] } });
    expect(await bed.providers.messages()).toEqual([]);
    recordHistory(bed.env.address, firstId, 'run-automation-cancelled');
    recordHistory(bed.env.address, cancellerId, 'run-automation-cancel-step');
  });

  it('ends FAILED at a step that cannot run, and shows that step failed with its reason', async () => {
    const { runId, state } = await run({
      context: { data: {} },
      automation: {
        steps: [
          { action: 'update-profile', recipient_id: 'failing-run-user', profile: { seen: true } },
          { action: 'send', message: { to: { user_id: { $ref: 'data.nobody' } }, content: { body: 'x' } } },
          { action: 'update-profile', recipient_id: 'failing-run-user', profile: { after: true } },
        ],
      },
    });
    expect(state.status).toBe('FAILED');
    const record = await createAutomationRunStore(bed.deps.database).get(runId);
    expect(record?.status).toBe('FAILED');
    expect(record?.steps.map((s) => `${s.index}:${s.outcome}`)).toEqual(['0:done', '1:failed']);
    expect(record?.steps[1].detail?.error).toContain('message.to needs at least one of user_id');
    // The step after the failure never ran.
    expect(await createProfileStore(bed.deps.database).get('failing-run-user')).toEqual({ seen: true });
    expect(await bed.providers.messages()).toEqual([]);
  });

  it.each([
    ['replace', { tier: 'gold', points: 1200 }],
    ['overwrite', { tier: 'gold', points: 1200, plan: 'pro' }],
    ['soft-merge', { tier: 'silver', points: 1200, plan: 'pro' }],
    ['none', { tier: 'silver', plan: 'pro' }],
  ] as const)('fetch-data merges the response into refs.data with %s', async (strategy, expected) => {
    const user = `loyal-${strategy}`;
    const { state } = await run(
      {
        context: { data: { tier: 'silver', plan: 'pro' }, recipient: user },
        automation: {
          steps: [
            {
              action: 'fetch-data',
              ref: 'loyalty',
              webhook: { url: `${apiUrl}/loyalty`, method: 'GET', params: { user } },
              merge_strategy: strategy,
            },
            // The merged data, written where the test can read it.
            { action: 'update-profile', profile: { $ref: 'data' } as never, merge: 'replace' },
          ],
        },
      },
      strategy === 'overwrite' ? 'run-automation-fetch-data' : undefined,
    );
    expect(state.status).toBe('COMPLETED');
    const stored = await createProfileStore(bed.deps.database).get(user);
    const { asked, ...rest } = stored as Record<string, unknown>;
    expect(rest).toEqual(expected);
    if (strategy !== 'none') expect(asked).toBe(`/loyalty?user=${user}`);
  });
});

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));
