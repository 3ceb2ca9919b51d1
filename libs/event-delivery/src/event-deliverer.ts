import { Logger } from '@nestjs/common';
import { storedEventColumns, toEventEnvelope, type StoredEvent } from '@terra-connections/connections';
import { DISABLED_BY_GONE, SecretBox } from '@terra-connections/events';
import { EVENT_DELIVERY_ATTEMPTS, eventDeliveryRetryDelay } from '@terra-connections/queue';
import { sqlRows } from '@terra-connections/persistence';
import { Webhook } from 'standardwebhooks';
import type { DataSource } from 'typeorm';
import { eventRecords } from './event-records';
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
  replays: number;
  endpointId: string;
  url: string;
  enabled: boolean;
  secretEncrypted: string;
  includeData: boolean;
  /** Set during a rotation's overlap (already null once it expired). */
  previousSecretEncrypted: string | null;
}

/** An endpoint whose attempts have all failed this long (scaled by EVENT_DELIVERY_RETRY_SCALE) is disabled. */
export const DISABLE_AFTER_FAILING_MS = 5 * 24 * 3600 * 1000;
export const DISABLED_BY_FAILURES = 'every delivery attempt failed for 5 days';

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

  /** The endpoint a delivery goes to, for per-endpoint concurrency; null when the row is gone or the job's round is not the row's. */
  async endpointOf(deliveryId: string, round = 0): Promise<string | null> {
    const rows = sqlRows<{ endpoint_id: string }>(
      await this.dataSource.query(`SELECT endpoint_id FROM event_deliveries WHERE id = $1 AND replays = $2`, [deliveryId, round]),
    );
    return rows[0]?.endpoint_id ?? null;
  }

  /**
   * `attempt` is 1-based; `round` is the replay round of the job. Throws DeliveryRetryError when another
   * attempt should follow. A job of an earlier round (a replay came while it waited for a retry) stops: the
   * replay's own job sends from now on, so the receiver never gets two schedules of one delivery.
   */
  async deliver(deliveryId: string, attempt: number, round = 0): Promise<DeliveryOutcome> {
    const rows = sqlRows<DeliveryRow>(
      await this.dataSource.query(
        `SELECT d.status, d.replays, d.endpoint_id AS "endpointId", w.url, w.enabled, w.secret_encrypted AS "secretEncrypted", w.include_data AS "includeData",
                CASE WHEN w.previous_secret_expires_at > now() THEN w.previous_secret_encrypted END AS "previousSecretEncrypted",
                ${storedEventColumns('e')}
         FROM event_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id JOIN events e ON e.id = d.event_row_id
         WHERE d.id = $1`,
        [deliveryId],
      ),
    );
    const row = rows[0];
    if (!row || row.status !== 'pending' || row.replays !== round) return 'skipped';
    if (!row.enabled) {
      await this.settle(deliveryId, 'failed', null, 'endpoint disabled');
      return 'skipped';
    }

    const envelope = toEventEnvelope(row);
    const records = row.includeData ? await eventRecords(this.dataSource, row) : null;
    const body = JSON.stringify(records ? { ...envelope, data: { ...envelope.data, ...records } } : envelope);
    const sentAt = new Date();
    // During a rotation's overlap both secrets sign (space-separated, as Standard Webhooks allows): a receiver
    // holding either verifies.
    const secrets = [row.secretEncrypted, ...(row.previousSecretEncrypted ? [row.previousSecretEncrypted] : [])];
    const signature = secrets.map((sealed) => new Webhook(this.box.open(sealed)).sign(row.eventId, sentAt, body)).join(' ');
    const result = await this.sender.send(
      row.url,
      { 'webhook-id': row.eventId, 'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)), 'webhook-signature': signature },
      body,
    );

    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    if (ok) {
      await this.record(deliveryId, attempt, result, null);
      await this.settle(deliveryId, 'delivered', result.statusCode, null);
      await this.dataSource.query(`UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`, [row.endpointId]);
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
    if (await this.disabledForFailing(row.endpointId)) {
      await this.record(deliveryId, attempt, result, null);
      await this.settle(deliveryId, 'failed', result.statusCode, `${error}; ${DISABLED_BY_FAILURES}: endpoint disabled`);
      return 'failed';
    }
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

  /**
   * Notes the failure (failing_since is the first failure since the last success) and disables the endpoint
   * once it has failed continuously for the (scaled) window. True when it is disabled now.
   */
  private async disabledForFailing(endpointId: string): Promise<boolean> {
    const windowMs = Math.round(DISABLE_AFTER_FAILING_MS * this.options.retryScale);
    const rows = sqlRows<{ disabled: boolean }>(
      await this.dataSource.query(
        `UPDATE webhook_endpoints SET
           failing_since = COALESCE(failing_since, now()),
           enabled = CASE WHEN failing_since IS NOT NULL AND now() - failing_since >= make_interval(secs => $2::double precision / 1000) THEN false ELSE enabled END,
           disabled_reason = CASE WHEN enabled AND failing_since IS NOT NULL AND now() - failing_since >= make_interval(secs => $2::double precision / 1000)
                                  THEN $3::text ELSE disabled_reason END,
           updated_at = now()
         WHERE id = $1 RETURNING NOT enabled AS disabled`,
        [endpointId, windowMs, DISABLED_BY_FAILURES],
      ),
    );
    const disabled = rows[0]?.disabled === true;
    if (disabled) this.logger.warn(`Webhook endpoint ${endpointId}: ${DISABLED_BY_FAILURES}; disabled`);
    return disabled;
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
