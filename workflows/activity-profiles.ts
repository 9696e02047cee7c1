import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import { permanentFailureTypes } from '../domain/failures';

/**
 * A call to a provider API. Transient failures (429, 5xx, timeouts, network) retry with backoff for up to the
 * provider timeout (Courier's default: 5 minutes); permanent ones fail at once so routing can fail over.
 */
export const providerCall: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '5 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: [...permanentFailureTypes],
  },
};

/**
 * A short, idempotent read or write next to the workflow (message log updates, status polls). Local activities
 * are recorded as one marker event instead of a scheduled/started/completed triple, which keeps every message's
 * history small. They retry until the database comes back, because losing a status update is not an option.
 */
export const bookkeeping: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/** A status poll: a failed poll is simply followed by the next one, so it gets few attempts. */
export const statusPoll: LocalActivityOptions = {
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
};

/**
 * A page of recipients read from Herald's database (and their ENQUEUED records written). It retries until the
 * database answers: a fan-out must not end half-way because the database restarted.
 */
export const directoryPage: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/** An automation's fetch-data call to someone else's HTTP API: a few attempts, then the step fails. */
export const automationCall: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: [...permanentFailureTypes],
  },
};
