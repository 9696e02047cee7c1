import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { fanOutMessageId } from '../../activities/audience.activities';
import { createSandbox, type Sandbox } from '../../apps/sandbox/sandbox';
import { createListStore } from '../../db/lists';
import { createProfileStore } from '../../db/profiles';
import type { FanOutInput } from '../../domain/audience';
import { fanOutMessage, fanOutProgressQuery } from '../../workflows/fan-out-message.workflow';
import { newMessageId, sendInput } from '../helpers/builders';
import { recordHistory } from '../helpers/histories';
import { sandboxClient, type SandboxClient } from '../helpers/sandbox-client';
import { timeSkippingEnvironment, waitClosed } from '../helpers/temporal';
import { realWorkerDeps, type WorkerDeps } from '../helpers/worker-deps';

/** fanOutMessage on the time-skipping server with the real activities, database and sandbox. */
describe('fanOutMessage', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: Sandbox;
  let providers: SandboxClient;
  let deps: WorkerDeps;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    env = await timeSkippingEnvironment();
    sandbox = createSandbox({ logger: false, twilioStatusTiming: { sentAfterMs: 0, deliveredAfterMs: 0 } });
    const url = await sandbox.listen(0);
    providers = sandboxClient(url);
    deps = await realWorkerDeps(url, await sandbox.listenSmtp(0));
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: silentLogger });
  }, 120_000);

  afterAll(async () => {
    await deps?.database.close();
    await sandbox?.close();
    await env?.teardown();
  });

  it('starts one message per subscriber across pages and continue-as-new, each to its stored profile', async () => {
    const profiles = createProfileStore(deps.database);
    const lists = createListStore(deps.database);
    const users = Array.from({ length: 13 }, (_, i) => `fan-${String(i).padStart(2, '0')}`);
    for (const [i, user] of users.entries()) await profiles.merge(user, { phone_number: `+1555300${1000 + i}` });
    await lists.replaceSubscribers(
      'fans.all',
      users.map((userId) => ({ userId })),
    );
    // Someone on another list is not included; a user on two matching lists is counted once (pattern).
    await lists.subscribe('fans.vip', users[0]);
    await lists.subscribe('others', 'outsider');

    const { messageId, ...message } = sendInput({ to: {}, content: { body: 'Hi {{profile.phone_number}}' } });
    const requestId = newMessageId();
    const input: FanOutInput = {
      requestId,
      audience: { list_pattern: 'fans.*' },
      message: { ...message, resolve: true },
      pageSize: 2,
    };
    const taskQueue = `test-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: deps.activities,
    });
    const { result, firstRunId } = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(fanOutMessage, {
        workflowId: requestId,
        taskQueue,
        args: [input],
      });
      const latest = env.client.workflow.getHandle(requestId);
      expect(await waitClosed(latest)).toBe('COMPLETED');
      const outcome = await latest.query(fanOutProgressQuery);
      // Let the worker hand every message to Twilio, then end them so none holds the test server's clock.
      for (let i = 0; i < 200 && (await providers.messages()).length < users.length; i++) await pause(50);
      await Promise.all(
        users.map((userId) =>
          env.client.workflow
            .getHandle(fanOutMessageId(requestId, userId, input.message.enqueuedAt))
            .terminate('test over')
            .catch(() => undefined),
        ),
      );
      return { result: outcome, firstRunId: handle.firstExecutionRunId };
    });
    void messageId;

    expect(result).toEqual({ started: 13, done: true });
    const sms = await providers.messages({ provider: 'twilio' });
    expect(sms.map((m) => m.to).sort()).toEqual(users.map((_, i) => `+1555300${1000 + i}`).sort());
    expect(new Set(sms.map((m) => m.body))).toEqual(new Set(sms.map((m) => `Hi ${m.to}`)));

    // 13 recipients in pages of 2 is 7 pages: the first run stops after 5 and continues as new.
    const last = await env.client.workflow.getHandle(requestId).describe();
    expect(last.runId).not.toBe(firstRunId);
    recordHistory(env.address, requestId, 'fan-out-message-first-run', firstRunId);
    recordHistory(env.address, requestId, 'fan-out-message-last-run', last.runId);
  });
});

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));
const silentLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
