import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BaselineRun } from './baseline-load';
import type { CpuUsage } from './cpu';
import type { HeraldRun } from './herald-load';
import type { HistoryStats } from './history';
import { mean } from './stats';

export type Measured<T> = Omit<T, 'workflowIds'> & { cpu: CpuUsage };

export interface BenchReport {
  generatedAt: string;
  settings: { messages: number; concurrency: number; warmup: number };
  environment: { node: string; cpus: number; cpuModel: string; platform: string; totalMemoryGiB: number };
  temporal: { cli: string; command: string; notes: string };
  /** Run #1 (before Herald) and run #2 (after it). */
  baseline: [Measured<BaselineRun>, Measured<BaselineRun>];
  herald: Measured<HeraldRun>;
  history: { baseline: HistoryStats; herald: HistoryStats };
  comparison: Comparison;
  analysis: string[];
}

export interface Comparison {
  baselineWorkflowsPerSecond: number;
  /** Change from baseline run #1 to run #2, in percent: how much the machine drifted during the bench. */
  baselineDriftPercent: number;
  heraldMessagesPerSecond: number;
  heraldCompletedPerSecond: number;
  /** Herald messages/s (to sandbox receipt) ÷ baseline workflows/s (mean of both runs). */
  ratio: number;
  /** Herald completed/s ÷ baseline workflows/s. */
  completedRatio: number;
  /** Herald to-receipt ÷ baseline to-activity: the like-for-like "first provider call" rate. */
  firstCallRatio: number;
  eventsRatio: number;
  cpuMsPerMessage: { baseline: Record<string, number>; herald: Record<string, number> };
}

/** CPU (% of one core) used by processes outside the bench above which a phase counts as disturbed. */
const NOISE_LIMIT = 25;

const total = (values: Record<string, number>) => Object.values(values).reduce((sum, v) => sum + v, 0);

function perMessage(cpu: CpuUsage, n: number): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [name, ms] of Object.entries(cpu.cpuMs)) if (ms / n >= 0.05) result[name] = ms / n;
  result.total = total(cpu.cpuMs) / n;
  return result;
}

function meanRecord(records: Record<string, number>[]): Record<string, number> {
  const keys = new Set(records.flatMap((r) => Object.keys(r)));
  return Object.fromEntries([...keys].map((k) => [k, mean(records.map((r) => r[k] ?? 0))]));
}

export function compare(
  baseline: [Measured<BaselineRun>, Measured<BaselineRun>],
  herald: Measured<HeraldRun>,
  history: BenchReport['history'],
): Comparison {
  const baselineWps = mean(baseline.map((b) => b.workflowsPerSecond));
  return {
    baselineWorkflowsPerSecond: baselineWps,
    baselineDriftPercent:
      ((baseline[1].workflowsPerSecond - baseline[0].workflowsPerSecond) / baseline[0].workflowsPerSecond) * 100,
    heraldMessagesPerSecond: herald.messagesPerSecond,
    heraldCompletedPerSecond: herald.completedPerSecond,
    ratio: herald.messagesPerSecond / baselineWps,
    completedRatio: herald.completedPerSecond / baselineWps,
    firstCallRatio: herald.messagesPerSecond / mean(baseline.map((b) => b.reachedActivityPerSecond)),
    eventsRatio: history.herald.meanEvents / history.baseline.meanEvents,
    cpuMsPerMessage: {
      baseline: meanRecord(baseline.map((b) => perMessage(b.cpu, b.n))),
      herald: perMessage(herald.cpu, herald.n),
    },
  };
}

const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '–');
const f0 = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '–');
const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');

function listCpu(values: Record<string, number>): string {
  return Object.entries(values)
    .filter(([name]) => name !== 'total')
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => `${name} ${f1(ms)}`)
    .join(', ');
}

/**
 * Ceilings implied by CPU cost: the dev server persists through one SQLite connection, so it tops out near one
 * core (it sits at ~100 % in the baseline runs with CPU to spare); and everything together cannot use more than
 * the machine's cores.
 */
function ceilings(cpuMs: Record<string, number>, cores: number): { temporal: number; machine: number } {
  return { temporal: 1000 / (cpuMs.temporal ?? NaN), machine: (cores * 1000) / cpuMs.total };
}

