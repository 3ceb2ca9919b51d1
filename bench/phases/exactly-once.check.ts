import type { BenchDatabase } from '../infra/bench-database';
import type { AcceptedEvent } from '../load/load-generator';
import { BENCH_REFERENCE_PREFIX, DATA_TYPES } from '../load/terra-deliveries';

export interface ExactlyOnceResult {
  accepted: number;
  inboxRows: number;
  processed: number;
  pending: number;
  failed: number;
  /** Rows that needed more than one attempt (a retry after a rolled-back failure is not a double apply). */
  retried: number;
  lost: number;
  doubled: number;
  detail: Record<string, number>;
  ok: boolean;
}

/**
 * After the drain: every accepted delivery applied exactly once. Lost = an acknowledged id that is not
 * processed, or a processed one without its effect (a data event without its health_data row, an auth
 * without its connection). Doubled = an id acknowledged twice, or an effect written twice: every key in
 * the generated mix is new, so a health_data row or a new connection whose updated_at moved past its
 * created_at was upserted by a second transaction.
 */
export async function checkExactlyOnce(db: BenchDatabase, events: AcceptedEvent[]): Promise<ExactlyOnceResult> {
  const ids = events.map((event) => event.eventId);
  const [inbox] = await db.query<Record<string, number>>(
    `SELECT count(*)::int AS rows, count(*) FILTER (WHERE status = 'processed')::int AS processed,
            count(*) FILTER (WHERE status = 'pending')::int AS pending, count(*) FILTER (WHERE status = 'failed')::int AS failed,
            count(*) FILTER (WHERE attempts > 1)::int AS retried, count(*) FILTER (WHERE duplicate_count > 0)::int AS duplicates
     FROM webhook_events`,
  );
  const [counts] = await db.query<Record<string, number>>(
    `SELECT
       (SELECT count(*)::int FROM unnest($1::bigint[]) AS a(id)
          WHERE NOT EXISTS (SELECT 1 FROM webhook_events w WHERE w.id = a.id AND w.status = 'processed')) AS not_processed,
       (SELECT count(*)::int FROM webhook_events w WHERE w.status = 'processed' AND w.type = ANY($2::text[])
          AND NOT EXISTS (SELECT 1 FROM health_data h WHERE h.webhook_event_id = w.id)) AS data_without_row,
       (SELECT count(*)::int FROM webhook_events w WHERE w.status = 'processed' AND w.type = 'auth'
          AND NOT EXISTS (SELECT 1 FROM terra_connections c WHERE c.terra_user_id = w.terra_user_id)) AS auth_without_connection,
       (SELECT count(*)::int FROM health_data) AS health_rows,
       (SELECT count(*)::int FROM webhook_events w WHERE w.status = 'processed' AND w.type = ANY($2::text[])) AS data_events,
       (SELECT count(*)::int FROM health_data WHERE updated_at <> created_at) AS health_rewritten,
       (SELECT count(*)::int FROM terra_connections WHERE reference_id LIKE $3 AND updated_at <> created_at) AS auth_rewritten`,
    [ids, DATA_TYPES, `${BENCH_REFERENCE_PREFIX}%`],
  );
  const answeredTwice = ids.length - new Set(ids).size;
  const extraHealthRows = Math.max(0, counts.health_rows - counts.data_events);
  const lost = counts.not_processed + counts.data_without_row + counts.auth_without_connection;
  const doubled = answeredTwice + counts.health_rewritten + counts.auth_rewritten + extraHealthRows + inbox.duplicates;
  return {
    accepted: ids.length,
    inboxRows: inbox.rows,
    processed: inbox.processed,
    pending: inbox.pending,
    failed: inbox.failed,
    retried: inbox.retried,
    lost,
    doubled,
    detail: { ...counts, answeredTwice, extraHealthRows, inboxDuplicates: inbox.duplicates },
    ok: lost === 0 && doubled === 0 && ids.length > 0,
  };
}
