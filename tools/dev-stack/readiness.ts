import { delay, type SupervisedProcess } from '@terra-connections/process';
import { DevStackError } from './dev-stack.error';

/** The HTTP status a URL answers with, or undefined when nothing answers (yet). */
export async function httpStatus(url: string, headers: Record<string, string> = {}): Promise<number | undefined> {
  try {
    const response = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return undefined;
  }
}

/**
 * Polls `probe` until it says yes. Fails with a sentence when the process dies first (its last output is
 * already on screen) or when `timeoutMs` passes.
 */
export async function waitUntilReady(
  child: SupervisedProcess,
  probe: () => Promise<boolean>,
  { timeoutMs, what }: { timeoutMs: number; what: string },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!child.running) {
      throw new DevStackError(`${child.name} ${child.describeExit()} before it could ${what}; its last output is above.`);
    }
    if (await probe()) return;
    if (Date.now() > deadline) {
      throw new DevStackError(`${child.name} did not ${what} within ${Math.round(timeoutMs / 1000)} s; its output is above.`);
    }
    await delay(200);
  }
}
