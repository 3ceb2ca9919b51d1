import { ConnectionStatus, preparedStatement } from '@terra-connections/persistence';
import { LIVE_STATUSES } from './connection-statuses';

/*
 * Every statement that writes terra_connections. Those that can change a status or scopes read the row as it
 * was in the same statement (the CTE `prior`: it sees the statement's snapshot, not the statement's own write)
 * and end in `returningChange`, from which ConnectionStateTx derives the ConnectionChange: no extra round trip.
 * The prior state is exact because every writer holds the Terra user's advisory lock (lockTerraUser): no other
 * transaction can change the row between the snapshot and the write.
 */

const LIVE = `(${LIVE_STATUSES.map((status) => `'${status}'`).join(',')})`;

const PRIOR = `WITH prior AS (SELECT status, scopes FROM terra_connections WHERE terra_user_id = $1)`;

/** The row's status and scopes before and after the write, and the time the change is dated. */
function returningChange(changedAt: string): string {
  return `RETURNING c.terra_user_id, c.connection_id, (SELECT status FROM prior) AS before_status, (SELECT scopes FROM prior) AS before_scopes,
    c.status AS after_status, c.scopes AS after_scopes, c.status_reason AS reason, ${changedAt} AS changed_at`;
}

/**
 * The one ordering rule: a status written at `at` replaces the stored one only when it is newer than
 * status_changed_at, or equally old with an ended status replacing a live one (`t` has one-second
 * resolution, and an id ends after it starts).
 */
function newerThanStoredStatus(at: string, targetIsLive: string): string {
  return `(c.status_changed_at IS NULL
      OR c.status_changed_at < ${at}
      OR (c.status_changed_at = ${at}
          AND (CASE WHEN ${targetIsLive} THEN 1 ELSE 2 END) >= (CASE WHEN c.status IN ${LIVE} THEN 1 ELSE 2 END)))`;
}

/*
 * A status move. An ended connection's freshness is `unknown` at once (no data is expected from it; the
 * freshness job would say so on its next run, and the stale listing must not show it meanwhile). $1 terra_user_id, $2 reference_id (null: keep), $3 provider (null: keep; a new row gets
 * UNKNOWN), $4 status, $5 status_reason, $6 scopes (null: keep), $7 replaced_by, $8 connected_at (a live move),
 * $9 disconnected_at (an ended move), $10 the move's time, $11 the target is live, $12 statuses left alone.
 */

/** The event carries scopes at least as new as the stored ones (a permission_change may be newer than the status). */
const SCOPES_NEWER = `$6::text[] IS NOT NULL AND (c.scopes_changed_at IS NULL OR c.scopes_changed_at <= $10::timestamptz)`;

const MOVE_SET = `
    status = $4,
    status_reason = $5,
    reference_id = COALESCE($2::varchar, c.reference_id),
    provider = COALESCE($3::varchar, c.provider),
    scopes = CASE WHEN ${SCOPES_NEWER} THEN $6::text[] ELSE c.scopes END,
    scopes_changed_at = CASE WHEN ${SCOPES_NEWER} THEN $10::timestamptz ELSE c.scopes_changed_at END,
    replaced_by = $7,
    connected_at = COALESCE($8::timestamptz, c.connected_at),
    disconnected_at = CASE WHEN $11 THEN NULL ELSE COALESCE(c.disconnected_at, $9::timestamptz) END,
    freshness = CASE WHEN $11 THEN c.freshness ELSE 'unknown' END,
    stale_since = CASE WHEN $11 THEN c.stale_since END,
    status_changed_at = $10,
    updated_at = now()`;

const MOVE_GUARD = `${newerThanStoredStatus('$10::timestamptz', '$11')}
    AND NOT (c.status = ANY($12::text[]))`;

/**
 * A status move that creates the row when we have never seen the id: a deauth that overtook its auth leaves
 * a tombstone, so the late auth cannot resurrect it. A new row starts its own connection (the insert trigger
 * names it tc_connection_uuid of the Terra id, where data that raced ahead of the auth already waits); a
 * user_reauth then joins it to its chain (ConnectionStateTx.replace). ON CONFLICT takes the row lock, so two moves of one id
 * serialise here and the WHERE sees the winner's row.
 */
export const CONNECTION_STATUS_UPSERT = preparedStatement(
  'tc_connection_status_upsert',
  `${PRIOR}
  INSERT INTO terra_connections AS c
    (terra_user_id, reference_id, provider, status, status_reason, scopes, replaced_by,
     connected_at, disconnected_at, status_changed_at, scopes_changed_at)
  VALUES ($1, $2, COALESCE($3::varchar, 'UNKNOWN'), $4, $5, COALESCE($6::text[], '{}'::text[]), $7,
     $8, $9, $10, CASE WHEN $6::text[] IS NULL THEN NULL ELSE $10::timestamptz END)
  ON CONFLICT (terra_user_id) DO UPDATE SET ${MOVE_SET}
  WHERE ${MOVE_GUARD}
  ${returningChange('$10::timestamptz')}`,
);