/** Where Herald's extra time goes: structural costs first, then who was busy. */
export function analyse(report: Omit<BenchReport, 'analysis'>): string[] {
  const { comparison: c, herald: h, baseline: b, history, environment } = report;
  const startCallP50 = mean(b.map((r) => r.startCallMs.p50));
  const startCallP99 = mean(b.map((r) => r.startCallMs.p99));
  const extraEvents = Object.entries(history.herald.perType)
    .map(([type, count]) => [type, count - (history.baseline.perType[type] ?? 0)] as const)
    .filter(([, extra]) => extra >= 0.05)
    .sort((x, y) => y[1] - x[1])
    .map(([type, extra]) => `${type} +${f1(extra)}`)
    .join(', ');
  const cpu = c.cpuMsPerMessage;
  const bc = ceilings(cpu.baseline, environment.cpus);
  const hc = ceilings(cpu.herald, environment.cpus);
  const binding = (x: { temporal: number; machine: number }) =>
    x.temporal <= x.machine ? 'the dev server' : 'the whole machine';

  const lines = [
    c.ratio < 0.8
      ? `Herald reaches ${f2(c.ratio)}× the baseline, below 0.8×.`
      : `Herald reaches ${f2(c.ratio)}× the baseline (at or above 0.8×).`,
    `History: ${f1(history.herald.meanEvents)} events per message vs ${f1(history.baseline.meanEvents)} for the bare ` +
      `workflow (×${f2(c.eventsRatio)}); every event goes through the dev server's single history shard. ` +
      `Herald's extra events: ${extraEvents || 'none'}.`,
    `Temporal server CPU per message: Herald ${f1(cpu.herald.temporal ?? NaN)} ms vs baseline ` +
      `${f1(cpu.baseline.temporal ?? NaN)} ms (×${f2((cpu.herald.temporal ?? NaN) / (cpu.baseline.temporal ?? NaN))}).`,
    `CPU per message, all processes: Herald ${f1(cpu.herald.total)} ms (${listCpu(cpu.herald)}) vs baseline ` +
      `${f1(cpu.baseline.total)} ms (${listCpu(cpu.baseline)}).`,
    `Ceilings from those costs — dev server at one core, or all ${environment.cpus} cores: baseline ` +
      `${f0(bc.temporal)} / ${f0(bc.machine)} wf/s (measured ${f0(c.baselineWorkflowsPerSecond)}, bound by ` +
      `${binding(bc)}); Herald ${f0(hc.temporal)} / ${f0(hc.machine)} msg/s (measured ${f0(c.heraldMessagesPerSecond)}, ` +
      `bound by ${binding(hc)}). Machine busy: ${f0(h.cpu.machineBusy ?? NaN)} % during Herald, ` +
      `${f0(mean(b.map((r) => r.cpu.machineBusy ?? NaN)))} % during the baseline runs.`,
    `Gateway: accepted ${f0(h.acceptedPerSecond)} requests/s (vs ${f0(c.heraldMessagesPerSecond)} msg/s delivered), ` +
      `202 after p50 ${f0(h.acceptMs.p50)} / p99 ${f0(h.acceptMs.p99)} ms vs a bare start call p50 ` +
      `${f0(startCallP50)} / p99 ${f0(startCallP99)} ms from the bench (${f0(mean(b.map((r) => r.startedPerSecond)))} ` +
      `starts/s): the gateway is not the limit when it accepts faster than messages are delivered.`,
    `Latency to completion includes waiting for the provider's final status (the sandbox reports an SMS delivered ` +
      `600 ms after accepting it): latency, not throughput.`,
  ];
  const noisy = [b[0], h, b[1]].some((r) => (r.cpu.others ?? 0) > NOISE_LIMIT);
  if (noisy) {
    lines.unshift(
      `Warning: processes outside the bench used more than ${NOISE_LIMIT} % of a core during a timed phase (see ` +
        `"other processes"), so the throughput ratio is unreliable; the CPU-per-message and events-per-message ` +
        `figures hold up better. Rerun on a quieter machine for a clean ratio.`,
    );
  }
  return lines;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  return rows
    .map((r) => r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('  '))
    .join('\n');
}

