import type { EntityManager } from 'typeorm';

/**
 * Two connections became one (a `user_reauth` whose new id's own `auth` was applied first, so the new id had a
 * connection of its own for a while). Called by the state module in the transaction that joins them, under the
 * locks of every Terra id of both, so no request of either is being reserved meanwhile.
 *
 * - The backfills of the connection that goes follow it into the one that stays, like its data.
 * - An on-connect backfill already planned for the connection that goes, that has made no call yet, was planned
 *   for a connection with no history: the whole window. It goes back to unplanned, so the planner asks only for
 *   the gap since the joined connection's last stored data. Its queued request jobs find no row and do nothing.
 *   (Waiting for the rate budget is no call.) One that has made a call keeps its range: its data lands in the
 *   joined connection all the same.
 * - At most one unplanned on-connect backfill is left (the oldest), as the trigger guarantees for one connection.
 */
export async function joinBackfills(tx: EntityManager, goes: string, stays: string): Promise<void> {
  await tx.query(
    `WITH unsent AS (
       SELECT b.id FROM backfills b
       WHERE b.connection_id = $1 AND b.trigger = 'connect' AND b.status IN ('scheduled', 'waiting') AND b.start_date IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM backfill_requests r WHERE r.backfill_id = b.id AND r.requests_made > 0)),
     dropped AS (DELETE FROM backfill_requests r USING unsent WHERE r.backfill_id = unsent.id)
     UPDATE backfills b SET status = 'scheduled', start_date = NULL, end_date = NULL, types = NULL, message = NULL FROM unsent WHERE b.id = unsent.id`,
    [goes],
  );
  await tx.query(`UPDATE backfills SET connection_id = $2, updated_at = now() WHERE connection_id = $1`, [goes, stays]);
  await tx.query(
    `DELETE FROM backfills b
     WHERE b.connection_id = $1 AND b.trigger = 'connect' AND b.status = 'scheduled' AND b.start_date IS NULL
       AND b.id <> (SELECT id FROM backfills WHERE connection_id = $1 AND trigger = 'connect' AND status = 'scheduled' AND start_date IS NULL
                    ORDER BY created_at, id LIMIT 1)`,
    [stays],
  );
}
