import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadCommonConfig } from '../../apps/common/config';
import { startDevServer, type DevServer } from '../../apps/common/dev-server';
import { createLogger } from '../../apps/common/logger';
import { createGatewayApp } from '../../apps/gateway/gateway';
import { createSandbox, type Sandbox } from '../../apps/sandbox/sandbox';
import { createWorker } from '../../apps/worker/create-worker';
import { freePort } from './ports';
import { sandboxClient, type SandboxClient } from './sandbox-client';
import { quietTemporalRuntime } from './temporal';
import { realWorkerDeps, type WorkerDeps } from './worker-deps';

export const TEST_API_KEY = 'test-key-1';

export interface Stack {
  gatewayUrl: string;
  sandboxUrl: string;
  apiKey: string;
  temporal: Client;
  providers: SandboxClient;
  deps: WorkerDeps;
  stop(): Promise<void>;
}

/**
 * The whole system as `npm start` runs it, in one test process: a real Temporal dev server (the pinned CLI),
 * the provider sandbox, a worker with the real activities, and the gateway on real HTTP. Ports are random and the
 * database is a fresh SQLite file, so test files never see each other's data.
 */
export async function startStack(): Promise<Stack> {
  quietTemporalRuntime();
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-e2e-'));
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(dataDir, { recursive: true, force: true })];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const server: DevServer = await startDevServer({ port: await freePort() });
    cleanups.push(() => server.stop());

    const sandbox: Sandbox = createSandbox({ logger: false });
    const sandboxUrl = await sandbox.listen(0);
    cleanups.push(() => sandbox.close());

    const deps = await realWorkerDeps(sandboxUrl, join(dataDir, 'herald.sqlite'));
    cleanups.push(() => deps.database.close());

    const nativeConnection = await NativeConnection.connect({ address: server.address });
    const worker = await createWorker({
      connection: nativeConnection,
      namespace: 'default',
      activities: deps.activities,
    });
    const running = worker.run();
    cleanups.push(async () => {
      worker.shutdown();
      await running;
      await nativeConnection.close();
    });

    const connection = await Connection.connect({ address: server.address });
    const temporal = new Client({ connection, namespace: 'default' });
    cleanups.push(() => connection.close());

    const config = {
      ...loadCommonConfig({ DATA_DIR: dataDir }),
      temporalAddress: server.address,
      host: '127.0.0.1',
      apiKeys: [TEST_API_KEY, 'test-key-2'],
      publicUrl: 'http://127.0.0.1',
    };
    const app: NestFastifyApplication = await createGatewayApp({
      config,
      temporal,
      messageLog: deps.messageLog,
      logger: createLogger('gateway-test', 'silent'),
    });
    await app.listen(0, '127.0.0.1');
    cleanups.push(() => app.close());
    const gatewayUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');

    return { gatewayUrl, sandboxUrl, apiKey: TEST_API_KEY, temporal, providers: sandboxClient(sandboxUrl), deps, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