/** The same move for a row that must already exist (a failed auth, reconciliation): never creates one. */
export const CONNECTION_STATUS_UPDATE = preparedStatement(
  'tc_connection_status_update',
  `${PRIOR}
  UPDATE terra_connections AS c SET ${MOVE_SET}
  WHERE c.terra_user_id = $1 AND ${MOVE_GUARD}
  ${returningChange('$10::timestamptz')}`,
);

/**
 * Scopes replaced, status untouched. An event older than the stored scopes (scopes_changed_at) is ignored; for
 * rows whose scopes predate that column, the last status change stands in for it.
 */
export const CONNECTION_SCOPES_CHANGE = preparedStatement(
  'tc_connection_scopes_change',
  `${PRIOR}
  UPDATE terra_connections AS c SET scopes = $2, scopes_changed_at = $3, updated_at = now()
  WHERE c.terra_user_id = $1
    AND (COALESCE(c.scopes_changed_at, c.status_changed_at) IS NULL OR COALESCE(c.scopes_changed_at, c.status_changed_at) <= $3)
  ${returningChange('$3::timestamptz')}`,
);

/**
 * Our own DELETE: disconnected now, whatever the stored time says (it is the user's decision, made now).
 * `status <> 'disconnected'` keeps the first of two racing DELETEs as the one that is recorded.
 */
export const CONNECTION_DISCONNECT_VIA_API = preparedStatement(
  'tc_connection_disconnect_via_api',
  `${PRIOR}
  UPDATE terra_connections AS c
     SET status = '${ConnectionStatus.Disconnected}', disconnected_at = now(), status_reason = $2,
         freshness = 'unknown', stale_since = NULL, status_changed_at = now(), updated_at = now()
   WHERE c.terra_user_id = $1 AND c.status <> '${ConnectionStatus.Disconnected}'
  ${returningChange('now()')}`,
);

/** A Terra user we never heard of (reconciliation): created, never overwriting a row that appeared meanwhile. */
export const CONNECTION_CREATE_IF_UNKNOWN = preparedStatement(
  'tc_connection_create_if_unknown',
  `${PRIOR}
  INSERT INTO terra_connections AS c
    (terra_user_id, reference_id, provider, status, status_reason, scopes, connected_at, status_changed_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
  ON CONFLICT (terra_user_id) DO NOTHING
  ${returningChange('$7::timestamptz')}`,
);

/**
 * A refresh from Terra: only the columns the refresh changes, so the text varies (not prepared; refresh is
 * rare). Column names come from a fixed list, never from input. $1 terra_user_id, then one value per column,
 * then the refresh's time.
 */
export function refreshUpdate(setColumns: readonly string[]): string {
  const sets = setColumns.map((column, index) => `${column} = $${index + 2}`);
  return `${PRIOR}
  UPDATE terra_connections AS c SET ${[...sets, 'updated_at = now()'].join(', ')}
  WHERE c.terra_user_id = $1
  ${returningChange(`$${setColumns.length + 2}::timestamptz`)}`;
}

/* A data event's write of the connection row is CONNECTION_DATA_ARRIVAL (connection-freshness.sql.ts). */

/** The status of the connection an id belongs to (its current row's), share-locking that row. */
export const CONNECTION_CURRENT_STATUS_FOR_DATA = preparedStatement(
  'tc_connection_current_status_for_data',
  `SELECT cur.status FROM terra_connections cur
   WHERE cur.is_current AND cur.connection_id = (SELECT connection_id FROM terra_connections WHERE terra_user_id = $1)
   FOR SHARE OF cur`,
);

/** Any other event of a known user: when we last heard about it. Never moves backwards. */
export const CONNECTION_STAMP_LAST_WEBHOOK = preparedStatement(
  'tc_connection_stamp_last_webhook',
  `UPDATE terra_connections SET last_webhook_at = GREATEST(COALESCE(last_webhook_at, $2::timestamptz), $2::timestamptz)
   WHERE terra_user_id = $1`,
);

/*
 * Joining two connections (a user_reauth whose ids were in different connections): $1 the connection that
 * goes, $2 the one that stays. Every statement runs under the Terra-user locks of every row of both.
 */

/** The rows of $1 move to $2, their chain positions shifted by $3; every row of both gets the listing key $4. */
export const CONNECTION_JOIN_ROWS = `UPDATE terra_connections
  SET connection_id = $2, chain_position = chain_position + CASE WHEN connection_id = $1 THEN $3::int ELSE 0 END,
      connection_seq = $4, updated_at = now()
  WHERE connection_id IN ($1, $2)`;

/** The connection's current id: the last of its chain (ties: the newest row). */
export const CONNECTION_MARK_CURRENT = `UPDATE terra_connections c SET is_current = (c.id = (
    SELECT id FROM terra_connections WHERE connection_id = $1 ORDER BY chain_position DESC, id DESC LIMIT 1))
  WHERE c.connection_id = $1 AND c.is_current IS DISTINCT FROM (c.id = (
    SELECT id FROM terra_connections WHERE connection_id = $1 ORDER BY chain_position DESC, id DESC LIMIT 1))`;
