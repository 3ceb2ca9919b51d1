import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InvalidCursorError } from '@terra-connections/connections';
import { WebhookEndpointsService } from './webhook-endpoints.service';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'failed'];

export interface DeliveryAttempt {
  attempt: number;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  nextAttemptAt: Date | null;
  attemptedAt: Date;
}

export interface EndpointDelivery {
  id: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  createdAt: Date;
  deliveredAt: Date | null;
  attemptLog: DeliveryAttempt[];
}

/** Keeps a page's attempt log bounded: a delivery has at most 8 attempts unless replayed. */
const ATTEMPTS_SHOWN = 20;

/** An endpoint's deliveries, newest first, keyset on id, each with its attempts. */
@Injectable()
export class EndpointDeliveriesQuery {
  constructor(
    private readonly dataSource: DataSource,
    private readonly endpoints: WebhookEndpointsService,
  ) {}

  async page(endpointId: string, status: DeliveryStatus | undefined, page: { limit: number; cursor?: string }) {
    await this.endpoints.get(endpointId);
    let before: string | null = null;
    if (page.cursor) {
      const decoded = Buffer.from(page.cursor, 'base64url').toString('utf8');
      if (!/^\d{1,18}$/.test(decoded)) throw new InvalidCursorError();
      before = decoded;
    }
    const rows: EndpointDelivery[] = await this.dataSource.query(
      `SELECT d.id::text AS id, e.event_id AS "eventId", e.type AS "eventType", d.status, d.attempts,
              d.last_status_code AS "lastStatusCode", d.last_error AS "lastError", d.next_attempt_at AS "nextAttemptAt",
              d.created_at AS "createdAt", d.delivered_at AS "deliveredAt",
              COALESCE((SELECT json_agg(json_build_object(
                  'attempt', a.attempt, 'statusCode', a.status_code, 'durationMs', a.duration_ms, 'error', a.error,
                  'nextAttemptAt', a.next_attempt_at, 'attemptedAt', a.attempted_at) ORDER BY a.id)
                FROM (SELECT * FROM event_delivery_attempts WHERE delivery_id = d.id ORDER BY id LIMIT ${ATTEMPTS_SHOWN}) a), '[]'::json) AS "attemptLog"
       FROM event_deliveries d JOIN events e ON e.id = d.event_row_id
       WHERE d.endpoint_id = $1 AND ($2::varchar IS NULL OR d.status = $2) AND ($3::bigint IS NULL OR d.id < $3::bigint)
       ORDER BY d.id DESC LIMIT $4`,
      [endpointId, status ?? null, before, page.limit + 1],
    );
    const items = rows.slice(0, page.limit).map((row) => ({
      ...row,
      attemptLog: row.attemptLog.map((attempt) => ({
        ...attempt,
        nextAttemptAt: attempt.nextAttemptAt ? new Date(attempt.nextAttemptAt) : null,
        attemptedAt: new Date(attempt.attemptedAt),
      })),
    }));
    const nextCursor = rows.length > page.limit ? Buffer.from(items[items.length - 1].id, 'utf8').toString('base64url') : null;
    return { items, nextCursor };
  }
}
