import { applyEventJobId, INBOX_RECEIVED_US_SQL, type InboxJobRef } from '@terra-connections/queue';

type Queryable = { query(sql: string, params?: unknown[]): Promise<{ us: string }[]> };

/** Inbox row `id` as its apply job is named (its received_at is part of the name), read from the database. */
export async function inboxJobRef(db: Queryable, id: string): Promise<InboxJobRef> {
  const rows = await db.query(`SELECT ${INBOX_RECEIVED_US_SQL}::text AS us FROM webhook_events WHERE id = $1`, [id]);
  if (!rows[0]) throw new Error(`No inbox row ${id}`);
  return { id, receivedAtUs: rows[0].us };
}

/** The id of inbox row `id`'s apply job, as every producer names it. */
export async function inboxJobId(db: Queryable, id: string): Promise<string> {
  const row = await inboxJobRef(db, id);
  return applyEventJobId(row.id, row.receivedAtUs);
}
