import { Injectable } from '@nestjs/common';
import { ConnectionNotFoundError, resolveConnectionKey } from '@terra-connections/connections';
import { isCalendarDateOrDateTime, sqlState } from '@terra-connections/persistence';
import { DataSource } from 'typeorm';
import { DataReadBusyError } from '../webhook-ingest.errors';
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

interface Row extends Omit<HealthDataItem, 'payload'> {
  id: string;
  /** start_time as Postgres prints it: keeps the microseconds a JS Date would drop from the cursor. */
  startKey: string | null;
  /** Within the page's byte budget (PAGE_STORED_BYTES); the payload is only read when it is. */
  fits: boolean;
  /** The payload's size as JSON text (payload_bytes, else its stored size). */
  size: number;
}

/** Where a read reserves the bytes of the payloads it is about to hold (the API process's read budget). */
export interface ReadBudget {
  tryReserve(bytes: number): boolean;
  release(bytes: number): void;
}

/** A page of health data, and the bytes it holds of the read budget until the caller has sent it. */
export interface HealthDataPage extends Page<HealthDataItem> {
  reservedBytes: number;
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

  /**
   * Two statements: the page's rows and sizes, then (once `budget` took their bytes) their payloads. A page is
   * small, but one stored item can be tens of MB, and the API holds a payload several times over while it
   * sends it (text, parsed, serialised): without the budget six reads of a 45 MB item took the API to 873 MB.
   * Throws DataReadBusyError when the budget cannot take the page.
   */
  async list(id: string, filter: HealthDataFilter, budget?: ReadBudget): Promise<HealthDataPage> {
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
      // What we issue: a row id and a start time as Postgres printed it (or none). A forged time would reach
      // Postgres and fail there (22007/22008), logged as an error for what is only a bad cursor.
      if (!position.i || !/^\d{1,18}$/.test(position.i)) throw invalidCursor();
      if (position.s !== null && !isCalendarDateOrDateTime(position.s)) throw invalidCursor();
      params.push(position.s ?? NO_START, position.i);
      where.push(`(COALESCE(start_time, '-infinity'::timestamptz), id) > ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
    }
    params.push(filter.limit + 1, PAGE_STORED_BYTES);
    // limit + 1 rows tell whether a page follows; of those, the items within the byte budget (the first always)
    // are the page.
    const rows: Row[] = await this.dataSource
      .query(
        `SELECT id, type, "summaryId", date, "startTime", "startKey", "endTime", "updatedAt", size::int AS size,
                first OR through - size < $${params.length} AS fits
         FROM (SELECT limited.*, sum(size) OVER w AS through, row_number() OVER w = 1 AS first
               FROM (SELECT id, type, summary_id AS "summaryId", date::text AS date, start_time AS "startTime",
                            start_time::text AS "startKey", end_time AS "endTime", updated_at AS "updatedAt",
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
    const chosen = rows.slice(0, Math.min(filter.limit, within === -1 ? rows.length : within));
    const last = chosen[chosen.length - 1];
    const nextCursor = rows.length > chosen.length && last ? encodeCursor({ s: last.startKey, i: String(last.id) }) : null;
    const reservedBytes = chosen.reduce((sum, row) => sum + row.size, 0);
    if (budget && !budget.tryReserve(reservedBytes)) throw new DataReadBusyError();
    try {
      const payloads = new Map<string, unknown>(
        chosen.length === 0
          ? []
          : ((await this.dataSource.query(`SELECT id::text AS id, payload FROM health_data WHERE id = ANY($1::bigint[])`, [
              chosen.map((row) => row.id),
            ])) as { id: string; payload: unknown }[]).map((row) => [row.id, row.payload]),
      );
      // A record erased between the two statements is left out; the cursor still moves past it.
      const items = chosen
        .filter((row) => payloads.has(String(row.id)))
        .map(({ id: rowId, startKey: _startKey, fits: _fits, size: _size, ...item }) => ({ ...item, payload: payloads.get(String(rowId)) }));
      return { items, nextCursor, reservedBytes: budget ? reservedBytes : 0 };
    } catch (error) {
      budget?.release(reservedBytes);
      throw error;
    }
  }

  private async assertWaiting(id: string, waitingKey: string): Promise<void> {
    const rows: { known: boolean }[] = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM health_data WHERE connection_id = $1) AS known`,
      [waitingKey],
    );
    if (!rows[0]?.known) throw new ConnectionNotFoundError(id);
  }
}
