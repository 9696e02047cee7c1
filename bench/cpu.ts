import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * CPU time per process from /proc (Linux), so the report can say who was busy in each phase. Elsewhere it
 * quietly reports nothing.
 */
export interface WatchedProcess {
  name: string;
  pid: number;
}

export interface CpuSnapshot {
  at: number;
  /** CPU milliseconds used so far, per process name. */
  processes: Record<string, number>;
  /** Whole-machine jiffies from /proc/stat. */
  machine?: MachineJiffies;
}

interface MachineJiffies {
  busy: number;
  iowait: number;
  steal: number;
  total: number;
}

export interface CpuUsage {
  wallMs: number;
  /** CPU milliseconds each process used over the interval. */
  cpuMs: Record<string, number>;
  /** Average share of one core per process over the interval, in percent (200 % = both cores of a 2-core box). */
  percentOfCore: Record<string, number>;
  /** Share of all cores that were busy running something (ours or not), in percent; steal and iowait excluded. */
  machineBusy?: number;
  /** Share of all cores waiting on disk, and taken by the hypervisor, in percent. */
  iowait?: number;
  steal?: number;
  /** CPU that processes other than the watched ones used, in percent of one core: noise from neighbours. */
  others?: number;
}

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name start at field 3 (state); utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return undefined;
  }
}

function machineJiffies(): MachineJiffies | undefined {
  try {
    // user nice system idle iowait irq softirq steal
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = cpu.map((v) => v || 0);
    const busy = user + nice + system + irq + softirq;
    return { busy, iowait, steal, total: busy + idle + iowait + steal };
  } catch {
    return undefined;
  }
}

/** The pid of a process whose command line holds all of `parts` (e.g. the Temporal dev server on a port). */
export function findPid(parts: string[]): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (parts.every((part) => args.includes(part))) return Number(entry);
    } catch {
      // gone already
    }
  }
  return undefined;
}

export function cpuSnapshot(watched: readonly WatchedProcess[]): CpuSnapshot {
  const own = process.cpuUsage();
  const processes: Record<string, number> = { bench: (own.user + own.system) / 1000 };
  for (const { name, pid } of watched) {
    const ms = processCpuMs(pid);
    if (ms !== undefined) processes[name] = ms;
  }
  return { at: Date.now(), processes, machine: machineJiffies() };
}

export function cpuUsageBetween(before: CpuSnapshot, after: CpuSnapshot): CpuUsage {
  const wallMs = after.at - before.at;
  const cpuMs: Record<string, number> = {};
  const percentOfCore: Record<string, number> = {};
  for (const [name, ms] of Object.entries(after.processes)) {
    if (before.processes[name] === undefined) continue;
    cpuMs[name] = ms - before.processes[name];
    percentOfCore[name] = (cpuMs[name] / wallMs) * 100;
  }
  const usage: CpuUsage = { wallMs, cpuMs, percentOfCore };
  const [m0, m1] = [before.machine, after.machine];
  if (m0 && m1 && m1.total > m0.total) {
    const share = (key: keyof MachineJiffies) => ((m1[key] - m0[key]) / (m1.total - m0.total)) * 100;
    usage.machineBusy = share('busy');
    usage.iowait = share('iowait');
    usage.steal = share('steal');
    const ours = Object.values(percentOfCore).reduce((sum, v) => sum + v, 0);
    usage.others = Math.max(0, usage.machineBusy * cpus().length - ours);
  }
  return usage;
}
