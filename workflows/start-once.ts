import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';

/**
 * Starts a child whose id is derived from what it is for (a recipient of a fan-out, a step of a run). If that id
 * is taken, an earlier attempt at the same thing started it, and that child is the one meant: nothing to do.
 */
export async function startOnce(start: () => Promise<unknown>): Promise<void> {
  try {
    await start();
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    throw error;
  }
}
