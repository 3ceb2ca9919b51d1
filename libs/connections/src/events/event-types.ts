/**
 * The outbound event types. PUBLIC CONTRACT: consumers switch on these names and they are stored in `events`;
 * never rename one, add a new one instead. docs/events.md describes each with an example; its payload goes in
 * EVENT_CATALOGUE (event-payloads.ts), from which the OpenAPI `webhooks` section and the client are generated.
 */
export const EVENT_TYPES = [
  'connection.connected',
  'connection.reconnected',
  'connection.errored',
  'connection.scopes_changed',
  'connection.revoked',
  'connection.disconnected',
  'connection.attempt_failed',
  'connection.stale',
  'connection.fresh',
  'data.received',
  'backfill.completed',
  'backfill.stalled',
  'backfill.failed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Who ended a connection, in `connection.disconnected`. PUBLIC CONTRACT like the type names. */
export const DISCONNECTED_BY = ['api', 'deauth', 'reconciliation', 'refresh', 'auth_failed'] as const;
export type DisconnectedBy = (typeof DISCONNECTED_BY)[number];
