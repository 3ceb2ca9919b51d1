import { sqlRows } from '@terra-connections/persistence';
import type { EntityManager } from 'typeorm';
import { appendEvents } from '../events/event-outbox';
import type { EventDetails } from '../events/event-payloads';
import type { PendingEvent } from '../events/pending-event';
import { deriveStatus, isFinalRequest, type BackfillRequestStatus, type BackfillStatus } from './backfill.model';

interface RequestRow {
  data_type: string;
  status: BackfillRequestStatus;
  next_at: Date | null;
  requests_made: number;
  reason: string | null;
}

interface SettledRow {
  connection_id: string;
  terra_user_id: string;
  provider: string | null;
  trigger: string;
  start_date: string | null;
  end_date: string | null;
  types: string[] | null;
}

type BackfillEventType = 'backfill.completed' | 'backfill.failed' | 'backfill.stalled';

/** The outbound event of a backfill entering one of these statuses (docs/events.md). */
const EVENT_OF: Partial<Record<BackfillStatus, BackfillEventType>> = {
  completed: 'backfill.completed',
  failed: 'backfill.failed',
  stalled: 'backfill.stalled',
};

/** One backfill event, its details as the catalogue types them (event-payloads.ts). */
function backfillEvent(type: BackfillEventType, row: SettledRow, backfillId: string, at: Date, details: Omit<EventDetails<BackfillEventType>, 'backfill_id' | 'trigger' | 'start_date' | 'end_date' | 'types'>): PendingEvent {
  return {
    type,
    terraUserId: row.terra_user_id,
    connectionId: row.connection_id,
    occurredAt: at,
    referenceId: null,
    provider: row.provider,
    details: {
      backfill_id: backfillId,
      trigger: row.trigger as 'connect' | 'api',
      start_date: row.start_date,
      end_date: row.end_date,
      types: row.types ?? [],
      ...details,
    },
  } as PendingEvent;
}

/**
 * Recomputes a backfill's status from its requests, in the caller's transaction (which holds the Terra user's
 * lock), and records `backfill.completed` / `.failed` / `.stalled` through the outbox when it enters one: the
 * event commits with the change that caused it. Entering `stalled` again after a re-request ran is a new event.
 */
export async function settleBackfill(tx: EntityManager, backfillId: string, at = new Date()): Promise<BackfillStatus | null> {
  const requests: RequestRow[] = await tx.query(
    `SELECT data_type, status, next_at, requests_made, reason FROM backfill_requests WHERE backfill_id = $1 ORDER BY id`,
    [backfillId],
  );
  if (requests.length === 0) return null;
  const states = requests.map((r) => ({ status: r.status, nextAt: r.next_at, requestsMade: r.requests_made }));
  const status = deriveStatus(states);
  const finished = states.every(isFinalRequest);
  const rows = sqlRows<SettledRow>(await tx.query(
    `UPDATE backfills SET status = $2, updated_at = now(), finished_at = CASE WHEN $3::boolean THEN now() END
     WHERE id = $1 AND status <> $2 AND status <> 'unsupported'
     RETURNING connection_id, terra_user_id, provider, trigger, start_date::text, end_date::text, types`,
    [backfillId, status, finished],
  ));
  const row = rows[0];
  const type = EVENT_OF[status];
  if (row && type) {
    const problems = requests
      .filter((r) => r.status === 'failed' || r.status === 'stalled')
      .map((r) => ({ type: r.data_type, status: r.status as 'failed' | 'stalled', reason: r.reason }));
    await appendEvents(tx, [backfillEvent(type, row, backfillId, at, { status: status as 'completed' | 'failed' | 'stalled', problems })]);
  }
  return status;
}

/** A backfill that finished without requests (unsupported, nothing to ask): its event with the status. */
export async function finishWithoutRequests(
  tx: EntityManager,
  backfillId: string,
  status: 'unsupported' | 'completed' | 'failed',
  message: string,
): Promise<void> {
  const rows = sqlRows<SettledRow>(await tx.query(
    `UPDATE backfills SET status = $2, message = $3, updated_at = now(), finished_at = now() WHERE id = $1
     RETURNING connection_id, terra_user_id, provider, trigger, start_date::text, end_date::text, types`,
    [backfillId, status, message],
  ));
  const row = rows[0];
  const type = EVENT_OF[status];
  if (!row || !type) return;
  await appendEvents(tx, [backfillEvent(type, row, backfillId, new Date(), { status: status as 'completed' | 'failed', problems: [], message })]);
}
