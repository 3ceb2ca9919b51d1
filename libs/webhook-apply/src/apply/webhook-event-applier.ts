import { Inject, Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { preparedStatement, queryPrepared, terraUserLockSql, WebhookEventStatus } from '@terra-connections/persistence';
import { DataSource } from 'typeorm';
import { describeFailure, isPermanentFailure } from './failure-classifier';
import { InformationalHandler } from './handlers/informational.handler';
import { WEBHOOK_EVENT_HANDLERS, type InboxEvent, type WebhookEventHandler } from './webhook-event-handler';

export type ApplyOutcome = 'applied' | 'already-processed' | 'already-failed' | 'missing';

export interface ApplyAttempt {
  /** 1-based attempt of the job running this. */
  attempt: number;
  maxAttempts: number;
  /**
   * The job is the row's own (`evt-<id>`). That job only runs on a failed row when it is re-run after failing
   * for good: a dead letter retried from the queue (Bull Board's retry, `job.retry()`). A failed row was never
   * applied (its transaction rolled back), so it is applied then, as a replay would.
   */
  ownJob?: boolean;
}

interface InboxRow {
  id: string;
  type: string;
  payload: unknown;
  event_at: Date;
  received_at: Date;
  terra_user_id: string | null;
  status: WebhookEventStatus;
}

/**
 * The row lock, then (in the same round trip, only when the row will be applied: pending, or failed and
 * re-run by its own job) the Terra-user lock: the CTE's FOR UPDATE locks the row before the outer SELECT
 * evaluates the advisory lock, so the order is the same as everywhere else (row, then user).
 */
const READ_AND_LOCK = preparedStatement(
  'tc_apply_read_and_lock',
  `WITH r AS MATERIALIZED (
     SELECT id, type, payload, event_at, received_at, terra_user_id, status
     FROM webhook_events WHERE id = $1 FOR UPDATE)
   SELECT r.id, r.type, r.payload, r.event_at, r.received_at, r.terra_user_id, r.status,
          CASE WHEN r.terra_user_id IS NOT NULL AND (r.status = $2 OR (r.status = $3 AND $4::boolean))
               THEN ${terraUserLockSql('r.terra_user_id')}::text END AS user_locked
   FROM r`,
);

const STAMP_LAST_WEBHOOK = preparedStatement(
  'tc_apply_stamp_last_webhook',
  `UPDATE terra_connections SET last_webhook_at = GREATEST(COALESCE(last_webhook_at, $2::timestamptz), $2::timestamptz)
   WHERE terra_user_id = $1`,
);

const MARK_PROCESSED = preparedStatement(
  'tc_apply_mark_processed',
  `UPDATE webhook_events SET status = $2, processed_at = now(), attempts = attempts + 1 WHERE id = $1`,
);

/**
 * Applies one inbox row exactly once. One transaction: lock the row (FOR UPDATE) and, unless it is already
 * processed, the Terra user, run the type's handler, mark it processed. Two workers, a sweeper
 * re-enqueue or a stalled job that runs twice all serialise on the row lock, and the second finds it
 * processed. Events of one Terra user serialise on the user lock, so handlers never interleave for a user.
 *
 * Failures: permanent ones mark the row failed and throw UnrecoverableError (no retries; the job is kept
 * as a dead letter); transient ones record the attempt and rethrow so BullMQ retries with backoff; the
 * last transient attempt also marks the row failed, so the sweeper leaves it to a replay.
 */
@Injectable()
export class WebhookEventApplier {
  private readonly logger = new Logger(WebhookEventApplier.name);
  private readonly handlers = new Map<string, WebhookEventHandler>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(WEBHOOK_EVENT_HANDLERS) handlers: WebhookEventHandler[],
    private readonly fallback: InformationalHandler,
  ) {
    for (const handler of handlers) for (const type of handler.types) this.handlers.set(type, handler);
  }

  async apply(eventId: string, attempt: ApplyAttempt): Promise<ApplyOutcome> {
    try {
      return await this.dataSource.transaction(async (tx) => {
        const rows = await queryPrepared<InboxRow>(tx, READ_AND_LOCK, [
          eventId,
          WebhookEventStatus.Pending,
          WebhookEventStatus.Failed,
          attempt.ownJob === true,
        ]);
        const row = rows[0];
        if (!row) return 'missing';
        if (row.status === WebhookEventStatus.Processed) return 'already-processed';
        // A failed row only runs again through a replay (which sets it pending first) or a retry of its own
        // failed job; any other job reaching it is stale.
        if (row.status === WebhookEventStatus.Failed && !attempt.ownJob) return 'already-failed';

        const event: InboxEvent = {
          id: String(row.id),
          type: row.type,
          payload: row.payload,
          eventAt: row.event_at,
          receivedAt: row.received_at,
          terraUserId: row.terra_user_id,
        };
        const handler: WebhookEventHandler = this.handlers.get(event.type) ?? this.fallback;
        await handler.handle({ event, tx });
        // After the handler, so the auth that creates the connection is its first webhook too.
        if (event.terraUserId && !handler.setsLastWebhookAt) {
          await queryPrepared(tx, STAMP_LAST_WEBHOOK, [event.terraUserId, event.receivedAt]);
        }
        await queryPrepared(tx, MARK_PROCESSED, [eventId, WebhookEventStatus.Processed]);
        return 'applied';
      });
    } catch (error) {
      const permanent = isPermanentFailure(error);
      const final = permanent || attempt.attempt >= attempt.maxAttempts;
      await this.recordFailure(eventId, describeFailure(error), final);
      if (permanent) throw new UnrecoverableError(describeFailure(error));
      throw error;
    }
  }

  /** Outside the rolled-back transaction. If Postgres is the problem this fails too: logged, not thrown. */
  private async recordFailure(eventId: string, lastError: string, final: boolean): Promise<void> {
    try {
      await this.dataSource.query(
        `UPDATE webhook_events
           SET attempts = attempts + 1, last_error = $2, status = CASE WHEN $3 THEN $4 ELSE status END
         WHERE id = $1 AND status <> $5`,
        [eventId, lastError, final, WebhookEventStatus.Failed, WebhookEventStatus.Processed],
      );
    } catch (error) {
      this.logger.warn(`Could not record the failure of inbox row ${eventId}: ${(error as Error).message}`);
    }
  }
}
