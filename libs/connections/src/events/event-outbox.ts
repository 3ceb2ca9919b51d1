import { preparedStatement, queryPrepared } from '@terra-connections/persistence';
import type { EntityManager } from 'typeorm';
import type { ConnectionStateTx } from '../state/connection-state.tx';
import { pendingEventsOf } from './connection-events';
import type { PendingEvent } from './pending-event';

/**
 * One event of a connection, in one statement: the connection (named by the change, else by the Terra id's
 * row, else the connection id that id's auth will give it: data that came first waits there), its current
 * Terra id, reference and provider as the transaction leaves them, and the next sequence number of the
 * connection. The sequence row's lock serialises the connection's writers until they commit, so sequence
 * order is commit order. It is the transaction's last lock (nothing else is locked after the append), so it
 * cannot close a deadlock cycle.
 *
 * $1 terra_user_id, $2 type, $3 occurred_at, $4 reference_id fallback, $5 provider fallback, $6 data, $7
 * connection_id (or null).
 */
export const EVENT_APPEND = preparedStatement(
  'tc_event_append',
  `WITH k AS (
     SELECT COALESCE($7::uuid, (SELECT connection_id FROM terra_connections WHERE terra_user_id = $1), tc_connection_uuid($1)) AS connection_id),
   cur AS (
     SELECT c.terra_user_id, c.reference_id, c.provider FROM terra_connections c JOIN k ON c.connection_id = k.connection_id
     WHERE c.is_current LIMIT 1),
   s AS (
     INSERT INTO connection_event_sequences AS s (connection_id, last_sequence) SELECT connection_id, 1 FROM k
     ON CONFLICT (connection_id) DO UPDATE SET last_sequence = s.last_sequence + 1
     RETURNING connection_id, last_sequence)
   INSERT INTO events (type, occurred_at, connection_id, terra_user_id, reference_id, provider, sequence, data)
   SELECT $2, $3, s.connection_id, COALESCE((SELECT terra_user_id FROM cur), $1), COALESCE((SELECT reference_id FROM cur), $4),
          COALESCE((SELECT provider FROM cur), $5), s.last_sequence, $6::jsonb
   FROM s`,
);

/** An event of no connection (a failed connect attempt): no sequence. */
export const EVENT_APPEND_UNATTACHED = preparedStatement(
  'tc_event_append_unattached',
  `INSERT INTO events (type, occurred_at, terra_user_id, reference_id, provider, data) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
);

/** Appends the events; one statement each (a data event: exactly one). Connections in one order, so two writers cannot deadlock. */
export async function appendEvents(tx: EntityManager, events: readonly PendingEvent[]): Promise<void> {
  const ordered = [...events].sort((a, b) => (a.connectionId ?? '').localeCompare(b.connectionId ?? ''));
  for (const event of ordered) {
    const data = JSON.stringify(event.details);
    if (event.type === 'connection.attempt_failed') {
      await queryPrepared(tx, EVENT_APPEND_UNATTACHED, [event.type, event.occurredAt, event.terraUserId, event.referenceId, event.provider, data]);
    } else {
      await queryPrepared(tx, EVENT_APPEND, [
        event.terraUserId,
        event.type,
        event.occurredAt,
        event.referenceId,
        event.provider,
        data,
        event.connectionId,
      ]);
    }
  }
}

/**
 * The one place a transaction's events are recorded: called by whoever commits a ConnectionStateTx (the
 * applier, withConnectionState), last, just before the commit.
 */
export function recordEvents(tx: EntityManager, state: ConnectionStateTx): Promise<void> {
  return appendEvents(tx, pendingEventsOf(state.changes, state.attemptFailures, state.dataReceipts, state.connectionMerges, state.freshnessChanges));
}
