import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { APP_CONFIG } from '@terra-connections/config';
import { UnrecoverableError } from 'bullmq';
import {
  ConnectionStateTx,
  onConnectBackfillsEnabled,
  recordEvents,
  scheduleOnConnectBackfills,
  type ConnectionChange,
  type OnConnectBackfillConfig,
} from '@terra-connections/connections';
import { preparedStatement, queryPrepared, terraUserLockSql, WebhookEventStatus } from '@terra-connections/persistence';
import { parseTerraEvent, TERRA_EVENT_KINDS, TerraEventParseError, type TerraEvent, type TerraEventKind } from '@terra-connections/terra';
import { DataSource } from 'typeorm';
import { describeFailure, isPermanentFailure } from './failure-classifier';
import { PermanentEventError } from './permanent-event.error';
import { WEBHOOK_EVENT_HANDLERS, type InboxEvent, type WebhookEventHandler } from './webhook-event-handler';

export type ApplyOutcome = 'applied' | 'already-processed' | 'already-failed' | 'missing';

export interface ApplyAttempt {
  /** 1-based attempt of the job running this. */
  attempt: number;
  maxAttempts: number;
  /**
   * The job is the row's own (`evt-<id>-<received_at>`, or `evt-<id>` from before issue 12). That job only runs on a failed row when it is re-run after failing
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
  terra_reference: string | null;
  status: WebhookEventStatus;
  /** Marked processed by this statement, to be applied now: decided once, in the statement. */
  applies: boolean;
}

/**
 * What marks a row processed; the bench floor marks its rows with the same text (pinned by
 * bench/floor/floor-sql.spec.ts). clock_timestamp(), not now(): a retried job's transaction may have waited for the
 * row lock. $2 is the processed status.
 */
export const MARK_PROCESSED_SET = `status = $2, processed_at = clock_timestamp(), attempts = w.attempts + 1`;

/**
 * One round trip opens the apply: the row lock, then (only when the row will be applied: pending, or failed
 * and re-run by its own job) the Terra-user lock and the row marked processed. The CTE's FOR UPDATE locks the
 * row before the outer SELECT evaluates the advisory lock, so the order is the same as everywhere else (row,
 * then user); the update of a row this transaction already holds takes no new lock. Marking it at the start
 * rather than the end is the same outcome: the mark commits with everything the handler writes, or rolls back
 * with it. It returns the status the row had before this job marked it, and whether this job applies it (a job
 * that runs after another committed finds the committed mark). processed_at is therefore when the apply that
 * committed began, after the locks (a data event's apply takes milliseconds).
 */
const READ_LOCK_AND_MARK = preparedStatement(
  'tc_apply_read_lock_and_mark',
  `WITH r AS MATERIALIZED (
     SELECT id, type, payload, event_at, received_at, terra_user_id, terra_reference, status,
            (status = $3 OR (status = $4 AND $5::boolean)) AS applies
     FROM webhook_events WHERE id = $1 FOR UPDATE),
   m AS (
     UPDATE webhook_events w SET ${MARK_PROCESSED_SET} FROM r WHERE w.id = r.id AND r.applies)
   SELECT r.id, r.type, r.payload, r.event_at, r.received_at, r.terra_user_id, r.terra_reference, r.status,
          r.applies, CASE WHEN r.terra_user_id IS NOT NULL AND r.applies THEN ${terraUserLockSql('r.terra_user_id')}::text END AS user_locked
   FROM r`,
);

/** The row's payload as its typed event; one that cannot be its type's event fails for good, as a handler's would. */
function parsePayload(type: string, payload: unknown): TerraEvent {
  try {
    return parseTerraEvent(type, payload);
  } catch (error) {
    if (error instanceof TerraEventParseError) throw new PermanentEventError(error.message);
    throw error;
  }
}

