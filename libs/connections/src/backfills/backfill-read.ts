import type { DataSource } from 'typeorm';
import { deriveStatus, type Backfill, type BackfillRequestStatus, type BackfillStatus, type BackfillTypeProgress } from './backfill.model';

interface BackfillRow {
  id: string;
  connection_id: string;
  terra_user_id: string;
  provider: string | null;
  trigger: Backfill['trigger'];
  status: BackfillStatus;
  start_date: string | null;
  end_date: string | null;
  types: string[] | null;
  message: string | null;
  created_at: Date;
  created_us: string;
  updated_at: Date;
  finished_at: Date | null;
}

/** A backfill with its place in the newest-first listing: the page cursor. */
export interface ListedBackfill extends Backfill {
  /** created_at in microseconds since the epoch: a JS Date keeps milliseconds, and rows made in one millisecond would tie. */
  listPosition: string;
}

interface TypeRow {
  backfill_id: string;
  data_type: string;
  requests: { status: BackfillRequestStatus; next_at: string | null; requests_made: number; reason: string | null; outstanding: boolean; last_activity_at: string | null }[];
  chunks_received: number;
  chunks_expected: number | null;
  dates_stored: number;
}

export interface BackfillFilter {
  ids?: string[];
  connectionId?: string;
  /** After this place in the listing (ListedBackfill.listPosition and id). */
  after?: { listPosition: string; id: string };
  status?: BackfillStatus;
  limit?: number;
}

/**
 * Backfills with their per-type progress: requests made, chunks received and announced (over every call of the
 * type), dates of the type stored for the connection within the range, the latest reason, the next action.
 */
export async function readBackfills(dataSource: DataSource, filter: BackfillFilter, stallSeconds = 0): Promise<ListedBackfill[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (filter.ids) {
    params.push(filter.ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id)));
    where.push(`id = ANY($${params.length}::uuid[])`);
  }
  if (filter.connectionId) {
    params.push(filter.connectionId);
    where.push(`connection_id = $${params.length}::uuid`);
  }
  if (filter.after) {
    params.push(filter.after.listPosition, filter.after.id);
    where.push(`(created_at, id) < (timestamptz 'epoch' + $${params.length - 1}::bigint * interval '1 microsecond', $${params.length}::uuid)`);
  }
  if (filter.status) {
    params.push(filter.status);
    where.push(`status = $${params.length}`);
  }
  params.push(filter.limit ?? 100);
  const rows: BackfillRow[] = await dataSource.query(
    `SELECT id, connection_id, terra_user_id, provider, trigger, status, start_date::text, end_date::text, types, message, created_at,
            (extract(epoch FROM created_at) * 1000000)::bigint::text AS created_us, updated_at, finished_at
     FROM backfills ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  if (rows.length === 0) return [];
  const types: TypeRow[] = await dataSource.query(
    `SELECT r.backfill_id, r.data_type,
            json_agg(json_build_object('status', r.status, 'next_at', r.next_at, 'requests_made', r.requests_made, 'reason', r.reason,
                     'outstanding', r.reference IS NOT NULL, 'last_activity_at', r.last_activity_at) ORDER BY r.id) AS requests,
            COALESCE(sum(c.received), 0)::int AS chunks_received,
            CASE WHEN bool_or(c.expected IS NOT NULL) THEN sum(c.expected)::int END AS chunks_expected,
            (SELECT count(DISTINCT h.date)::int FROM health_data h
              WHERE h.connection_id = b.connection_id AND h.type = r.data_type
                AND (r.data_type = 'athlete' OR h.date BETWEEN b.start_date AND b.end_date)) AS dates_stored
     FROM backfill_requests r JOIN backfills b ON b.id = r.backfill_id
     LEFT JOIN LATERAL (SELECT sum(received_payloads) AS received, sum(expected_payloads) FILTER (WHERE large) AS expected
                        FROM backfill_calls WHERE request_id = r.id) c ON true
     WHERE r.backfill_id = ANY($1::uuid[]) GROUP BY r.backfill_id, r.data_type, b.connection_id, b.start_date, b.end_date`,
    [rows.map((row) => row.id)],
  );
  return rows.map((row) => ({
    id: row.id,
    connectionId: row.connection_id,
    terraUserId: row.terra_user_id,
    provider: row.provider,
    trigger: row.trigger,
    status: row.status,
    startDate: row.start_date,
    endDate: row.end_date,
    types: row.types,
    message: row.message,
    createdAt: row.created_at,
    listPosition: row.created_us,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
    progress: types
      .filter((type) => type.backfill_id === row.id)
      .sort((a, b) => a.data_type.localeCompare(b.data_type))
      .map((type) => progressOf(type, stallSeconds)),
  }));
}

function progressOf(row: TypeRow, stallSeconds: number): BackfillTypeProgress {
  const requests = row.requests.map((r) => ({ status: r.status, nextAt: r.next_at ? new Date(r.next_at) : null, requestsMade: r.requests_made }));
  const nextTimes = row.requests
    .map((r) => (r.outstanding && r.last_activity_at ? new Date(Date.parse(r.last_activity_at) + stallSeconds * 1000) : r.next_at ? new Date(r.next_at) : null))
    .filter((at): at is Date => at !== null)
    .sort((a, b) => a.getTime() - b.getTime());
  const reason = [...row.requests].reverse().find((r) => r.reason && (r.status === 'failed' || r.status === 'waiting' || r.status === 'stalled'))?.reason ?? null;
  return {
    type: row.data_type,
    status: deriveStatus(requests),
    requestsMade: row.requests.reduce((sum, r) => sum + r.requests_made, 0),
    chunksReceived: row.chunks_received,
    chunksExpected: row.chunks_expected,
    datesStored: row.dates_stored,
    reason,
    nextActionAt: nextTimes[0] ?? null,
  };
}
