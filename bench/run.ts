import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { projectRoot } from '../apps/common/temporal-binaries';
import { runBaselineLoad, type LoadOptions } from './baseline-load';
import { cpuSnapshot, cpuUsageBetween, type CpuUsage, type WatchedProcess } from './cpu';
import { runHeraldLoad, verifyHeraldRun } from './herald-load';
import { historyStats } from './history';
import { Lifecycle } from './lifecycle';
import { analyse, compare, formatReport, writeJson, type BenchReport, type Measured } from './report';
import { BASELINE_QUEUE, startStack } from './setup';
import { sleep } from './util';

/**
 * `npm run bench`: one Temporal dev server, a bare-Temporal baseline and Herald on it, in the order warm-up,
 * baseline, Herald, baseline; prints a report with ratios and writes it to bench/results/latest.json.
 * Speed never fails the bench; lost or undelivered messages and crashed processes do.
 *
 * Env: BENCH_MESSAGES (N per timed run, default 1000), BENCH_CONCURRENCY (C, default 50), BENCH_WARMUP (50).
 */
function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

/** Generous: a run that takes this long has lost messages, not just been slow. */
const runTimeoutMs = (n: number) => 120_000 + n * 200;
const log = (line: string) => console.log(`bench: ${line}`);

/** Runs one timed phase and records the CPU every watched process used during it. */
async function measure<T extends { workflowIds: string[] }>(
  life: Lifecycle,
  watched: WatchedProcess[],
  work: () => Promise<T>,
): Promise<{ run: T; result: Measured<T> }> {
  const before = cpuSnapshot(watched);
  const run = await life.guard(work());
  const cpu: CpuUsage = cpuUsageBetween(before, cpuSnapshot(watched));
  const { workflowIds: _ids, ...rest } = run;
  return { run, result: { ...rest, cpu } };
}

async function bench(life: Lifecycle): Promise<BenchReport> {
  const settings = {
    messages: intFromEnv('BENCH_MESSAGES', 1000),
    concurrency: intFromEnv('BENCH_CONCURRENCY', 50),
    warmup: intFromEnv('BENCH_WARMUP', 50),
  };
  const { messages: n, concurrency } = settings;
  const { client, herald: target, watched, temporal } = await startStack(life, log);
  const options = (runId: string, count = n): LoadOptions => ({
    n: count,
    concurrency,
    runId,
    timeoutMs: runTimeoutMs(count),
    signal: life.interrupted.signal,
  });

  log(`warm-up: ${settings.warmup} baseline workflows and ${settings.warmup} Herald messages (untimed)`);
  await life.guard(runBaselineLoad(client, BASELINE_QUEUE, options('warmup', settings.warmup)));
  await life.guard(runHeraldLoad(client, target, { ...options('warmup', settings.warmup), firstPhone: 9_000_000 }));
  await fetch(`${target.sandboxUrl}/sandbox/messages`, { method: 'DELETE' });
  await sleep(2_000);

  const baselineRun = async (runId: string) => {
    log(`${runId}: ${n} workflows, concurrency ${concurrency}`);
    const measured = await measure(life, watched, () => runBaselineLoad(client, BASELINE_QUEUE, options(runId)));
    log(`${runId}: ${measured.run.workflowsPerSecond.toFixed(1)} wf/s`);
    await sleep(2_000);
    return measured;
  };

  const baseline1 = await baselineRun('baseline-1');
  log(`herald: ${n} messages, concurrency ${concurrency}`);
  const herald = await measure(life, watched, () =>
    runHeraldLoad(client, target, { ...options('herald'), firstPhone: 0 }),
  );
  log(`herald: ${herald.run.messagesPerSecond.toFixed(1)} msg/s to sandbox receipt; checking the message log`);
  await life.guard(verifyHeraldRun(client, target, herald.run.workflowIds));
  await sleep(2_000);
  const baseline2 = await baselineRun('baseline-2');

  log('reading workflow histories');
  const history = {
    baseline: await historyStats(client, baseline1.run.workflowIds),
    herald: await historyStats(client, herald.run.workflowIds),
  };
  const baseline: BenchReport['baseline'] = [baseline1.result, baseline2.result];
  const partial = {
    generatedAt: new Date().toISOString(),
    settings,
    environment: {
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      platform: `${process.platform} ${process.arch}`,
      totalMemoryGiB: Math.round(totalmem() / 2 ** 30),
    },
    temporal,
    baseline,
    herald: herald.result,
    history,
    comparison: compare(baseline, herald.result, history),
  };
  return { ...partial, analysis: analyse(partial) };
}

async function main(): Promise<void> {
  const life = new Lifecycle();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) process.exit(130);
    console.error(`bench: ${signal} received, stopping everything`);
    life.interrupted.abort();
    void life.cleanUp().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Late errors while stopping (e.g. a result poll retrying on the closed connection) are expected; anything
  // else is fatal, and still cleans up.
  const onStray = (error: unknown) => {
    if (life.stopping) return;
    console.error('bench failed:', error);
    void life.cleanUp().then(() => process.exit(1));
  };
  process.on('uncaughtException', onStray);
  process.on('unhandledRejection', onStray);

  let exitCode = 0;
  try {
    const report = await bench(life);
    life.stopping = true;
    console.log(formatReport(report));
    const path = resolve(projectRoot, 'bench/results/latest.json');
    writeJson(path, report);
    console.log(`Report written to ${path}`);
  } catch (error) {
    const aborted = life.interrupted.signal.aborted;
    if (!aborted) console.error('bench failed:', error instanceof Error ? error.message : error);
    exitCode = aborted ? 130 : 1;
  } finally {
    await life.cleanUp();
  }
  process.exit(exitCode);
}

void main();
