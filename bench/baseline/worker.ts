import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { Activities } from '../../activities';
import { createWorker } from '../../apps/worker/create-worker';
import { baselineActivities } from './activities';

/**
 * The baseline's worker, in its own process like Herald's: same runtime logging, same `createWorker` options,
 * only the task queue, the workflow bundle and the activities differ.
 * Env: TEMPORAL_ADDRESS, BENCH_BASELINE_BUNDLE (bundled `./workflows`), BENCH_BASELINE_TASK_QUEUE.
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function run(): Promise<void> {
  const address = required('TEMPORAL_ADDRESS');
  const workflowBundlePath = required('BENCH_BASELINE_BUNDLE');
  const taskQueue = required('BENCH_BASELINE_TASK_QUEUE');
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'WARN' } } },
  });
  const connection = await NativeConnection.connect({ address });
  try {
    const worker = await createWorker({
      connection,
      namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
      // createWorker is typed for Herald's activities; the worker only needs the functions its workflows call.
      activities: baselineActivities as unknown as Activities,
      workflowBundlePath,
      taskQueue,
    });
    console.log('baseline worker ready');
    await worker.run();
  } finally {
    await connection.close();
  }
}

run().catch((error) => {
  console.error(error);
  process.exit(1);
});
