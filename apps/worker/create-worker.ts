import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../../activities';
import { TASK_QUEUE } from '../../domain/task-queues';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  activities: Activities;
  /** A prebuilt bundle (`npm run build` writes one); without it the worker bundles the workflow sources itself. */
  workflowBundlePath?: string;
  taskQueue?: string;
}

/** The prebuilt workflow bundle written by `npm run build`, when it exists. */
export function defaultWorkflowBundlePath(): string | undefined {
  const path = resolve(__dirname, '../../workflow-bundle.js');
  return existsSync(path) ? path : undefined;
}

/**
 * Worker options are set explicitly (the SDK's defaults are meant for development). Provider calls are I/O bound,
 * so activity slots are generous; the workflow cache is capped so memory stays predictable.
 */
export async function createWorker(setup: WorkerSetup): Promise<Worker> {
  const bundle = setup.workflowBundlePath ?? defaultWorkflowBundlePath();
  const code: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = bundle
    ? { workflowBundle: { codePath: bundle } }
    : { workflowsPath: require.resolve('../../workflows') };
  return Worker.create({
    connection: setup.connection,
    namespace: setup.namespace,
    taskQueue: setup.taskQueue ?? TASK_QUEUE,
    identity: `herald-worker@${hostname()}:${process.pid}`,
    activities: setup.activities,
    ...code,
    maxConcurrentWorkflowTaskExecutions: 100,
    maxConcurrentActivityTaskExecutions: 200,
    maxConcurrentLocalActivityExecutions: 200,
    maxCachedWorkflows: 2000,
    // Let in-flight provider calls finish on deploys instead of cancelling sends half-way.
    shutdownGraceTime: '30 seconds',
  });
}
