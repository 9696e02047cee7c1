import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { startDevServer } from '../apps/common/dev-server';
import { temporalCliPath } from '../apps/common/temporal-binaries';
import { waitForHttp } from '../apps/launcher/children';
import { openDatabase } from '../db/database';
import { migrateToLatest } from '../db/migrations';
import { findPid, type WatchedProcess } from './cpu';
import type { HeraldTarget } from './herald-load';
import type { Lifecycle } from './lifecycle';
import { startNodeChild } from './processes';
import { freePorts } from './util';

export const BASELINE_QUEUE = 'bench-baseline';
const API_KEY = 'bench-key';

export interface TemporalInfo {
  cli: string;
  command: string;
  notes: string;
}

export interface BenchStack {
  client: Client;
  herald: HeraldTarget;
  /** The processes whose CPU the report breaks down. */
  watched: WatchedProcess[];
  temporal: TemporalInfo;
}

/** Herald's apps get the launcher's environment, minus anything that would make the worker call real providers. */
function heraldEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(TWILIO_|SENDGRID_|WORKFLOW_BUNDLE_PATH$|HOST$|PUBLIC_URL$|TEMPORAL_NAMESPACE$)/.test(key)) delete env[key];
  }
  return { ...env, ...extra };
}

function describeServer(pid: number | undefined, tmp: string): TemporalInfo {
  const cli = temporalCliPath();
  const args = pid
    ? readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(1).join(' ')
    : 'server start-dev --headless --log-level warn --db-filename <tmp>/temporal.sqlite --sqlite-pragma journal_mode=WAL';
  const command = args.replace(tmp, '<tmp>');
  const synchronous = command.includes('synchronous=') ? '' : ', synchronous not set (SQLite default FULL)';
  const version = cli ? execFileSync(cli, ['--version']).toString().trim() : 'SDK download';
  return {
    cli: version.replace(/^temporal version /, ''),
    command,
    notes: `SQLite file in a temp dir, journal_mode=WAL as npm start${synchronous}, headless, 1 history shard`,
  };
}

/**
 * Everything the bench runs against, in temp dirs on free ports: the Temporal dev server as `npm start` runs it
 * (minus the UI), Herald's sandbox, worker and gateway as the launcher starts them, and the baseline's worker.
 */
export async function startStack(life: Lifecycle, log: (line: string) => void): Promise<BenchStack> {
  const tmp = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  life.onCleanup('temp dir', () => rmSync(tmp, { recursive: true, force: true }));
  const [temporalPort, gatewayPort, sandboxPort] = await freePorts(3);

  log(`starting the Temporal dev server on port ${temporalPort} (SQLite in ${tmp})`);
  const server = await startDevServer({ port: temporalPort, dbFile: join(tmp, 'temporal.sqlite') });
  life.onCleanup('Temporal dev server', () => server.stop());
  const serverPid = findPid(['start-dev', '--port', String(temporalPort)]);
  const connection = await Connection.connect({ address: server.address });
  life.onCleanup('Temporal connection', () => connection.close());

  log('bundling the baseline workflows');
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('./baseline/workflows'),
    logger: new DefaultLogger('WARN'),
  });
  const bundlePath = join(tmp, 'baseline-workflow-bundle.js');
  writeFileSync(bundlePath, code);

  // As the launcher does: migrate once, so the gateway and the worker do not race to create the schema.
  const dataDir = join(tmp, 'herald-data');
  const database = openDatabase({ sqlitePath: join(dataDir, 'herald.sqlite') });
  await migrateToLatest(database.db);
  await database.close();

  log('starting the provider sandbox, Herald worker and gateway, and the baseline worker');
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const env = heraldEnv({
    TEMPORAL_ADDRESS: server.address,
    PORT: String(gatewayPort),
    SANDBOX_PORT: String(sandboxPort),
    PROVIDER_SANDBOX_URL: sandboxUrl,
    DATA_DIR: dataDir,
    HERALD_API_KEYS: API_KEY,
    LOG_LEVEL: 'warn',
    // As the launcher: the sandbox reports SendGrid events to the gateway (unused by SMS, set for parity).
    SANDBOX_SENDGRID_EVENT_WEBHOOK_URL: `http://127.0.0.1:${gatewayPort}/webhooks/sendgrid`,
  });
  const app = (name: string) => resolve(__dirname, '../apps', name, 'main.js');
  const [sandbox, worker, gateway] = ['sandbox', 'worker', 'gateway'].map((name) =>
    life.adopt(startNodeChild(name, app(name), env)),
  );
  const baselineWorker = life.adopt(
    startNodeChild('baseline-worker', resolve(__dirname, 'baseline/worker.js'), {
      ...process.env,
      TEMPORAL_ADDRESS: server.address,
      BENCH_BASELINE_BUNDLE: bundlePath,
      BENCH_BASELINE_TASK_QUEUE: BASELINE_QUEUE,
    }),
  );
  const herald: HeraldTarget = { gatewayUrl: `http://127.0.0.1:${gatewayPort}`, sandboxUrl, apiKey: API_KEY };
  await life.guard(waitForHttp(`${sandboxUrl}/sandbox/health`));
  await life.guard(waitForHttp(`${herald.gatewayUrl}/health`));
  await life.guard(baselineWorker.waitForLine(/baseline worker ready/, 60_000));

  return {
    client: new Client({ connection, namespace: 'default' }),
    herald,
    watched: [
      ...(serverPid ? [{ name: 'temporal', pid: serverPid }] : []),
      { name: 'herald-worker', pid: worker.pid },
      { name: 'gateway', pid: gateway.pid },
      { name: 'sandbox', pid: sandbox.pid },
      { name: 'baseline-worker', pid: baselineWorker.pid },
    ],
    temporal: describeServer(serverPid, tmp),
  };
}
