/**
 * Rejects after `ms` when `promise` has not settled. The work itself is not cancelled, so use it only where
 * finishing late is harmless: a scrape or probe that must answer while a backend hangs, an enqueue under a
 * fixed jobId, an idempotent inbox insert. (Promise.race subscribes to `promise`, so a late rejection is
 * handled, never an unhandled rejection.)
 */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
