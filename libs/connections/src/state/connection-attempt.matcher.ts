import { AttemptKind, AttemptStatus, sqlRows } from '@terra-connections/persistence';
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
 * Settles the connection attempt an `auth` event answers, matched the way terra-contract.md §2-3 allows: the widget
 * session id; else the user id authenticateUser pre-allocated (direct auth); else the newest pending attempt
 * for that reference_id (the mobile SDK carries nothing else). Returns the attempt id, if one matched.
 */
export async function settleConnectionAttempt(tx: EntityManager, outcome: AttemptOutcome): Promise<string | null> {
  const from = settleable(outcome);
  const common = [outcome.status, outcome.reason, outcome.terraUserId, from];
  const first = async (sql: string, params: unknown[]): Promise<string | null> => {
    const rows = sqlRows<{ id: string }>(await tx.query(sql, params));
    return rows[0]?.id ?? null;
  };

  if (outcome.sessionId) {
    const id = await first(
      `UPDATE connection_attempts SET ${SET} WHERE session_id = $1 AND status = ANY($5::text[]) RETURNING id`,
      [outcome.sessionId, ...common],
    );
    if (id) return id;
  }
  if (outcome.terraUserId) {
    const id = await first(
      `UPDATE connection_attempts SET ${SET}
       WHERE kind = '${AttemptKind.Direct}' AND terra_user_id = $1 AND status = ANY($5::text[]) RETURNING id`,
      [outcome.terraUserId, ...common],
    );
    if (id) return id;
  }
  if (outcome.referenceId && !outcome.sessionId) {
    return first(
      `UPDATE connection_attempts SET ${SET}
       WHERE id = (SELECT id FROM connection_attempts
                   WHERE reference_id = $1 AND status = '${AttemptStatus.Pending}' AND kind = ANY($5::text[])
                     AND ($6::varchar IS NULL OR cardinality(providers) = 0 OR $6::varchar = ANY(providers))
                   ORDER BY created_at DESC LIMIT 1 FOR UPDATE)
       RETURNING id`,
      [outcome.referenceId, outcome.status, outcome.reason, outcome.terraUserId, outcome.fallbackKinds, outcome.provider],
    );
  }
  return null;
}
