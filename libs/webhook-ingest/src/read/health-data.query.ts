import { Injectable } from '@nestjs/common';
import { ConnectionNotFoundError, resolveConnectionKey } from '@terra-connections/connections';
import { sqlState } from '@terra-connections/persistence';
import { DataSource } from 'typeorm';
import { decodeCursor, encodeCursor, invalidCursor, type Page } from './page-cursor';

export interface HealthDataFilter {
  type?: string;
  /** YYYY-MM-DD (compared with the record's day, inclusive) or an ISO date-time (start_time >= from). */
  from?: string;
  /** YYYY-MM-DD (inclusive) or an ISO date-time (start_time < to). */
  to?: string;
  limit: number;
  cursor?: string;
}

/** One stored health data record: Terra's item for one type, keyed by summary id or day. */
export interface HealthDataItem {
  type: string;
  /** Set for activity and sleep. */
  summaryId: string | null;
  /** The provider's local day (YYYY-MM-DD) for daily, body, nutrition, menstruation. */
  date: string | null;
  startTime: Date | null;
  endTime: Date | null;
  updatedAt: Date;
  /** The item as Terra sent it. */
  payload: unknown;
}

interface Row extends HealthDataItem {
  id: string;
  /** start_time as Postgres prints it: keeps the microseconds a JS Date would drop from the cursor. */
  startKey: string | null;
  /** Within the page's byte budget (PAGE_STORED_BYTES); the payload is only read when it is. */
  fits: boolean;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Bytes of the items one page returns, as JSON text (payload_bytes; rows stored before it was kept count their
 * stored, possibly compressed, size), at least one item whatever its size: a signed webhook can store items of tens of MB, and `limit=200` of those would have
 * the API hold gigabytes for one response. A page past the budget is shorter than `limit`; next_cursor goes on.
 */
export const PAGE_STORED_BYTES = 4 * 1024 * 1024;
const NO_START = '-infinity';

/**
 * What internal services read instead of our tables: one connection's health data (named by its
 * connection_id or any of its Terra ids; data of every id of the connection), oldest first by start_time
 * (athlete, which has none, first), keyset-paginated on (start_time, id).
 */
@Injectable()
export class HealthDataQuery {
  constructor(private readonly dataSource: DataSource) {}

  async list(id: string, filter: HealthDataFilter): Promise<Page<HealthDataItem>> {
    const key = await resolveConnectionKey(this.dataSource, id);
    const where = ['connection_id = $1'];
    const params: unknown[] = [key.connectionId];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (filter.type) add((n) => `type = ${n}`, filter.type);
    if (filter.from) {
      if (DATE_ONLY.test(filter.from)) add((n) => `date >= ${n}::date`, filter.from);
      else add((n) => `start_time >= ${n}::timestamptz`, filter.from);
    }
    if (filter.to) {
      if (DATE_ONLY.test(filter.to)) add((n) => `date <= ${n}::date`, filter.to);
      else add((n) => `start_time < ${n}::timestamptz`, filter.to);
    }
    if (filter.cursor) {
      const position = decodeCursor(filter.cursor, ['s', 'i'] as const);
      if (!position.i || !/^\d+$/.test(position.i)) throw invalidCursor();
      params.push(position.s ?? NO_START, position.i);
      where.push(`(COALESCE(start_time, '-infinity'::timestamptz), id) > ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
    }
    params.push(filter.limit + 1, PAGE_STORED_BYTES);
    // limit + 1 rows tell whether a page follows; of those, the items within the byte budget (the first always)
    // are the page, and only their payloads leave Postgres.
    const rows: Row[] = await this.dataSource
      .query(
        `SELECT id, type, "summaryId", date, "startTime", "startKey", "endTime", "updatedAt",
                first OR through - size < $${params.length} AS fits,
                CASE WHEN first OR through - size < $${params.length} THEN payload END AS payload
         FROM (SELECT limited.*, sum(size) OVER w AS through, row_number() OVER w = 1 AS first
               FROM (SELECT id, type, summary_id AS "summaryId", date::text AS date, start_time AS "startTime",
                            start_time::text AS "startKey", end_time AS "endTime", updated_at AS "updatedAt", payload,
                            COALESCE(payload_bytes, pg_column_size(payload)) AS size, COALESCE(start_time, '-infinity'::timestamptz) AS position
                     FROM health_data WHERE ${where.join(' AND ')}
                     ORDER BY COALESCE(start_time, '-infinity'::timestamptz), id
                     LIMIT $${params.length - 1}) AS limited
               WINDOW w AS (ORDER BY position, id)) AS page
         ORDER BY position, id`,
        params,
      )
      .catch((error: unknown) => {
        // A cursor that decodes but holds no timestamp: the caller's input, not our failure.
        if (filter.cursor && sqlState(error)?.startsWith('22')) throw invalidCursor();
        throw error;
      });
    // An id we have no connection for is known when data of it waits for its auth.
    if (rows.length === 0 && !filter.cursor && !key.known) await this.assertWaiting(id, key.connectionId);
    const within = rows.findIndex((row) => !row.fits);
    const items = rows.slice(0, Math.min(filter.limit, within === -1 ? rows.length : within));
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > items.length && last ? encodeCursor({ s: last.startKey, i: String(last.id) }) : null,
    };
  }

  private async assertWaiting(id: string, waitingKey: string): Promise<void> {
    const rows: { known: boolean }[] = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM health_data WHERE connection_id = $1) AS known`,
      [waitingKey],
    );
    if (!rows[0]?.known) throw new ConnectionNotFoundError(id);
  }
}
