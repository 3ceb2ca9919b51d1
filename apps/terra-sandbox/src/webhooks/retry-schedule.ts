/**
 * Terra's webhook retry schedule as terra-contract.md §4 fixes it for the sandbox: first attempt at once, then
 * retries after 30 s, 60 s, 120 s ... doubling, each capped at 8 h, at most 10 retries. The time scale
 * multiplies every delay so tests run the real schedule in milliseconds.
 */
export const MAX_WEBHOOK_RETRIES = 10;
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_DELAY_MS = 8 * 60 * 60 * 1000;

/** Delay before retry number `retry` (1-based), or undefined once the retries are used up. */
export function retryDelayMs(retry: number, timeScale: number): number | undefined {
  if (retry < 1 || retry > MAX_WEBHOOK_RETRIES) return undefined;
  return Math.min(FIRST_RETRY_MS * 2 ** (retry - 1), MAX_RETRY_DELAY_MS) * timeScale;
}
