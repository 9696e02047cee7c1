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
