import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalCliPath } from './temporal-binaries';

export interface DevServerOptions {
  port: number;
  /** UI port; `undefined` runs headless. */
  uiPort?: number;
  /** SQLite file to persist to; `undefined` keeps everything in memory. */
  dbFile?: string;
  /** Extra `--dynamic-config-value` / `--sqlite-pragma` flags (benchmarks use them). */
  extraArgs?: string[];
  /** Where the server's own output goes; defaults to ignoring it. */
  onOutput?: (line: string) => void;
}

export interface DevServer {
  address: string;
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` from the pinned binary in `.tools/` (or TEMPORAL_CLI_PATH), and waits until it
 * answers. Without a binary it falls back to the SDK's ephemeral server, which downloads the CLI (internet only).
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const address = `127.0.0.1:${options.port}`;
  const cli = temporalCliPath();
  const args = [
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--log-level',
    'warn',
    ...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    // WAL with synchronous=NORMAL: an OS crash may lose the last commits, a process crash loses nothing; measured
    // with `npm run bench` at ~1.5x the workflow throughput of SQLite's default FULL.
    ...(options.dbFile
      ? [
          '--db-filename',
          options.dbFile,
          '--sqlite-pragma',
          'journal_mode=WAL',
          '--sqlite-pragma',
          'synchronous=NORMAL',
        ]
      : []),
    ...(options.extraArgs ?? []),
  ];
  if (!cli) {
    const env = await TestWorkflowEnvironment.createLocal({
      server: { port: options.port, uiPort: options.uiPort, dbFilename: options.dbFile, extraArgs: options.extraArgs },
    });
    return { address: env.address, stop: () => env.teardown() };
  }
  const child = spawn(cli, ['server', 'start-dev', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  // If this process dies without stopping the server (a crashed test run), take the server with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  const forward = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter(Boolean)
      .forEach((l) => options.onOutput?.(l));
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  await waitForTemporal(address, child);
  return { address, stop: () => stopChild(child, 10_000) };
}

async function waitForTemporal(address: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`temporal dev server exited before answering on ${address}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.withDeadline(Date.now() + 1_000, () => connection.workflowService.getSystemInfo({}));
        return;
      } finally {
        await connection.close();
      }
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`temporal dev server did not answer on ${address} within ${timeoutMs} ms`);
}

/** SIGTERM, then SIGKILL if the process has not exited in time. */
export function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
