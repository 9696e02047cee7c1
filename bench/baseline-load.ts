import type { Client } from '@temporalio/client';
import { benchBaseline } from './baseline/workflows';
import { ratePerSecond, summarize, type Summary } from './stats';
import { limiter, withDeadline } from './util';

export interface LoadOptions {
  n: number;
  concurrency: number;
  /** Prefix of the workflow ids, unique per run. */
  runId: string;
  timeoutMs: number;
  /** Aborted on Ctrl-C: no new requests after that. */
  signal?: AbortSignal;
}

export interface BaselineRun {
  n: number;
  concurrency: number;
  /** N / (first start call → last result). */
  workflowsPerSecond: number;
  /** N / (first start call → last activity run): the counterpart of Herald's "to sandbox receipt". */
  reachedActivityPerSecond: number;
  elapsedMs: number;
  /** N / (first start call → last start call answered): how fast the bench could start workflows. */
  startedPerSecond: number;
  /** Activity's Date.now() − that workflow's start-call time. */
  latencyToActivityMs: Summary;
  /** Duration of the start call (the counterpart of Herald's 202). */
  startCallMs: Summary;
  /** Result received − start-call time. */
  latencyToResultMs: Summary;
  workflowIds: string[];
}

/** Starts N `benchBaseline` workflows from this process (at most C start calls in flight) and waits for each result. */
export async function runBaselineLoad(client: Client, taskQueue: string, options: LoadOptions): Promise<BaselineRun> {
  const { n, concurrency, runId } = options;
  const ids = Array.from({ length: n }, (_, i) => `${runId}-${i}`);
  const startAt: number[] = new Array(n);
  const startedAt: number[] = new Array(n);
  const activityAt: number[] = new Array(n);
  const resultAt: number[] = new Array(n);
  let started = 0;
  let finished = 0;

  // Results are awaited as the workflows are started, by at most C waiters, so the server sees a bounded load.
  const startSlot = limiter(concurrency);
  const resultSlot = limiter(concurrency);
  const work = Promise.all(
    ids.map(async (workflowId, i) => {
      await startSlot(async () => {
        options.signal?.throwIfAborted();
        startAt[i] = Date.now();
        await client.workflow.start(benchBaseline, { workflowId, taskQueue, args: [] });
        startedAt[i] = Date.now();
        started++;
      });
      await resultSlot(async () => {
        activityAt[i] = await client.workflow.getHandle<typeof benchBaseline>(workflowId).result();
        resultAt[i] = Date.now();
        finished++;
      });
    }),
  );
  await withDeadline(
    work,
    options.timeoutMs,
    () => `baseline run ${runId}: only ${finished} of ${n} workflows finished (${started} started) in time`,
  );

  const first = Math.min(...startAt);
  const lastResult = Math.max(...resultAt);
  return {
    n,
    concurrency,
    workflowsPerSecond: ratePerSecond(n, first, lastResult),
    reachedActivityPerSecond: ratePerSecond(n, first, Math.max(...activityAt)),
    elapsedMs: lastResult - first,
    startedPerSecond: ratePerSecond(n, first, Math.max(...startedAt)),
    latencyToActivityMs: summarize(activityAt.map((t, i) => t - startAt[i])),
    startCallMs: summarize(startedAt.map((t, i) => t - startAt[i])),
    latencyToResultMs: summarize(resultAt.map((t, i) => t - startAt[i])),
    workflowIds: ids,
  };
}
