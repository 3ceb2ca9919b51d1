import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

const CLK_TCK = clockTicksPerSecond();

/** utime + stime of a process in seconds, from /proc/<pid>/stat; undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), counted from field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

export interface MemorySample {
  rssMb: number;
  /** VmHWM: the kernel's peak resident set since the process started. */
  peakRssMb: number;
}

export function memory(pid: number): MemorySample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** CPU % (100 = one core) of a set of processes over a window: start(), then read() at its end. */
export class CpuWindow {
  private readonly start = new Map<number, number>();
  private readonly startedAt = process.hrtime.bigint();

  constructor(pids: number[]) {
    for (const pid of pids) {
      const seconds = cpuSeconds(pid);
      if (seconds !== undefined) this.start.set(pid, seconds);
    }
  }

  /** Summed CPU % of every process still alive (a process that exited counts up to its last sample). */
  percent(): number {
    const elapsed = Number(process.hrtime.bigint() - this.startedAt) / 1e9;
    let used = 0;
    for (const [pid, before] of this.start) used += (cpuSeconds(pid) ?? before) - before;
    return elapsed > 0 ? (100 * used) / elapsed : 0;
  }
}

/** Samples VmRSS every interval, so the peak of one phase is known even in a long-lived process. */
export class RssPeakSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const sample = memory(this.pid);
    if (sample) this.peak = Math.max(this.peak, sample.rssMb);
  }

  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

/** Busy CPU seconds of the whole machine (all cores), from /proc/stat. */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / CLK_TCK;
}
