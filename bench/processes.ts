import { spawn, type ChildProcess } from 'node:child_process';
import { stopChild } from '../apps/common/dev-server';

/** A Node child process (a Herald app or the baseline worker) whose output is kept, not printed. */
export interface BenchChild {
  name: string;
  pid: number;
  process: ChildProcess;
  /** The last lines it wrote, for error messages. */
  tail(): string[];
  /** Resolves once a line matching `pattern` appears on its output. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const TAIL_LINES = 40;

/**
 * Runs `node <mainPath>` like the launcher's `startApp`, but keeps stdout (the sandbox logs one line per request)
 * in a short tail instead of printing it; stderr is forwarded with the app's name.
 */
export function startNodeChild(name: string, mainPath: string, env: NodeJS.ProcessEnv): BenchChild {
  const child = spawn(process.execPath, [mainPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const listeners: Array<(line: string) => void> = [];
  const prefix = `[${name}]`.padEnd(18);
  const collect = (forward: boolean) => (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line) continue;
      lines.push(line);
      if (lines.length > TAIL_LINES) lines.shift();
      if (forward) process.stderr.write(`${prefix} ${line}\n`);
      for (const listener of listeners) listener(line);
    }
  };
  child.stdout?.on('data', collect(false));
  child.stderr?.on('data', collect(true));
  if (child.pid === undefined) throw new Error(`could not start ${name} (${mainPath})`);

  return {
    name,
    pid: child.pid,
    process: child,
    tail: () => [...lines],
    waitForLine: (pattern, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        if (lines.some((l) => pattern.test(l))) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        listeners.push((line) => {
          if (pattern.test(line)) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (code ${code}) before it was ready:\n${lines.join('\n')}`));
        });
      }),
    // The Herald worker drains in-flight activities for up to 30 s on SIGTERM; the launcher waits 35 s too.
    stop: (graceMs = 35_000) => stopChild(child, graceMs),
  };
}
