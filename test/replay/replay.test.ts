import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker } from '@temporalio/worker';
import { quietTemporalRuntime } from '../helpers/temporal';

/**
 * Replays every recorded workflow history against the current workflow code. A change that would break
 * workflows already running in production (a reordered activity, a removed timer) fails here, not in prod.
 * Re-record with `RECORD_HISTORIES=1 npx jest --selectProjects workflows` when adding scenarios, and keep the old
 * files: they stand for executions that are still running somewhere.
 */
describe('recorded workflow histories', () => {
  const dir = resolve(__dirname, 'histories');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('exist for the delivery scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it('replay without nondeterminism against the current workflow code', async () => {
    quietTemporalRuntime();
    const histories = files.map((file) => ({
      workflowId: file.replace(/\.json$/, ''),
      history: JSON.parse(readFileSync(resolve(dir, file), 'utf8')),
    }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(
      { workflowsPath: require.resolve('../../workflows') },
      histories,
    )) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(files.length);
  }, 120_000);
});
