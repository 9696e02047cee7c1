import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The folder holding package.json, found by walking up, so this works from sources and from `dist/` alike. */
function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

export const projectRoot = findProjectRoot(__dirname);

/**
 * Where the Temporal binaries are: an explicit environment variable wins, then the copies
 * `scripts/install-temporal.sh` puts in `.tools/`. `undefined` means "not installed": callers then fall back to
 * the Temporal SDK's own download, which needs internet.
 */
function find(envVar: string, name: string): string | undefined {
  const fromEnv = process.env[envVar];
  if (fromEnv) return fromEnv;
  const installed = resolve(projectRoot, '.tools/python/bin', name);
  return existsSync(installed) ? installed : undefined;
}

export const temporalCliPath = (): string | undefined => find('TEMPORAL_CLI_PATH', 'temporal');
export const temporalTestServerPath = (): string | undefined =>
  find('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server');
