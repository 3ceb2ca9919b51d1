import { sqlRows } from '@terra-connections/persistence';
import type { TerraBackfillMarkerEvent } from '@terra-connections/terra';
import type { EntityManager } from 'typeorm';
import { settleBackfill } from './backfill-settle';

interface CallRow {
  request_id: string;
  backfill_id: string;
  large: boolean;
  expected_payloads: number | null;
  received_payloads: number;
  current: boolean;
}

/**
 * The call that `reference` names and its request, locked; null when no backfill asked for it (a live push, or
 * a request of another system on the same dev-id).
 */
async function callOf(tx: EntityManager, reference: string): Promise<CallRow | null> {
  const rows: CallRow[] = await tx.query(
    `SELECT c.request_id::text, r.backfill_id, c.large, c.expected_payloads, c.received_payloads, r.reference = c.reference AS current
     FROM backfill_calls c JOIN backfill_requests r ON r.id = c.request_id WHERE c.reference = $1 FOR UPDATE OF c, r`,
    [reference],
  );
  return rows[0] ?? null;
}

/** What a call has received: enough to tell whether it delivered. */
export type CallReceipt = Pick<CallRow, 'large' | 'expected_payloads' | 'received_payloads'>;

/**
 * A call has delivered: the one data webhook of a request of a month or less, or every announced chunk of a large
 * one (terra-contract.md §11).
 */
export function callDelivered(call: CallReceipt): boolean {
  return call.large ? call.expected_payloads !== null && call.received_payloads >= call.expected_payloads : call.received_payloads > 0;
}

/** A request with nothing left to wait for: its call delivered, or nothing of its range is missing. */
export async function completeRequest(tx: EntityManager, requestId: string): Promise<void> {
  await tx.query(`UPDATE backfill_requests SET status = 'completed', reference = NULL, next_at = NULL, reason = NULL, updated_at = now() WHERE id = $1`, [
    requestId,
  ]);
}

/** The provider's own rate limit was hit (`rate_limit_hit`): a request waits for Terra's retry, with this reason. */
export function providerRetryReason(retryingAt: Date): string {
  return `the provider's rate limit was hit; Terra retries at ${retryingAt.toISOString()}`;
}

/** A request completes once its call delivered; otherwise its silence timer restarts. */
async function progress(tx: EntityManager, call: CallRow): Promise<void> {
  if (!call.current) return;
  if (callDelivered(call)) {
    await completeRequest(tx, call.request_id);
  } else {
    await tx.query(
      `UPDATE backfill_requests SET status = 'sent', last_activity_at = now(), updated_at = now() WHERE id = $1`,
      [call.request_id],
    );
  }
  await settleBackfill(tx, call.backfill_id);
}

/**
 * A data webhook carrying a backfill's terra-reference was applied (in the applier's transaction, under the Terra
 * user's lock): one more chunk received, `rows` records stored.
 */
export async function noteBackfillData(tx: EntityManager, reference: string, rows: number, dates: readonly string[]): Promise<void> {
  const call = await callOf(tx, reference);
  if (!call) return;
  const month = modalMonth(dates);
  await tx.query(
    `UPDATE backfill_calls SET received_payloads = received_payloads + 1, rows_stored = rows_stored + $2,
       months_received = CASE WHEN $3::text IS NULL OR $3 = ANY(months_received) THEN months_received ELSE months_received || $3::text END
     WHERE reference = $1`,
    [reference, rows, month],
  );
  await progress(tx, { ...call, received_payloads: call.received_payloads + 1 });
}

/**
 * `large_request_processing` / `_sending` / `rate_limit_hit`. The reference is the body's or the delivery's
 * terra-reference header. A rate_limit_hit without one names its request by user and overlapping range: it
 * waits for Terra's `retrying_at` (the provider's limit, not a failure).
 */
export async function noteBackfillMarker(tx: EntityManager, event: TerraBackfillMarkerEvent, headerReference: string | null): Promise<void> {
  const reference = event.reference ?? headerReference;
  if (event.type === 'rate_limit_hit') {
    await rateLimitHit(tx, event, reference);
    return;
  }
  if (!reference) return;
  const call = await callOf(tx, reference);
  if (!call) return;
  const expected = event.type === 'large_request_sending' ? event.expectedPayloads : call.expected_payloads;
  await tx.query(`UPDATE backfill_calls SET large = true, expected_payloads = $2 WHERE reference = $1`, [reference, expected]);
  await progress(tx, { ...call, large: true, expected_payloads: expected });
}

async function rateLimitHit(tx: EntityManager, event: TerraBackfillMarkerEvent, reference: string | null): Promise<void> {
  const retryingAt = event.retryingAt ?? new Date();
  const reason = providerRetryReason(retryingAt);
  const rows = sqlRows<{ backfill_id: string }>(await tx.query(
    `UPDATE backfill_requests r SET status = 'waiting', last_activity_at = GREATEST($4::timestamptz, now()), reason = $5, updated_at = now()
     WHERE r.reference IS NOT NULL AND r.status IN ('sent', 'waiting')
       AND (r.reference = $1 OR ($1 IS NULL AND r.terra_user_id = $2
            AND ($3::date IS NULL OR (r.send_start <= COALESCE($6::date, $3::date) AND r.send_end >= $3::date))))
     RETURNING r.backfill_id`,
    [reference, event.user?.userId ?? null, dateOrNull(event.startDate), retryingAt, reason, dateOrNull(event.endDate)],
  ));
  for (const backfillId of new Set(rows.map((row) => row.backfill_id))) await settleBackfill(tx, backfillId);
}

/**
 * The calendar month most of a chunk's days fall in: Terra cuts a large request at month boundaries (§11), and a
 * night's sleep that starts the evening before the 1st is still the next month's chunk.
 */
export function modalMonth(dates: readonly string[]): string | null {
  const counts = new Map<string, number>();
  for (const date of dates) counts.set(date.slice(0, 7), (counts.get(date.slice(0, 7)) ?? 0) + 1);
  let best: string | null = null;
  for (const [month, count] of counts) if (best === null || count > (counts.get(best) ?? 0)) best = month;
  return best;
}

function dateOrNull(value: string | null): string | null {
  return value && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : null;
}
