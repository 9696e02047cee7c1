import { spawn, type ChildProcess } from 'node:child_process';
import { stopChild } from '../common/dev-server';

export interface Child {
  name: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Runs a compiled Herald app (`dist/apps/<name>/main.js`) as a child, its output prefixed with its name. */
export function startApp(
  name: string,
  mainPath: string,
  env: NodeJS.ProcessEnv,
  onExit: (code: number | null) => void,
): Child {
  const child = spawn(process.execPath, [mainPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${name}]`.padEnd(10);
  const forward = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) stream.write(`${prefix} ${line}\n`);
  };
  child.stdout?.on('data', forward(process.stdout));
  child.stderr?.on('data', forward(process.stderr));
  child.once('exit', (code) => onExit(code));
  // The worker drains in-flight activities for up to 30 s on SIGTERM, so give it a little longer.
  return { name, process: child, stop: () => stopChild(child, 35_000) };
}

/** Polls `url` until it answers 2xx, or fails after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs} ms (${last})`);
}
