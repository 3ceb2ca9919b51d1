import { Injectable } from '@nestjs/common';
import { ConnectionNotFoundError } from '@terra-connections/connections';
import { DataSource } from 'typeorm';
import { decodeCursor, encodeCursor, invalidCursor, type Page } from './page-cursor';

/** One inbox row as the read routes show it: never the payload (it can hold health data). */
export interface WebhookEventSummary {
  id: string;
  type: string;
  terra_user_id: string | null;
  status: string;
  attempts: number;
  duplicate_count: number;
  last_error: string | null;
  received_at: string;
  event_at: string;
  processed_at: string | null;
}

interface Row {
  id: string;
  type: string;
  terra_user_id: string | null;
  status: string;
  attempts: number;
  duplicate_count: number;
  last_error: string | null;
  received_at: Date;
  event_at: Date;
  processed_at: Date | null;
}

const COLUMNS = 'id, type, terra_user_id, status, attempts, duplicate_count, last_error, received_at, event_at, processed_at';

function summary(row: Row): WebhookEventSummary {
  return {
    id: String(row.id),
    type: row.type,
    terra_user_id: row.terra_user_id,
    status: row.status,
    attempts: row.attempts,
    duplicate_count: row.duplicate_count,
    last_error: row.last_error,
    received_at: row.received_at.toISOString(),
    event_at: row.event_at.toISOString(),
    processed_at: row.processed_at?.toISOString() ?? null,
  };
}

/** Webhook history, newest first (by inbox id, the order we received them), keyset-paginated on id. */
@Injectable()
export class WebhookEventsQuery {
  constructor(private readonly dataSource: DataSource) {}

  async forConnection(terraUserId: string, page: { limit: number; cursor?: string }): Promise<Page<WebhookEventSummary>> {
    const result = await this.list({ terra_user_id: terraUserId }, page);
    if (result.data.length === 0 && !page.cursor) {
      const rows: { known: boolean }[] = await this.dataSource.query(
        `SELECT EXISTS (SELECT 1 FROM terra_connections WHERE terra_user_id = $1) AS known`,
        [terraUserId],
      );
      if (!rows[0]?.known) throw new ConnectionNotFoundError(terraUserId);
    }
    return result;
  }

  async byStatus(status: string | undefined, page: { limit: number; cursor?: string }): Promise<Page<WebhookEventSummary>> {
    return this.list(status ? { status } : {}, page);
  }

  private async list(
    equals: Partial<Record<'terra_user_id' | 'status', string>>,
    page: { limit: number; cursor?: string },
  ): Promise<Page<WebhookEventSummary>> {
    const where: string[] = [];
    const params: unknown[] = [];
    for (const [column, value] of Object.entries(equals)) {
      params.push(value);
      where.push(`${column} = $${params.length}`);
    }
    if (page.cursor) {
      const { i } = decodeCursor(page.cursor, ['i'] as const);
      if (!i || !/^\d{1,18}$/.test(i)) throw invalidCursor();
      params.push(i);
      where.push(`id < $${params.length}::bigint`);
    }
    params.push(page.limit + 1);
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM webhook_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    const data = rows.slice(0, page.limit).map(summary);
    return {
      data,
      next_cursor: rows.length > page.limit ? encodeCursor({ i: data[data.length - 1].id }) : null,
    };
  }
}
