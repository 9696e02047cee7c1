import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { temporalTestServerPath } from '../../apps/common/temporal-binaries';

let runtimeInstalled = false;

/** Quiets the Temporal runtime once per test process (it may only be installed once). */
export function quietTemporalRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } },
    });
  } catch {
    // Already installed by an earlier import in this process; keep it.
  }
}

/**
 * The time-skipping test server from `.tools/` (scripts/install-temporal.sh). Only without it does the SDK
 * download one, which works on machines with internet.
 */
export async function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  quietTemporalRuntime();
  const path = temporalTestServerPath();
  return TestWorkflowEnvironment.createTimeSkipping(
    path ? { server: { executable: { type: 'existing-path', path } } } : {},
  );
}

/**
 * Waits until a workflow (its latest run) has closed and returns how it closed. On the time-skipping server a
 * `result()` of a workflow that started children never answers, though asking still lets time skip for it; so
 * the result call only serves to unlock the clock, and completion is watched through describe.
 */
export async function waitClosed(handle: WorkflowHandle, timeoutMs = 30_000): Promise<string> {
  void handle.result().catch(() => undefined);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') return status.name;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`workflow ${handle.workflowId} did not close within ${timeoutMs} ms`);
}
