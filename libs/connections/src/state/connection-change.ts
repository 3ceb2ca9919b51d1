import type { ConnectionStatus } from '@terra-connections/persistence';
import type { Freshness } from '../freshness/freshness';

/** What made a connection change: one webhook event, our own API, a refresh from Terra, or reconciliation. */
export type ConnectionChangeCause =
  | { kind: 'webhook'; eventId: string; eventType: string }
  | { kind: 'api' }
  | { kind: 'refresh' }
  | { kind: 'reconcile' }
  | { kind: 'freshness' };

/**
 * A connection's freshness moved (ConnectionFreshness): by the freshness job, or to `fresh` by the data event
 * that ended a silence. Collected beside the status changes; `connection.stale` / `connection.fresh` come from it.
 */
export interface FreshnessChange {
  connectionId: string;
  terraUserId: string;
  from: Freshness;
  to: Freshness;
  at: Date;
  /** When the connection had gone stale (a move out of stale). */
  staleSince: Date | null;
  lastDataAt: Date | null;
  /** The expected types that were overdue (a move to stale): type, last arrival, window. */
  overdueTypes?: { type: string; last_received_at: string; window_ms: number }[];
  /** The data type whose arrival ended the silence (a data event's move to fresh). */
  dataType?: string;
}

/**
 * "Terra id T of connection X went from A to B because of E": one per write that moved a Terra id's status or
 * scopes (a new row is a change from null). A change of a connection's current id is a change of the
 * connection; one of an older id (its `replaced` move, a late revoke) is a change of its history only. Collected per transaction by ConnectionStateTx, so that whatever records
 * changes (an outbox row, later) commits or rolls back with them. Timestamp-only writes are not changes.
 */
export interface ConnectionChange {
  /** The connection the Terra id belongs to once the transaction commits (a user_reauth may join two). */
  connectionId: string;
  terraUserId: string;
  /** null: the row did not exist before this write. */
  from: ConnectionStatus | null;
  to: ConnectionStatus;
  cause: ConnectionChangeCause;
  /** When it happened: the event's ordering time for a webhook, our clock otherwise. */
  at: Date;
  /** The status reason written with a status change; null for a change of scopes alone. */
  reason: string | null;
  /** Present when the set of scopes changed (before is null for a new row). */
  scopes?: { before: string[] | null; after: string[] };
}

/** The columns every state statement returns for the row it wrote (`returningChange` in connection-state.sql.ts). */
export interface WrittenConnectionRow {
  terra_user_id: string;
  connection_id: string;
  before_status: ConnectionStatus | null;
  before_scopes: string[] | null;
  after_status: ConnectionStatus;
  after_scopes: string[];
  reason: string | null;
  changed_at: Date;
}

function sameScopes(before: string[] | null, after: string[]): boolean {
  if (before === null) return after.length === 0;
  const set = new Set(before);
  return set.size === new Set(after).size && after.every((scope) => set.has(scope));
}

/** null when the write left status and scopes as they were (a newer copy of the same state). */
export function toConnectionChange(row: WrittenConnectionRow, cause: ConnectionChangeCause): ConnectionChange | null {
  const statusChanged = row.before_status !== row.after_status;
  const scopesChanged = !sameScopes(row.before_scopes, row.after_scopes);
  if (!statusChanged && !scopesChanged) return null;
  return {
    connectionId: row.connection_id,
    terraUserId: row.terra_user_id,
    from: row.before_status,
    to: row.after_status,
    cause,
    at: row.changed_at,
    reason: statusChanged ? row.reason : null,
    ...(scopesChanged ? { scopes: { before: row.before_scopes, after: row.after_scopes } } : {}),
  };
}
