import { ConnectionStatus } from '@terra-connections/persistence';
import type { EntityManager } from 'typeorm';

export interface StatusChange {
  terraUserId: string;
  /** null: unknown (keeps the stored provider; a new row gets 'UNKNOWN'). */
  provider: string | null;
  referenceId: string | null;
  /** null: keep the stored scopes. */
  scopes: string[] | null;
  status: ConnectionStatus;
  reason: string | null;
  replacedBy?: string | null;
  /** When Terra emitted the event: compared with status_changed_at, never with our clock. */
  eventAt: Date;
  /** Statuses this change leaves alone even when newer (a deauth for an id already disconnected). */
  unlessStatus?: readonly ConnectionStatus[];
}

const LIVE = `('${ConnectionStatus.Active}','${ConnectionStatus.Error}')`;
/** The event carries scopes at least as new as the stored ones (a permission_change may be newer than the status). */
const SCOPES_NEWER = `$6::text[] IS NOT NULL AND (c.scopes_changed_at IS NULL OR c.scopes_changed_at <= $10::timestamptz)`;

/**
 * The one statement that moves a connection's status. It inserts the row when we have never seen the id
 * (a deauth that overtook its auth leaves a tombstone, so the late auth cannot resurrect it), and it only
 * updates when the event is newer than the state it would replace. At equal times a terminal state
 * (disconnected, revoked, replaced) beats a live one: `t` has one-second resolution and a user's id ends
 * after it starts.
 *
 * Runs inside the applier's transaction; ON CONFLICT takes the row lock, so two events for one user applied
 * at once serialise here and the WHERE sees the winner's row.
 */
export async function applyStatusChange(tx: EntityManager, change: StatusChange): Promise<boolean> {
  const live = change.status === ConnectionStatus.Active || change.status === ConnectionStatus.Error;
  const rows: unknown[] = await tx.query(
    `INSERT INTO terra_connections AS c
       (terra_user_id, reference_id, provider, status, status_reason, scopes, replaced_by,
        connected_at, disconnected_at, status_changed_at, scopes_changed_at)
     VALUES ($1, $2, COALESCE($3::varchar, 'UNKNOWN'), $4, $5, COALESCE($6::text[], '{}'::text[]), $7,
        $8, $9, $10, CASE WHEN $6::text[] IS NULL THEN NULL ELSE $10::timestamptz END)
     ON CONFLICT (terra_user_id) DO UPDATE SET
       status = $4,
       status_reason = $5,
       reference_id = COALESCE($2::varchar, c.reference_id),
       provider = COALESCE($3::varchar, c.provider),
       scopes = CASE WHEN ${SCOPES_NEWER} THEN $6::text[] ELSE c.scopes END,
       scopes_changed_at = CASE WHEN ${SCOPES_NEWER} THEN $10::timestamptz ELSE c.scopes_changed_at END,
       replaced_by = $7,
       connected_at = COALESCE($8::timestamptz, c.connected_at),
       disconnected_at = CASE WHEN $11 THEN NULL ELSE COALESCE(c.disconnected_at, $9::timestamptz) END,
       status_changed_at = $10,
       updated_at = now()
     WHERE (c.status_changed_at IS NULL
            OR c.status_changed_at < $10::timestamptz
            OR (c.status_changed_at = $10::timestamptz
                AND (CASE WHEN $11 THEN 1 ELSE 2 END) >= (CASE WHEN c.status IN ${LIVE} THEN 1 ELSE 2 END)))
       AND NOT (c.status = ANY($12::text[]))
     RETURNING c.id`,
    [
      change.terraUserId,
      change.referenceId,
      change.provider,
      change.status,
      change.reason,
      change.scopes,
      change.replacedBy ?? null,
      live ? change.eventAt : null,
      live ? null : change.eventAt,
      change.eventAt,
      live,
      change.unlessStatus ?? [],
    ],
  );
  return rows.length > 0;
}

/** Statuses a deleted Terra id can't leave: nothing but a newer `auth` of the same id moves it (terra-contract.md §5). */
export const ENDED_STATUSES: readonly ConnectionStatus[] = [
  ConnectionStatus.Disconnected,
  ConnectionStatus.Revoked,
  ConnectionStatus.Replaced,
];
