import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { inTerraUserTx, sqlRows } from '@terra-connections/persistence';
import {
  TerraBadRequestError,
  TerraCredentialsError,
  TerraGateway,
  TerraNotFoundError,
  TerraRateLimitedError,
  type TerraApiError,
  type TerraDataAnswer,
  type TerraDataRequestType,
} from '@terra-connections/terra';
import { DataSource, type EntityManager } from 'typeorm';
import { isEndedStatus } from '../state/connection-statuses';
import { daysIn } from './backfill.model';
import { budgetFreeAt } from './backfill-budget';
import { BackfillMetrics } from './backfill-metrics';
import { settleBackfill } from './backfill-settle';
import { callDelivered, completeRequest, providerRetryReason, type CallReceipt } from './backfill-tracking';

export type BackfillRequesterConfig = Pick<
  AppConfig,
  'BACKFILL_DAYS_PER_HOUR' | 'BACKFILL_MAX_FAILURES' | 'BACKFILL_STALL_SECONDS'
>;

interface RequestRow {
  id: string;
  backfill_id: string;
  terra_user_id: string;
  data_type: TerraDataRequestType;
  send_start: string;
  send_end: string;
  status: string;
  reference: string | null;
  failures: number;
  requests_made: number;
  next_at: Date | null;
  connection_status: string | null;
}

/** Nothing to do, a wait, or a call made: what one run of a request job did (logged and returned by the job). */
export type RequestOutcome = 'not-due' | 'budget' | 'ended' | TerraDataAnswer['kind'] | 'rate-limited' | 'failed' | 'retry';

const MAX_RETRY_DELAY_MS = 10 * 60_000;

/**
 * Sends one backfill request to Terra: checks the user's day budget, reserves the days (a row in backfill_calls),
 * calls the SDK with its retries off, and records the answer. Each step is a short transaction under the Terra
 * user's lock; the HTTP call holds no lock. A data webhook can be applied before its answer is recorded: the
 * record step counts the inbox rows already applied under the reference.
 */
@Injectable()
export class BackfillRequester {
  private readonly logger = new Logger(BackfillRequester.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly gateway: TerraGateway,
    private readonly metrics: BackfillMetrics,
    @Inject(APP_CONFIG) private readonly config: BackfillRequesterConfig,
  ) {}

  /** `sends`: the calls made when the job was claimed; a job whose claim another job already used does nothing. */
  async send(requestId: string, sends: number): Promise<RequestOutcome> {
    const reserved = await this.reserve(requestId, sends);
    if (typeof reserved === 'string') return reserved;
    const { request, callId } = reserved;
    let answer: TerraDataAnswer;
    try {
      answer = await this.gateway.requestData({
        userId: request.terra_user_id,
        type: request.data_type,
        startDate: request.send_start,
        endDate: request.send_end,
      });
    } catch (error) {
      return this.recordFailure(request, callId, error);
    }
    this.metrics.requestedDays.inc({ type: request.data_type }, this.daysOf(request));
    return this.recordAnswer(request, callId, answer);
  }

  private daysOf(request: Pick<RequestRow, 'data_type' | 'send_start' | 'send_end'>): number {
    return request.data_type === 'athlete' ? 1 : daysIn(request.send_start, request.send_end);
  }

  private async reserve(requestId: string, sends: number): Promise<RequestOutcome | { request: RequestRow; callId: string }> {
    const peek: { terra_user_id: string }[] = await this.dataSource.query(`SELECT terra_user_id FROM backfill_requests WHERE id = $1`, [requestId]);
    if (!peek[0]) return 'not-due';
    return inTerraUserTx(this.dataSource, peek[0].terra_user_id, async (tx) => {
      const rows: RequestRow[] = await tx.query(
        `SELECT r.id::text, r.backfill_id, r.terra_user_id, r.data_type, r.send_start::text, r.send_end::text, r.status, r.reference, r.failures, r.requests_made, r.next_at,
                (SELECT c.status FROM terra_connections c WHERE c.terra_user_id = r.terra_user_id) AS connection_status
         FROM backfill_requests r WHERE r.id = $1 FOR UPDATE`,
        [requestId],
      );
      const request = rows[0];
      if (!request || request.reference !== null || !['scheduled', 'waiting', 'stalled'].includes(request.status)) return 'not-due';
      if (request.requests_made !== sends) return 'not-due';
      if (request.status === 'stalled' && request.next_at === null) return 'not-due';
      if (isEndedStatus(request.connection_status)) {
        await this.finish(tx, request, 'failed', `the connection is ${request.connection_status}`);
        return 'ended';
      }
      const days = this.daysOf(request);
      const freeAt = await budgetFreeAt(tx, request.terra_user_id, days, this.config.BACKFILL_DAYS_PER_HOUR);
      if (freeAt) {
        await tx.query(
          `UPDATE backfill_requests SET status = 'waiting', next_at = $2, reason = $3, updated_at = now() WHERE id = $1`,
          [requestId, freeAt, `waiting for the rate budget (${this.config.BACKFILL_DAYS_PER_HOUR} requested days per hour per user)`],
        );
        await settleBackfill(tx, request.backfill_id);
        this.metrics.budgetWaits.inc();
        return 'budget';
      }
      const calls: { id: string }[] = await tx.query(
        `INSERT INTO backfill_calls (request_id, terra_user_id, days, start_date, end_date, outcome) VALUES ($1, $2, $3, $4, $5, 'pending') RETURNING id::text`,
        [requestId, request.terra_user_id, days, request.send_start, request.send_end],
      );
      await tx.query(`UPDATE backfill_requests SET requests_made = requests_made + 1, updated_at = now() WHERE id = $1`, [requestId]);
      return { request, callId: calls[0].id };
    });
  }

