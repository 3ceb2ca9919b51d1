import { Injectable } from '@nestjs/common';
import { ConnectionNotFoundError } from '@terra-connections/connections';
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

export interface HealthDataItem {
  type: string;
  summary_id?: string;
  date?: string;
  start_time: string | null;
  end_time: string | null;
  updated_at: string;
  payload: unknown;
}

interface Row {
  id: string;
  type: string;
  summary_id: string | null;
  date: string | null;
  start_time: Date | null;
  /** start_time as Postgres prints it: keeps the microseconds a JS Date would drop from the cursor. */
  start_key: string | null;
  end_time: Date | null;
  updated_at: Date;
  payload: unknown;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const NO_START = '-infinity';

/**
 * What internal services read instead of our tables: one connection's health data, oldest first by
 * start_time (athlete, which has none, first), keyset-paginated on (start_time, id).
 */
@Injectable()
export class HealthDataQuery {
  constructor(private readonly dataSource: DataSource) {}

  async list(terraUserId: string, filter: HealthDataFilter): Promise<Page<HealthDataItem>> {
    const where = ['terra_user_id = $1'];
    const params: unknown[] = [terraUserId];
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
    params.push(filter.limit + 1);
    const rows: Row[] = await this.dataSource
      .query(
        `SELECT id, type, summary_id, date::text AS date, start_time, start_time::text AS start_key, end_time,
                updated_at, payload
         FROM health_data WHERE ${where.join(' AND ')}
         ORDER BY COALESCE(start_time, '-infinity'::timestamptz), id
         LIMIT $${params.length}`,
        params,
      )
      .catch((error: unknown) => {
        // A cursor that decodes but holds no timestamp: the caller's input, not our failure.
        if (filter.cursor && sqlState(error)?.startsWith('22')) throw invalidCursor();
        throw error;
      });
    if (rows.length === 0 && !filter.cursor) await this.assertKnown(terraUserId);
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      data: page.map((row) => ({
        type: row.type,
        ...(row.summary_id ? { summary_id: row.summary_id } : {}),
        ...(row.date ? { date: row.date } : {}),
        start_time: row.start_time?.toISOString() ?? null,
        end_time: row.end_time?.toISOString() ?? null,
        updated_at: row.updated_at.toISOString(),
        payload: row.payload,
      })),
      next_cursor:
        rows.length > filter.limit && last
          ? encodeCursor({ s: last.start_key, i: String(last.id) })
          : null,
    };
  }

  private async assertKnown(terraUserId: string): Promise<void> {
    const rows: { known: boolean }[] = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM terra_connections WHERE terra_user_id = $1)
           OR EXISTS (SELECT 1 FROM health_data WHERE terra_user_id = $1) AS known`,
      [terraUserId],
    );
    if (!rows[0]?.known) throw new ConnectionNotFoundError(terraUserId);
  }
}
