import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

/** Prebuilds the workflow bundle so workers start in milliseconds instead of running webpack at boot. */
async function run(): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows') });
  const target = resolve(__dirname, '../workflow-bundle.js');
  await writeFile(target, code);
  console.log(`workflow bundle written to ${target} (${Math.round(code.length / 1024)} KiB)`);
}

run().catch((error) => {
  console.error(error);
  process.exit(1);
});
