import type { BenchDatabase } from '../infra/bench-database';
import { summarize, type LatencySummary } from '../load/latency-stats';
import type { BenchSettings } from '../infra/bench-settings';
import type { RunTarget, SystemUnderTest } from '../systems/system-under-test';

export interface PhaseContext {
  settings: BenchSettings;
  /** bench/results/<timestamp>/: child logs and profiles of this invocation. */
  logDir: string;
  log: (line: string) => void;
}

/** Product and floor in alternation, P F F P ...: whatever drifts over the run hits both sides alike. */
export function alternate(systems: [SystemUnderTest, SystemUnderTest], rounds: number): SystemUnderTest[] {
  const order: SystemUnderTest[] = [];
  for (let round = 0; round < rounds; round += 1) order.push(...(round % 2 === 0 ? systems : [systems[1], systems[0]]));
  return order;
}

export function target(db: BenchDatabase, prefix: string, context: PhaseContext, label: string): RunTarget {
  return { db, prefix, logDir: context.logDir, label };
}

export function mean(values: number[]): number {
  return values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : NaN;
}

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** CPU milliseconds per event of a process running at `cpuPercent` while handling `perSecond` events. */
export function cpuMsPerEvent(cpuPercent: number, perSecond: number): number {
  return perSecond > 0 ? Math.round((cpuPercent * 10 * 1000) / perSecond) / 1000 : NaN;
}

/** The round with the lowest p99: interference from other work on a shared box only ever adds latency. */
export function bestLatency(rounds: number[][]): LatencySummary {
  return rounds.map((samples) => summarize(samples)).reduce((best, next) => (next.p99 < best.p99 ? next : best));
}
