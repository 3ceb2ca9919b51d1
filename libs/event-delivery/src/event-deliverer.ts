import { Logger } from '@nestjs/common';
import { storedEventColumns, toEventEnvelope, type StoredEvent } from '@terra-connections/connections';
import { DISABLED_BY_GONE, SecretBox } from '@terra-connections/events';
import { EVENT_DELIVERY_ATTEMPTS, eventDeliveryRetryDelay } from '@terra-connections/queue';
import { sqlRows } from '@terra-connections/persistence';
import { Webhook } from 'standardwebhooks';
import type { DataSource } from 'typeorm';
import type { EventSender, SendResult } from './event-sender';

export type DeliveryOutcome = 'delivered' | 'gone' | 'skipped' | 'failed' | 'retry';

/** Thrown so BullMQ retries the job on the delivery schedule; the attempt is already logged. */
export class DeliveryRetryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryRetryError';
  }
}

interface DeliveryRow extends StoredEvent {
  status: string;
  endpointId: string;
  url: string;
  enabled: boolean;
  secretEncrypted: string;
}

/**
 * One attempt of one delivery: build the Standard Webhooks body from Postgres, sign it with the endpoint's
 * secret (the `standardwebhooks` library: `webhook-id` is the event id, the same on every attempt), post it,
 * log the attempt. 2xx: delivered. 410: the endpoint is gone, disabled. Anything else: retried on the schedule
 * until the last attempt, then failed.
 */
export class EventDeliverer {
  private readonly logger = new Logger(EventDeliverer.name);
  private readonly box: SecretBox;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sender: EventSender,
    private readonly options: { secretsKey: string; retryScale: number },
  ) {
    this.box = new SecretBox(options.secretsKey);
  }

  /** The endpoint a delivery goes to, for per-endpoint concurrency; null when the row is gone. */
  async endpointOf(deliveryId: string): Promise<string | null> {
    const rows = sqlRows<{ endpoint_id: string }>(await this.dataSource.query(`SELECT endpoint_id FROM event_deliveries WHERE id = $1`, [deliveryId]));
    return rows[0]?.endpoint_id ?? null;
  }

  /** `attempt` is 1-based. Throws DeliveryRetryError when another attempt should follow. */
  async deliver(deliveryId: string, attempt: number): Promise<DeliveryOutcome> {
    const rows = sqlRows<DeliveryRow>(
      await this.dataSource.query(
        `SELECT d.status, d.endpoint_id AS "endpointId", w.url, w.enabled, w.secret_encrypted AS "secretEncrypted",
                ${storedEventColumns('e')}
         FROM event_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id JOIN events e ON e.id = d.event_row_id
         WHERE d.id = $1`,
        [deliveryId],
      ),
    );
    const row = rows[0];
    if (!row || row.status !== 'pending') return 'skipped';
    if (!row.enabled) {
      await this.settle(deliveryId, 'failed', null, 'endpoint disabled');
      return 'skipped';
    }

    const body = JSON.stringify(toEventEnvelope(row));
    const sentAt = new Date();
    const signature = new Webhook(this.box.open(row.secretEncrypted)).sign(row.eventId, sentAt, body);
    const result = await this.sender.send(
      row.url,
      { 'webhook-id': row.eventId, 'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)), 'webhook-signature': signature },
      body,
    );

    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    if (ok) {
      await this.record(deliveryId, attempt, result, null);
      await this.settle(deliveryId, 'delivered', result.statusCode, null);
      return 'delivered';
    }
    if (result.statusCode === 410) {
      await this.record(deliveryId, attempt, result, null);
      // The endpoint first: once the delivery reads failed, the endpoint already reads disabled.
      await this.dataSource.query(
        `UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = now() WHERE id = $1 AND enabled`,
        [row.endpointId, DISABLED_BY_GONE],
      );
      await this.settle(deliveryId, 'failed', 410, DISABLED_BY_GONE);
      this.logger.warn(`Webhook endpoint ${row.endpointId} answered 410 Gone: disabled`);
      return 'gone';
    }
    const error = result.error ?? `HTTP ${result.statusCode}`;
    if (attempt >= EVENT_DELIVERY_ATTEMPTS) {
      await this.record(deliveryId, attempt, result, null);
      await this.settle(deliveryId, 'failed', result.statusCode, error);
      return 'failed';
    }
    const nextAttemptAt = new Date(Date.now() + eventDeliveryRetryDelay(attempt, this.options.retryScale));
    await this.record(deliveryId, attempt, result, nextAttemptAt);
    await this.dataSource.query(
      `UPDATE event_deliveries SET last_status_code = $2, last_error = $3, next_attempt_at = $4, updated_at = now() WHERE id = $1`,
      [deliveryId, result.statusCode, error, nextAttemptAt],
    );
    throw new DeliveryRetryError(`delivery ${deliveryId} attempt ${attempt}: ${error}`);
  }

  private async record(deliveryId: string, attempt: number, result: SendResult, nextAttemptAt: Date | null): Promise<void> {
    await this.dataSource.query(
      `WITH a AS (INSERT INTO event_delivery_attempts (delivery_id, attempt, status_code, duration_ms, error, next_attempt_at)
                  VALUES ($1, $2, $3, $4, $5, $6))
       UPDATE event_deliveries SET attempts = attempts + 1 WHERE id = $1`,
      [deliveryId, attempt, result.statusCode, result.durationMs, result.error, nextAttemptAt],
    );
  }

  private async settle(deliveryId: string, status: 'delivered' | 'failed', statusCode: number | null, error: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE event_deliveries SET status = $2::varchar, last_status_code = COALESCE($3::int, last_status_code), last_error = $4::text,
              next_attempt_at = NULL, delivered_at = CASE WHEN $2::varchar = 'delivered' THEN now() END, updated_at = now()
       WHERE id = $1 AND status = 'pending'`,
      [deliveryId, status, statusCode, error],
    );
  }
}
