import { Injectable } from '@nestjs/common';
import { ConnectionNotFoundError, resolveConnectionKey } from '@terra-connections/connections';
import type { WebhookEventStatus } from '@terra-connections/persistence';
import { DataSource } from 'typeorm';
import { decodeCursor, encodeCursor, invalidCursor, type Page } from './page-cursor';

/** One inbox row without its payload (it can hold health data): what the history and dead-letter reads show. */
export interface WebhookEventSummary {
  /** Inbox id (a bigint, as a string). */
  id: string;
  type: string;
  terraUserId: string | null;
  status: WebhookEventStatus;
  attempts: number;
  /** Redeliveries of the same event that were stored once. */
  duplicateCount: number;
  lastError: string | null;
  receivedAt: Date;
  eventAt: Date;
  processedAt: Date | null;
}

/** A WebhookEventSummary's columns, named as its properties. */
const COLUMNS = `id, type, terra_user_id AS "terraUserId", status, attempts, duplicate_count AS "duplicateCount",
  last_error AS "lastError", received_at AS "receivedAt", event_at AS "eventAt", processed_at AS "processedAt"`;

/** Webhook history, newest first (by inbox id, the order we received them), keyset-paginated on id. */
@Injectable()
export class WebhookEventsQuery {
  constructor(private readonly dataSource: DataSource) {}

  /** Deliveries about every Terra id of the connection `id` names (its connection_id or any of its ids). */
  async forConnection(id: string, page: { limit: number; cursor?: string }): Promise<Page<WebhookEventSummary>> {
    const key = await resolveConnectionKey(this.dataSource, id);
    const result = await this.list({ terra_user_ids: key.terraUserIds }, page);
    if (result.items.length === 0 && !page.cursor && !key.known) throw new ConnectionNotFoundError(id);
    return result;
  }

  async byStatus(status: string | undefined, page: { limit: number; cursor?: string }): Promise<Page<WebhookEventSummary>> {
    return this.list(status ? { status } : {}, page);
  }

  private async list(
    equals: { status?: string; terra_user_ids?: string[] },
    page: { limit: number; cursor?: string },
  ): Promise<Page<WebhookEventSummary>> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (equals.status !== undefined) {
      params.push(equals.status);
      where.push(`status = $${params.length}`);
    }
    if (equals.terra_user_ids !== undefined) {
      params.push(equals.terra_user_ids);
      where.push(`terra_user_id = ANY($${params.length}::varchar[])`);
    }
    if (page.cursor) {
      const { i } = decodeCursor(page.cursor, ['i'] as const);
      if (!i || !/^\d{1,18}$/.test(i)) throw invalidCursor();
      params.push(i);
      where.push(`id < $${params.length}::bigint`);
    }
    params.push(page.limit + 1);
    const rows: WebhookEventSummary[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM webhook_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, page.limit);
    return {
      items,
      nextCursor: rows.length > page.limit ? encodeCursor({ i: String(items[items.length - 1].id) }) : null,
    };
  }
}
