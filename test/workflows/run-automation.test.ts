import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createSandbox, type Sandbox } from '../../apps/sandbox/sandbox';
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
import { sandboxClient, type SandboxClient } from '../helpers/sandbox-client';
import { timeSkippingEnvironment, waitClosed } from '../helpers/temporal';
import { realWorkerDeps, type WorkerDeps } from '../helpers/worker-deps';

/**
 * runAutomation on the time-skipping server with the real activities, database and sandbox: the seed's flow with
 * its real 2-hour wait, conditions, cancelation tokens and fetch-data merge strategies.
 */
describe('runAutomation', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: Sandbox;
  let providers: SandboxClient;
  let deps: WorkerDeps;
  let bundle: WorkflowBundleWithSourceMap;
  let api: Server;
  let apiUrl: string;

  beforeAll(async () => {
    env = await timeSkippingEnvironment();
    sandbox = createSandbox({ logger: false, twilioStatusTiming: { sentAfterMs: 0, deliveredAfterMs: 0 } });
    const url = await sandbox.listen(0);
    providers = sandboxClient(url);
    deps = await realWorkerDeps(url, await sandbox.listenSmtp(0));
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: silentLogger });
    // The service fetch-data calls: it answers with the loyalty data of whoever asks.
    api = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ tier: 'gold', points: 1200, asked: req.url }));
    });
    await new Promise<void>((done) => api.listen(0, '127.0.0.1', done));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

    const templates = createTemplateStore(deps.database);
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
    await createProfileStore(deps.database).merge('shopper', {
      email: 'shopper@example.com',
      phone_number: '+15554440001',
    });
  }, 120_000);

  afterAll(async () => {
    await new Promise((done) => api?.close(done));
    await deps?.database.close();
    await sandbox?.close();
    await env?.teardown();
  });

  beforeEach(() => sandbox.reset());

  async function withWorker<T>(work: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = `test-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: deps.activities,
    });
    return worker.runUntil(() => work(taskQueue));
  }

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
    const started = Date.now();
    const state = await withWorker(async (taskQueue) => {
      const handle = await env.client.workflow.start(runAutomation, {
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
      for (let i = 0; i < 200 && (await providers.messages()).length < messageIds.length; i++) await pause(50);
      // Then end them, so none holds the test server's clock with a task left behind by this test's worker.
      await Promise.all(messageIds.map((id) => env.client.workflow.getHandle(id).terminate('test over')));
      return result;
    });
    if (history) recordHistory(env.address, runId, history);
    return { runId, state, tookMs: Date.now() - started };
  }

  it('runs the seed flow: waits the real 2 hours, then sends the email and then the SMS', async () => {
    const startedAt = await env.currentTimeMs();
    const { runId, state, tookMs } = await run(
      { context: { data: orderCompleted(149.99), recipient: 'shopper' }, automation: seedFlow },
      'run-automation-seed-flow',
    );

    expect(state.status).toBe('COMPLETED');
    expect((await env.currentTimeMs()) - startedAt).toBeGreaterThanOrEqual(2 * 3_600_000);
    expect(tookMs).toBeLessThan(60_000);
    const [email] = await providers.messages({ provider: 'sendgrid' });
    expect(email).toMatchObject({ to: 'shopper@example.com', subject: 'Thanks for order ORD-77' });
    expect(email.body).toBe('You spent $149.99.');
    const [sms] = await providers.messages({ provider: 'twilio' });
    expect(sms).toMatchObject({ to: '+15554440001', body: 'Order ORD-77 confirmed' });

    const record = await createAutomationRunStore(deps.database).get(runId);
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
    expect(await providers.messages()).toEqual([]);
    const record = await createAutomationRunStore(deps.database).get(runId);
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
    await withWorker(async (taskQueue) => {
      const first = await env.client.workflow.start(runAutomation, {
        workflowId: firstId,
        taskQueue,
        args: [{ runId: firstId, automation: waiting, context: {} }],
      });
      // Let the first run register itself and start waiting (no time skipping while nobody awaits a result).
      const runs = createAutomationRunStore(deps.database);
      for (let i = 0; i < 100 && (await runs.get(firstId))?.currentStep !== 0; i++) await pause(50);
      await env.client.workflow.execute(runAutomation, {
        workflowId: cancellerId,
        taskQueue,
        args: [{ runId: cancellerId, automation: canceller, context: {} }],
      });
      await expect(first.result()).rejects.toThrow();
      expect((await first.describe()).status.name).toBe('CANCELLED');
    });
    const runs = createAutomationRunStore(deps.database);
    expect((await runs.get(firstId))?.status).toBe('CANCELED');
    expect((await runs.get(cancellerId))?.steps[0]).toMatchObject({ outcome: 'done', detail: { canceled: [firstId] } });
    expect(await providers.messages()).toEqual([]);
    recordHistory(env.address, firstId, 'run-automation-cancelled');
    recordHistory(env.address, cancellerId, 'run-automation-cancel-step');
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
    const stored = await createProfileStore(deps.database).get(user);
    const { asked, ...rest } = stored as Record<string, unknown>;
    expect(rest).toEqual(expected);
    if (strategy !== 'none') expect(asked).toBe(`/loyalty?user=${user}`);
  });
});

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));
const silentLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
