import type { InboxJobRef } from './webhook-enqueuer';
import { applyEventJobId, INBOX_RECEIVED_US_SQL } from './webhook-queue.contract';

type Queryable = { query(sql: string, params?: unknown[]): Promise<{ us: string }[]> };

/**
 * Inbox row `id` as its apply job is named, read from the database: for callers that hold only a row id (tests,
 * an operator's script). The hot path never needs it: every producer has received_at with the row it holds.
 */
export async function readInboxJobRef(db: Queryable, id: string): Promise<InboxJobRef> {
  const rows = await db.query(`SELECT ${INBOX_RECEIVED_US_SQL}::text AS us FROM webhook_events WHERE id = $1`, [id]);
  if (!rows[0]) throw new Error(`No inbox row ${id}`);
  return { id, receivedAtUs: rows[0].us };
}

/** The id of inbox row `id`'s apply job, as every producer names it. */
export async function readInboxJobId(db: Queryable, id: string): Promise<string> {
  const row = await readInboxJobRef(db, id);
  return applyEventJobId(row.id, row.receivedAtUs);
}
