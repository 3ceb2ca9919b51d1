export * from './connections.errors';
export * from './connection-cursor';
export * from './connection';
export * from './connections.service';
export * from './connection-resolver';
/** The bench explains the listing's own statements. */
export { listStatement } from './connection-read.sql';
export { MERGED_HEALTH_PAYLOAD } from './state/health-data-merge.sql';
export * from './connection-attempts.service';
export * from './providers.service';
export * from './connections.module';
export * from './state/connection-statuses';
export type { ConnectionChange, ConnectionChangeCause } from './state/connection-change';
export * from './state/connection-state.tx';
export type { AttemptOutcome } from './state/connection-attempt.matcher';
export type { ErasureScope } from './state/connection-erasure';
export * from './state/connection-lifecycle';
export { INACTIVE_AT_TERRA, NOT_FOUND_AT_TERRA } from './state/terra-refresh';
/** The bench floor's spec pins its copies to these texts. */
export { CONNECTION_SCOPES_CHANGE, CONNECTION_STATUS_UPSERT } from './state/connection-state.sql';
export * from './reconcile/terra-user-directory';
export * from './reconcile/connection-reconciler';
export * from './events/event-types';
export * from './events/pending-event';
export * from './events/event-payloads';
export { pendingEventsOf } from './events/connection-events';
export { recordEvents, appendEvents, EVENT_APPEND } from './events/event-outbox';
export * from './events/event-envelope';
export * from './events/event-feed.query';