/**
 * Applies one inbox row exactly once. One transaction: lock the row (FOR UPDATE) and, unless it is already
 * processed, the Terra user, and mark it processed (one statement), parse the payload once into its TerraEvent,
 * run the handler of its kind (every connection write through one ConnectionStateTx), append its events. Two workers, a sweeper
 * re-enqueue or a stalled job that runs twice all serialise on the row lock, and the second finds it
 * processed. Events of one Terra user serialise on the user lock, so handlers never interleave for a user.
 *
 * Failures: permanent ones (a payload that does not parse as its type, a value Postgres rejects) mark the
 * row failed and throw UnrecoverableError (no retries; the job is kept as a dead letter); transient ones
 * record the attempt and rethrow so BullMQ retries with backoff; the last transient attempt also marks the
 * row failed, so the sweeper leaves it to a replay.
 */
@Injectable()
export class WebhookEventApplier {
  private readonly logger = new Logger(WebhookEventApplier.name);
  private readonly handlers = new Map<TerraEventKind, WebhookEventHandler>();
  private readonly onConnectBackfills: boolean;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(WEBHOOK_EVENT_HANDLERS) handlers: WebhookEventHandler[],
    @Optional() @Inject(APP_CONFIG) config?: OnConnectBackfillConfig,
  ) {
    this.onConnectBackfills = onConnectBackfillsEnabled(config);
    for (const handler of handlers) {
      for (const kind of handler.kinds) {
        if (this.handlers.has(kind)) throw new Error(`Two webhook event handlers for ${kind}`);
        this.handlers.set(kind, handler);
      }
    }
    const missing = TERRA_EVENT_KINDS.filter((kind) => !this.handlers.has(kind));
    if (missing.length > 0) throw new Error(`No webhook event handler for ${missing.join(', ')}`);
  }

  async apply(eventId: string, attempt: ApplyAttempt): Promise<ApplyOutcome> {
    try {
      return await this.dataSource.transaction(async (tx) => {
        const rows = await queryPrepared<InboxRow>(tx, READ_LOCK_AND_MARK, [
          eventId,
          WebhookEventStatus.Processed,
          WebhookEventStatus.Pending,
          WebhookEventStatus.Failed,
          attempt.ownJob === true,
        ]);
        const row = rows[0];
        if (!row) return 'missing';
        // Not applied: processed already, or failed and reached by a job that is not its own (a failed row only
        // runs again through a replay, which sets it pending first, or a retry of its own failed job).
        if (!row.applies) return row.status === WebhookEventStatus.Processed ? 'already-processed' : 'already-failed';

        const inbox: InboxEvent = {
          id: String(row.id),
          type: row.type,
          eventAt: row.event_at,
          receivedAt: row.received_at,
          terraUserId: row.terra_user_id,
          terraReference: row.terra_reference,
        };
        const event = parsePayload(row.type, row.payload);
        const handler = this.handlers.get(event.kind) as WebhookEventHandler; // every kind has one: checked at construction
        const state = new ConnectionStateTx(tx, { kind: 'webhook', eventId: inbox.id, eventType: inbox.type });
        await handler.handle({ inbox, event, tx, state });
        // After the handler, so the auth that creates the connection is its first webhook too.
        if (inbox.terraUserId && !handler.setsLastWebhookAt) await state.stampLastWebhook(inbox.terraUserId, inbox.receivedAt);
        // The changes commit with the row (marked processed above), and so do their outbound events (the outbox).
        this.logChanges(state.changes);
        // A connection that became active gets its on-connect backfill row here; a worker plans and sends it.
        await scheduleOnConnectBackfills(tx, state.changes, this.onConnectBackfills);
        await recordEvents(tx, state);
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

  private logChanges(changes: readonly ConnectionChange[]): void {
    for (const change of changes) {
      const cause = change.cause.kind === 'webhook' ? `${change.cause.eventType} event ${change.cause.eventId}` : change.cause.kind;
      this.logger.debug(`Connection ${change.terraUserId}: ${change.from ?? 'new'} -> ${change.to} (${cause})`);
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
