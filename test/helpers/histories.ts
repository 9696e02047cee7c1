import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { temporalCliPath } from '../../apps/common/temporal-binaries';

/**
 * With `RECORD_HISTORIES=<tag>`, exports a finished workflow's history with the Temporal CLI (the JSON format
 * Temporal's own tools write and replay) to `test/replay/histories/<name>-<tag>.json`, never overwriting one: old
 * recordings stand for runs started by older code, which the current code must still replay. Without the variable
 * it does nothing.
 */
export function recordHistory(address: string, workflowId: string, name: string, runId?: string): void {
  const tag = process.env.RECORD_HISTORIES;
  if (!tag) return;
  const cli = temporalCliPath();
  if (!cli) throw new Error('RECORD_HISTORIES needs the Temporal CLI: run npm run temporal:install');
  const file = resolve(__dirname, '../replay/histories', `${name}${tag !== '1' ? `-${tag}` : ''}.json`);
  if (existsSync(file)) return;
  const json = execFileSync(cli, [
    'workflow',
    'show',
    '--address',
    address,
    '--workflow-id',
    workflowId,
    ...(runId ? ['--run-id', runId] : []),
    '--output',
    'json',
  ]);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, json);
}