  private recordAnswer(request: RequestRow, callId: string, answer: TerraDataAnswer): Promise<RequestOutcome> {
    return inTerraUserTx(this.dataSource, request.terra_user_id, async (tx) => {
      await this.honourBudgetHeaders(tx, request.terra_user_id, answer.budget);
      switch (answer.kind) {
        case 'sent':
        case 'large': {
          await tx.query(`UPDATE backfill_calls SET outcome = $2, reference = $3, large = $4 WHERE id = $1`, [
            callId,
            answer.kind,
            answer.reference,
            answer.kind === 'large',
          ]);
          await tx.query(
            `UPDATE backfill_requests SET status = 'sent', reference = $2, next_at = NULL, last_activity_at = now(), reason = NULL, updated_at = now() WHERE id = $1`,
            [request.id, answer.reference],
          );
          await this.catchUp(tx, request, answer.reference);
          break;
        }
        case 'processing': {
          await tx.query(`UPDATE backfill_calls SET outcome = 'processing' WHERE id = $1`, [callId]);
          await this.wait(tx, request.id, answer.retryAfterSeconds * 1000, `the provider is still fetching; Terra asked to retry after ${answer.retryAfterSeconds} s`);
          break;
        }
        case 'no_data': {
          await tx.query(`UPDATE backfill_calls SET outcome = 'no_data' WHERE id = $1`, [callId]);
          await this.finish(tx, request, 'completed', `no data returned: ${answer.message}`);
          return answer.kind;
        }
      }
      await settleBackfill(tx, request.backfill_id);
      return answer.kind;
    });
  }

  /**
   * Terra's own count of the user's budget (X-Terra-RateLimit-Remaining / -Reset-After) wins over our ledger: the
   * user's requests that need more days than remain wait until the window resets, rather than draw a 429.
   */
  private async honourBudgetHeaders(tx: EntityManager, terraUserId: string, budget: TerraDataAnswer['budget']): Promise<void> {
    if (budget.remaining === null || budget.resetAfterSeconds === null) return;
    await tx.query(
      `UPDATE backfill_requests SET status = 'waiting', next_at = now() + make_interval(secs => $3), reason = $4, updated_at = now()
       WHERE terra_user_id = $1 AND reference IS NULL AND status IN ('scheduled', 'waiting')
         AND (CASE WHEN data_type = 'athlete' THEN 1 ELSE send_end - send_start + 1 END) > $2
         AND (next_at IS NULL OR next_at < now() + make_interval(secs => $3))`,
      [terraUserId, budget.remaining, budget.resetAfterSeconds, `Terra says ${budget.remaining} requested days remain this hour; waiting for its window`],
    );
  }

