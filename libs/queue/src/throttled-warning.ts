import type { Logger } from '@nestjs/common';

/** Redis errors repeat on every reconnect attempt during an outage: one log line per window. */
const ERROR_LOG_INTERVAL_MS = 30_000;

/** A warning logged at most once per `intervalMs`: for the 'error' events of BullMQ's queues and workers. */
export function throttledWarning(logger: Pick<Logger, 'warn'>, intervalMs = ERROR_LOG_INTERVAL_MS, now: () => number = Date.now): (message: string) => void {
  let last = -Infinity;
  return (message) => {
    if (now() - last < intervalMs) return;
    last = now();
    logger.warn(message);
  };
}
