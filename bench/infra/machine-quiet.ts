import { setTimeout as sleep } from 'node:timers/promises';
import { machineBusySeconds } from './proc-stats';

/** Machine CPU % (200 = both cores of this box) over the next `ms`. */
export async function machineBusyPercent(ms = 1_000): Promise<number> {
  const before = machineBusySeconds();
  await sleep(ms);
  return (100 * (machineBusySeconds() - before)) / (ms / 1000);
}

/**
 * Other work on a shared box (test suites of other sessions) skews everything measured. Before a
 * measured run, wait (bounded) until the machine is nearly idle; the run records what it found either way.
 */
export async function waitForQuiet(maxWaitMs: number, busyBelow = 35): Promise<{ waitedMs: number; busyPercent: number }> {
  const started = Date.now();
  const limit = Math.min(maxWaitMs, budgetMs);
  for (;;) {
    const busy = await machineBusyPercent(limit > 0 ? 1_000 : 200);
    if (busy < busyBelow || Date.now() - started >= limit) {
      const waitedMs = Date.now() - started;
      budgetMs = Math.max(0, budgetMs - waitedMs);
      return { waitedMs, busyPercent: Math.round(busy) };
    }
  }
}

let budgetMs = Number.POSITIVE_INFINITY;

/** Bounds the total time all waits of one invocation may take, so a busy box cannot stretch the run. */
export function setQuietBudget(ms: number): void {
  budgetMs = ms;
}