export function formatReport(report: BenchReport): string {
  const [b1, b2] = report.baseline;
  const h = report.herald;
  const c = report.comparison;
  const bm = (pick: (r: Measured<BaselineRun>) => number) => mean([pick(b1), pick(b2)]);
  const row = (label: string, pick: (r: Measured<BaselineRun>) => number, herald: number, fmt = f1): string[] => [
    label,
    fmt(pick(b1)),
    fmt(pick(b2)),
    fmt(bm(pick)),
    fmt(herald),
    f2(herald / bm(pick)),
  ];
  const main = table([
    ['', 'baseline #1', 'baseline #2', 'baseline mean', 'Herald', 'Herald/base'],
    row('completed /s', (r) => r.workflowsPerSecond, h.completedPerSecond),
    row('first call /s  (activity | sandbox receipt)', (r) => r.reachedActivityPerSecond, h.messagesPerSecond),
    row('start → first call p50 ms', (r) => r.latencyToActivityMs.p50, h.latencyToReceiptMs.p50),
    row('start → first call p99 ms', (r) => r.latencyToActivityMs.p99, h.latencyToReceiptMs.p99),
    row('accepted /s  (start calls | 202s)', (r) => r.startedPerSecond, h.acceptedPerSecond),
    row('accepted p50 ms  (start call | 202)', (r) => r.startCallMs.p50, h.acceptMs.p50),
    row('accepted p99 ms  (start call | 202)', (r) => r.startCallMs.p99, h.acceptMs.p99),
    row('start → completed p50 ms', (r) => r.latencyToResultMs.p50, h.latencyToCompletedMs.p50),
    row('start → completed p99 ms', (r) => r.latencyToResultMs.p99, h.latencyToCompletedMs.p99),
    row('elapsed s', (r) => r.elapsedMs / 1000, h.elapsedToCompletedMs / 1000),
    [
      'history events / workflow',
      f1(report.history.baseline.meanEvents),
      '',
      f1(report.history.baseline.meanEvents),
      f1(report.history.herald.meanEvents),
      f2(c.eventsRatio),
    ],
    [
      'CPU ms / message (all processes)',
      f1(total(b1.cpu.cpuMs) / b1.n),
      f1(total(b2.cpu.cpuMs) / b2.n),
      f1(c.cpuMsPerMessage.baseline.total),
      f1(c.cpuMsPerMessage.herald.total),
      f2(c.cpuMsPerMessage.herald.total / c.cpuMsPerMessage.baseline.total),
    ],
  ]);

  const names = [...new Set([b1, h, b2].flatMap((r) => Object.keys(r.cpu.percentOfCore)))];
  const pct = (cpu: CpuUsage, name: string) =>
    cpu.percentOfCore[name] === undefined ? '–' : f0(cpu.percentOfCore[name]);
  const cpuTable = table([
    ['CPU, % of one core', 'baseline #1', 'Herald', 'baseline #2'],
    ...names.map((name) => [name, pct(b1.cpu, name), pct(h.cpu, name), pct(b2.cpu, name)]),
    ['other processes (not ours)', ...[b1, h, b2].map((r) => f0(r.cpu.others ?? NaN))],
    ['machine busy, % of all cores', ...[b1, h, b2].map((r) => f0(r.cpu.machineBusy ?? NaN))],
    ['iowait, % of all cores', ...[b1, h, b2].map((r) => f0(r.cpu.iowait ?? NaN))],
    ['steal, % of all cores', ...[b1, h, b2].map((r) => f0(r.cpu.steal ?? NaN))],
  ]);

  const e = report.environment;
  return [
    '',
    `Herald benchmark — ${report.generatedAt}`,
    `  N ${report.settings.messages} per run, concurrency ${report.settings.concurrency}, warm-up ${report.settings.warmup} of each (untimed)`,
    `  Node ${e.node}, ${e.cpus} CPUs (${e.cpuModel}), ${e.totalMemoryGiB} GiB, ${e.platform}`,
    `  Temporal ${report.temporal.cli}: ${report.temporal.command}`,
    `  ${report.temporal.notes}`,
    '',
    main,
    '',
    `Herald: ${f1(c.heraldMessagesPerSecond)} msg/s to sandbox receipt, ${f1(c.heraldCompletedPerSecond)} completed/s; ` +
      `baseline ${f1(c.baselineWorkflowsPerSecond)} wf/s (runs ${f1(b1.workflowsPerSecond)} and ${f1(b2.workflowsPerSecond)}, drift ${f1(c.baselineDriftPercent)} %).`,
    `Ratio Herald/baseline: ${f2(c.ratio)} (msg/s to receipt ÷ wf/s), ${f2(c.completedRatio)} (completed ÷ completed).`,
    h.duplicateReceipts ? `Warning: the sandbox received ${h.duplicateReceipts} duplicate SMS.` : '',
    '',
    cpuTable,
    '',
    'Where the time goes:',
    ...report.analysis.map((line) => `  - ${line}`),
    '',
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n');
}

export function writeJson(path: string, report: BenchReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
