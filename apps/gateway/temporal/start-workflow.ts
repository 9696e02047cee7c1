import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';

/**
 * Starts a workflow whose id names the work (an idempotent send, an event's automation run). When `idempotent`,
 * an id already taken means the same request started it before: that is success, not a conflict.
 */
export async function startUnlessStarted(start: () => Promise<unknown>, idempotent: boolean): Promise<void> {
  try {
    await start();
  } catch (error) {
    if (idempotent && error instanceof WorkflowExecutionAlreadyStartedError) return;
    throw error;
  }
}
