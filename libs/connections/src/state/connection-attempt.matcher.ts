import { AttemptKind, AttemptStatus, preparedStatement, queryPrepared } from '@terra-connections/persistence';
import type { EntityManager } from 'typeorm';

export interface AttemptOutcome {
  status: AttemptStatus.Succeeded | AttemptStatus.Failed | AttemptStatus.Cancelled;
  reason: string | null;
  /** The Terra user id the auth event is about (the connected id on success). */
  terraUserId: string | null;
  provider: string | null;
  referenceId: string | null;
  /** widget_session_id (or the 2026 flow_id). */
  sessionId: string | null;
  /** Kinds the last-resort match by reference_id may pick: mobile for an auth with a user, any otherwise. */
  fallbackKinds: readonly AttemptKind[];
}

/**
 * Success may overwrite an earlier failure of the same attempt (the user retried inside one widget session);
 * a failure only ever settles a pending attempt, so a late error never undoes a success.
 */
function settleable(outcome: AttemptOutcome): string[] {
  return outcome.status === AttemptStatus.Succeeded
    ? [AttemptStatus.Pending, AttemptStatus.Failed, AttemptStatus.Cancelled]
    : [AttemptStatus.Pending];
}

const SET = `status = $2, reason = $3, terra_user_id = COALESCE($4, terra_user_id), completed_at = now(), updated_at = now()`;

/**
 * The three ways an `auth` event finds its attempt, in order, in one statement: each later way runs only when
 * the earlier ones settled nothing (it reads their RETURNING, so the order is a data dependency, not an
 * assumption about how Postgres schedules a WITH). An auth that the first way answers costs the same round trip
 * as before; one found by reference_id (the mobile SDK's) costs one instead of two.
 *
 * $1 session id, $2 status, $3 reason, $4 Terra user id, $5 statuses the outcome may settle, $6 reference_id
 * (only when there is no session id), $7 kinds the reference_id match may pick, $8 provider.
 */
const SETTLE_ATTEMPT = preparedStatement(
  'tc_connection_attempt_settle',
  `WITH by_session AS (
     UPDATE connection_attempts SET ${SET}
     WHERE $1::varchar IS NOT NULL AND session_id = $1 AND status = ANY($5::text[]) RETURNING id),
   by_user AS (
     UPDATE connection_attempts SET ${SET}
     WHERE NOT EXISTS (SELECT 1 FROM by_session) AND $4::varchar IS NOT NULL
       AND kind = '${AttemptKind.Direct}' AND terra_user_id = $4 AND status = ANY($5::text[]) RETURNING id),
   by_reference AS (
     UPDATE connection_attempts SET ${SET}
     WHERE NOT EXISTS (SELECT 1 FROM by_session) AND NOT EXISTS (SELECT 1 FROM by_user)
       AND id = (SELECT id FROM connection_attempts
                 WHERE $6::varchar IS NOT NULL AND reference_id = $6 AND status = '${AttemptStatus.Pending}' AND kind = ANY($7::text[])
                   AND ($8::varchar IS NULL OR cardinality(providers) = 0 OR $8::varchar = ANY(providers))
                 ORDER BY created_at DESC LIMIT 1 FOR UPDATE)
     RETURNING id)
   SELECT id FROM by_session UNION ALL SELECT id FROM by_user UNION ALL SELECT id FROM by_reference LIMIT 1`,
);

/**
 * Settles the connection attempt an `auth` event answers, matched the way terra-contract.md §2-3 allows: the widget
 * session id; else the user id authenticateUser pre-allocated (direct auth); else, only when the event carries
 * no session id, the newest pending attempt for that reference_id (the mobile SDK carries nothing else).
 * Returns the attempt id, if one matched.
 */
export async function settleConnectionAttempt(tx: EntityManager, outcome: AttemptOutcome): Promise<string | null> {
  const rows = await queryPrepared<{ id: string }>(tx, SETTLE_ATTEMPT, [
    outcome.sessionId || null,
    outcome.status,
    outcome.reason,
    outcome.terraUserId,
    settleable(outcome),
    outcome.sessionId ? null : outcome.referenceId,
    outcome.fallbackKinds,
    outcome.provider,
  ]);
  return rows[0]?.id ?? null;
}