  /**
   * Data webhooks and markers under this reference that the applier applied before the answer was recorded here:
   * the applier found no call for them then. Both steps hold the Terra user's lock, so each inbox row is counted
   * either there or here, never twice and never not at all.
   */
  private async catchUp(tx: EntityManager, request: RequestRow, reference: string): Promise<void> {
    const rows: { data: string; rows_stored: string; expected: number | null; large: boolean; months: string[] | null; retrying_at: string | null }[] =
      await tx.query(
      `SELECT count(*) FILTER (WHERE type = $3)::text AS data,
              COALESCE(sum(CASE WHEN type = $3 AND jsonb_typeof(payload->'data') = 'array' THEN jsonb_array_length(payload->'data') WHEN type = $3 THEN 1 ELSE 0 END), 0)::text AS rows_stored,
              max(CASE WHEN type = 'large_request_sending' AND jsonb_typeof(payload->'expected_payloads') = 'number' THEN (payload->>'expected_payloads')::int END) AS expected,
              bool_or(type IN ('large_request_processing', 'large_request_sending')) AS large,
              array_remove(array_agg(DISTINCT CASE WHEN type = $3 THEN (
                SELECT substr(item->'metadata'->>'start_time', 1, 7) FROM jsonb_array_elements(
                  CASE WHEN jsonb_typeof(payload->'data') = 'array' THEN payload->'data' ELSE '[]'::jsonb END) item
                GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1) END), NULL) AS months,
              max(CASE WHEN type = 'rate_limit_hit' THEN COALESCE(payload->>'retrying_at', now()::text) END) AS retrying_at
       FROM webhook_events WHERE terra_user_id = $1 AND terra_reference = $2 AND status = 'processed'`,
      [request.terra_user_id, reference, request.data_type],
    );
    const seen = rows[0];
    if (seen?.retrying_at && Number(seen.data) === 0) {
      // The provider's limit was hit before we recorded the answer: wait for Terra's retry, as the marker would have.
      const retryingAt = Number.isNaN(Date.parse(seen.retrying_at)) ? new Date() : new Date(seen.retrying_at);
      await tx.query(
        `UPDATE backfill_requests SET status = 'waiting', last_activity_at = GREATEST($2::timestamptz, now()), reason = $3, updated_at = now() WHERE id = $1`,
        [request.id, retryingAt, providerRetryReason(retryingAt)],
      );
    }
    if (!seen || (Number(seen.data) === 0 && !seen.large)) return;
    const calls = sqlRows<CallReceipt>(await tx.query(
      `UPDATE backfill_calls SET received_payloads = $2, rows_stored = $3, expected_payloads = COALESCE($4, expected_payloads), large = large OR $5,
         months_received = $6::text[]
       WHERE reference = $1 RETURNING large, expected_payloads, received_payloads`,
      [reference, Number(seen.data), Number(seen.rows_stored), seen.expected, seen.large === true, seen.months ?? []],
    ));
    if (callDelivered(calls[0])) await completeRequest(tx, request.id);
  }

  private async recordFailure(request: RequestRow, callId: string, error: unknown): Promise<RequestOutcome> {
    const terraError = error as TerraApiError;
    return inTerraUserTx(this.dataSource, request.terra_user_id, async (tx) => {
      if (error instanceof TerraRateLimitedError) {
        this.metrics.rateLimited.inc({ rule: error.rule ?? 'unknown' });
        await tx.query(`UPDATE backfill_calls SET outcome = 'rate_limited' WHERE id = $1`, [callId]);
        const seconds = error.retryAfterSeconds ?? 60;
        await this.wait(tx, request.id, seconds * 1000, `Terra answered 429 (${error.rule ?? 'rate limit'}); retrying after ${seconds} s`);
        await settleBackfill(tx, request.backfill_id);
        return 'rate-limited';
      }
      await tx.query(`UPDATE backfill_calls SET outcome = 'error' WHERE id = $1`, [callId]);
      const message = terraError?.terraMessage ?? (error as Error)?.message ?? String(error);
      const permanent = error instanceof TerraBadRequestError || error instanceof TerraNotFoundError || error instanceof TerraCredentialsError;
      if (permanent || request.failures + 1 >= this.config.BACKFILL_MAX_FAILURES) {
        await this.finish(tx, request, 'failed', `Terra: ${message}`);
        this.logger.warn(`Backfill request ${request.id} (${request.data_type}) failed: ${message}`);
        return 'failed';
      }
      await tx.query(`UPDATE backfill_requests SET failures = failures + 1 WHERE id = $1`, [request.id]);
      const delay = Math.min(5_000 * 2 ** request.failures, MAX_RETRY_DELAY_MS);
      await this.wait(tx, request.id, delay, `Terra: ${message}; asking again`);
      await settleBackfill(tx, request.backfill_id);
      return 'retry';
    });
  }

  private async wait(tx: EntityManager, requestId: string, delayMs: number, reason: string): Promise<void> {
    await tx.query(
      `UPDATE backfill_requests SET status = 'waiting', reference = NULL, next_at = now() + make_interval(secs => $2), reason = $3, updated_at = now() WHERE id = $1`,
      [requestId, delayMs / 1000, reason],
    );
  }

  private async finish(tx: EntityManager, request: RequestRow, status: 'completed' | 'failed', reason: string): Promise<void> {
    await tx.query(
      `UPDATE backfill_requests SET status = $2, reference = NULL, next_at = NULL, reason = $3, updated_at = now() WHERE id = $1`,
      [request.id, status, reason],
    );
    await settleBackfill(tx, request.backfill_id);
  }
}
