import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createSandbox, type Sandbox } from '../../apps/sandbox/sandbox';
import { sandboxClient, type SandboxClient } from './sandbox-client';
import { timeSkippingEnvironment } from './temporal';
import { realWorkerDeps, type WorkerDeps } from './worker-deps';

/** What a workflow test file works with: filled in by `beforeAll`, so read it inside tests only. */
export interface WorkflowTestbed {
  env: TestWorkflowEnvironment;
  sandbox: Sandbox;
  providers: SandboxClient;
  deps: WorkerDeps;
  /** Runs `work` with a fresh worker on its own task queue, stopping the worker when `work` settles. */
  withWorker<T>(work: (taskQueue: string) => Promise<T>): Promise<T>;
}

const silentLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

/**
 * One time-skipping test server, provider sandbox, set of real activities (on a fresh in-memory database) and
 * workflow bundle per test file; the sandbox is reset before each test. Only time is simulated: the activities,
 * SDKs and HTTP are real. Twilio statuses resolve at once, so each poll gets a final answer and histories stay
 * short and deterministic.
 */
export function useWorkflowTestbed(): WorkflowTestbed {
  let bundle: WorkflowBundleWithSourceMap;
  const bed = {
    async withWorker<T>(work: (taskQueue: string) => Promise<T>): Promise<T> {
      const taskQueue = `test-${randomUUID()}`;
      const worker = await Worker.create({
        connection: bed.env.nativeConnection,
        taskQueue,
        workflowBundle: bundle,
        activities: bed.deps.activities,
      });
      return worker.runUntil(() => work(taskQueue));
    },
  } as WorkflowTestbed;

  beforeAll(async () => {
    bed.env = await timeSkippingEnvironment();
    bed.sandbox = createSandbox({ logger: false, twilioStatusTiming: { sentAfterMs: 0, deliveredAfterMs: 0 } });
    const url = await bed.sandbox.listen(0);
    bed.providers = sandboxClient(url);
    bed.deps = await realWorkerDeps(url, await bed.sandbox.listenSmtp(0));
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: silentLogger });
  }, 120_000);

  afterAll(async () => {
    await bed.deps?.database.close();
    await bed.sandbox?.close();
    await bed.env?.teardown();
  });

  beforeEach(() => bed.sandbox?.reset());
  return bed;
}
