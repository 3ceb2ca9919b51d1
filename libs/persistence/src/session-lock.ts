import type { DataSource, QueryRunner } from 'typeorm';

/** What withSessionLock answers when another session holds the lock. */
export const LOCK_HELD = Symbol('lock held elsewhere');

/**
 * Runs `run` on one connection of its own while holding a session advisory lock: one run at a time across
 * every worker, and the loser gets LOCK_HELD at once. A worker that dies mid-run releases the lock with its
 * connection, so a failed unlock (the connection is gone) is not an error; the run's own error wins.
 */
export async function withSessionLock<T>(dataSource: DataSource, lockId: number, run: (runner: QueryRunner) => Promise<T>): Promise<T | typeof LOCK_HELD> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const [{ locked }]: { locked: boolean }[] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [lockId]);
    if (!locked) return LOCK_HELD;
    try {
      return await run(runner);
    } finally {
      // A run that left its transaction open (aborted, say) would make the unlock fail on a live connection, and
      // the pool would hand that connection out again still holding the lock.
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.query('SELECT pg_advisory_unlock($1)', [lockId]).catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}
