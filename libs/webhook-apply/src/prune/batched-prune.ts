import { LOCK_HELD, withSessionLock } from '@terra-connections/persistence';
import type { DataSource, QueryRunner } from 'typeorm';

/** Rows per DELETE: each batch is its own short statement, so a large backlog never holds one long transaction. */
export const PRUNE_BATCH_SIZE = 5_000;

export interface PruneResult {
  /** Rows deleted by this run. */
  deleted: number;
  /** DELETE statements run; the last one deleted less than a full batch, unless the run stopped early. */
  batches: number;
  /** Why nothing was looked at: retention is 0, or another worker holds the prune lock. */
  skipped?: 'disabled' | 'locked';
  /** The run stopped between batches because the worker is shutting down; the next run carries on. */
  interrupted?: boolean;
}

export interface BatchedPrune {
  /** Session advisory lock: one run at a time across every worker; the loser returns at once. */
  lockId: number;
  /** Retention in days; 0 turns the prune off. */
  days: number;
  /** Deletes one batch of at most PRUNE_BATCH_SIZE rows older than `cutoff`; returns how many it deleted. */
  deleteBatch: (runner: QueryRunner, cutoff: Date) => Promise<number>;
  /** Checked between batches: a worker shutting down ends the run after its current batch. */
  stopping: () => boolean;
}

/**
 * The shape every retention job shares: under a session advisory lock on the one connection the run uses
 * (withSessionLock), one cutoff from Postgres' clock for the whole
 * run (the loop ends even while rows keep ageing), then short DELETE batches until one comes back short.
 */
export async function runBatchedPrune(dataSource: DataSource, prune: BatchedPrune): Promise<PruneResult> {
  if (prune.days <= 0) return { deleted: 0, batches: 0, skipped: 'disabled' };
  const outcome = await withSessionLock(dataSource, prune.lockId, async (runner) => {
    const [{ cutoff }]: { cutoff: Date }[] = await runner.query(`SELECT now() - make_interval(days => $1) AS cutoff`, [prune.days]);
    const result: PruneResult = { deleted: 0, batches: 0 };
    for (;;) {
      if (prune.stopping()) return { ...result, interrupted: true };
      const deleted = await prune.deleteBatch(runner, cutoff);
      result.batches += 1;
      result.deleted += deleted;
      if (deleted < PRUNE_BATCH_SIZE) return result;
    }
  });
  return outcome === LOCK_HELD ? { deleted: 0, batches: 0, skipped: 'locked' } : outcome;
}
