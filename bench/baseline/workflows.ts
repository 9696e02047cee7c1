import { proxyActivities } from '@temporalio/workflow';
import type { BaselineActivities } from './activities';

/** Bare Temporal: one regular activity, with a timeout and retry policy like Herald's provider call. */
const { noop } = proxyActivities<BaselineActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Returns the activity's `Date.now()`. */
export async function benchBaseline(): Promise<number> {
  return noop();
}
