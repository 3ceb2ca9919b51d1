import { ConnectionStatus } from '@terra-connections/persistence';
import type { ConnectionChange, FreshnessChange } from '../state/connection-change';
import type { ConnectionMerge } from '../state/connection-state.tx';
import type { DisconnectedBy } from './event-types';
import type { AttemptFailure, DataReceipt, PendingEvent } from './pending-event';

/** A change of an id's history (its `replaced` move, a late revoke of a replaced id) is no connection event. */
function isHistory(change: ConnectionChange): boolean {
  return change.from === ConnectionStatus.Replaced || change.to === ConnectionStatus.Replaced;
}

function disconnectedBy(change: ConnectionChange): DisconnectedBy {
  switch (change.cause.kind) {
    case 'api':
      return 'api';
    case 'reconcile':
      return 'reconciliation';
    case 'refresh':
    case 'freshness': // a freshness run changes no status; listed for the switch to be exhaustive
      return 'refresh';
    case 'webhook':
      return change.cause.eventType === 'deauth' ? 'deauth' : 'auth_failed';
  }
}

function base(change: ConnectionChange): Omit<PendingEvent, 'type' | 'details'> {
  return {
    terraUserId: change.terraUserId,
    connectionId: change.connectionId,
    occurredAt: change.at,
    referenceId: null,
    provider: null,
  };
}

/** The one event of a change of a connection's current id, or null (nothing a consumer would act on). */
function eventOfChange(change: ConnectionChange): PendingEvent | null {
  const previous = change.from;
  const at = base(change);
  if (change.to !== previous) {
    // A row that starts ended (a deauth tombstone for an id we never knew) was never a connection to anyone.
    if (previous === null && change.to !== ConnectionStatus.Active && change.to !== ConnectionStatus.Error) return null;
    switch (change.to) {
      case ConnectionStatus.Active:
        return { ...at, type: 'connection.connected', details: { previous_status: previous, scopes: change.scopes?.after ?? null } };
      case ConnectionStatus.Error:
        return { ...at, type: 'connection.errored', details: { previous_status: previous, reason: change.reason } };
      case ConnectionStatus.Revoked:
        return { ...at, type: 'connection.revoked', details: { previous_status: previous, reason: change.reason } };
      case ConnectionStatus.Disconnected:
        return {
          ...at,
          type: 'connection.disconnected',
          details: { previous_status: previous, reason: change.reason, disconnected_by: disconnectedBy(change) },
        };
      default:
        return null;
    }
  }
  if (!change.scopes) return null;
  const before = new Set(change.scopes.before ?? []);
  const after = new Set(change.scopes.after);
  return {
    ...at,
    type: 'connection.scopes_changed',
    details: {
      scopes: change.scopes.after,
      added: change.scopes.after.filter((scope) => !before.has(scope)),
      removed: [...before].filter((scope) => !after.has(scope)),
    },
  };
}

/**
 * A user_reauth is one `connection.reconnected` of the connection that stays, however many rows it wrote: the
 * new id's (created, or moved in) and the old id's `replaced` move. Nothing when it changed nothing (a
 * redelivery).
 */
function reconnectedEvents(changes: readonly ConnectionChange[], merges: readonly ConnectionMerge[]): PendingEvent[] {
  const replaced = changes.find((change) => change.to === ConnectionStatus.Replaced);
  const current = changes.find((change) => !isHistory(change));
  const anchor = current ?? replaced;
  if (!anchor) return [];
  return [
    {
      ...base(anchor),
      // The connection's current id is resolved by the append statement: the new id once the reauth committed.
      terraUserId: current?.terraUserId ?? null,
      type: 'connection.reconnected',
      details: {
        previous_terra_user_id: replaced?.terraUserId ?? null,
        previous_status: replaced?.from ?? current?.from ?? null,
        scopes: current?.scopes?.after ?? null,
        // The new id's auth came first and made it a connection of its own (announced as connected): that
        // connection_id now names this connection.
        merged_connection_id: merges.find((merge) => merge.into === anchor.connectionId)?.from ?? null,
      },
    },
  ];
}

/** The events of one transaction's changes, attempt outcomes and data, in the order they happened. */
export function pendingEventsOf(
  changes: readonly ConnectionChange[],
  attemptFailures: readonly AttemptFailure[],
  dataReceipts: readonly DataReceipt[],
  merges: readonly ConnectionMerge[] = [],
  freshness: readonly FreshnessChange[] = [],
): PendingEvent[] {
  const events: PendingEvent[] = [];
  const reauth = changes.length > 0 && changes[0].cause.kind === 'webhook' && changes[0].cause.eventType === 'user_reauth';
  if (reauth) events.push(...reconnectedEvents(changes, merges));
  else {
    for (const change of changes) {
      if (isHistory(change)) continue;
      const event = eventOfChange(change);
      if (event) events.push(event);
    }
  }
  for (const failure of attemptFailures) {
    events.push({
      type: 'connection.attempt_failed',
      terraUserId: failure.terraUserId,
      connectionId: null,
      occurredAt: failure.at,
      referenceId: failure.referenceId,
      provider: failure.provider,
      details: { reason: failure.reason, cancelled: failure.cancelled, attempt_id: failure.attemptId },
    });
  }
  for (const move of freshness) {
    const event = eventOfFreshness(move);
    if (event) events.push(event);
  }
  for (const receipt of dataReceipts) {
    events.push({
      type: 'data.received',
      terraUserId: receipt.terraUserId,
      connectionId: null,
      occurredAt: receipt.at,
      referenceId: receipt.referenceId,
      provider: receipt.provider,
      details: {
        data_type: receipt.dataType,
        count: receipt.count,
        skipped: receipt.skipped,
        dates: receipt.dates,
        summary_ids: receipt.summaryIds,
      },
    });
  }
  return events;
}

/**
 * `connection.stale` when a connection goes stale, `connection.fresh` when a stale one comes back. A move to
 * `unknown` (the connection ended: its own event said so) and `unknown` -> `fresh` (a connection judged for the
 * first time) are none.
 */
function eventOfFreshness(move: FreshnessChange): PendingEvent | null {
  const at = { terraUserId: move.terraUserId, connectionId: move.connectionId, occurredAt: move.at, referenceId: null, provider: null };
  const lastDataAt = move.lastDataAt ? move.lastDataAt.toISOString() : null;
  if (move.to === 'stale' && move.from !== 'stale') {
    return { ...at, type: 'connection.stale', details: { previous_freshness: move.from, last_data_at: lastDataAt, overdue_types: move.overdueTypes ?? [] } };
  }
  if (move.from === 'stale' && move.to === 'fresh') {
    return {
      ...at,
      type: 'connection.fresh',
      details: { stale_since: move.staleSince ? move.staleSince.toISOString() : null, last_data_at: lastDataAt, data_type: move.dataType ?? null },
    };
  }
  return null;
}
