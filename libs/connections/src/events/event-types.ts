/**
 * The outbound event types. PUBLIC CONTRACT: consumers switch on these names and they are stored in `events`;
 * never rename one, add a new one instead. docs/events.md describes each with an example.
 */
export const EVENT_TYPES = [
  'connection.connected',
  'connection.reconnected',
  'connection.errored',
  'connection.scopes_changed',
  'connection.revoked',
  'connection.disconnected',
  'connection.attempt_failed',
  'data.received',
  'backfill.completed',
  'backfill.stalled',
  'backfill.failed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Announced by later issues (freshness, backfill); accepted in filters now so a consumer can subscribe ahead.
 * Nothing emits them yet.
 */
export const RESERVED_EVENT_TYPES = ['connection.stale', 'connection.fresh'] as const;

export const SUBSCRIBABLE_EVENT_TYPES: readonly string[] = [...EVENT_TYPES, ...RESERVED_EVENT_TYPES];

/** Who ended a connection, in `connection.disconnected`. */
export type DisconnectedBy = 'api' | 'deauth' | 'reconciliation' | 'refresh' | 'auth_failed';
