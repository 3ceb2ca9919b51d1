import type { EventDetails } from './event-payloads';
import type { EventType } from './event-types';

/**
 * An event about to be appended to the outbox in the transaction that caused it. `details` is stored as the
 * payload's own fields (snake_case: it is the wire shape); the connection fields (connection_id, current
 * terra_user_id, reference_id, provider, sequence) are resolved by the append statement from the row as the
 * transaction leaves it.
 */
export type PendingEvent = { [T in EventType]: PendingEventOf<T> }[EventType];

interface PendingEventOf<T extends EventType> {
  type: T;
  /** The Terra id the event is about: resolves the connection when `connectionId` is null (data of an id). */
  terraUserId: string | null;
  /** Known for a state change; null for data (resolved from terraUserId). */
  connectionId: string | null;
  occurredAt: Date;
  /** Fallbacks when no connection row exists (data that came before its auth; an attempt without one). */
  referenceId: string | null;
  provider: string | null;
  /** Typed by the catalogue, so what is written is what the OpenAPI document promises. */
  details: EventDetails<T>;
}

/** A failed or cancelled connect attempt, as the state module settled it. */
export interface AttemptFailure {
  terraUserId: string | null;
  referenceId: string | null;
  provider: string | null;
  reason: string | null;
  cancelled: boolean;
  attemptId: string | null;
  at: Date;
}

/** What one applied data event wrote: keys only, never health values. */
export interface DataReceipt {
  terraUserId: string;
  provider: string | null;
  referenceId: string | null;
  dataType: string;
  /** Calendar dates (YYYY-MM-DD) of the records written, distinct, sorted. */
  dates: string[];
  /** Terra summary ids of the records written that have one (capped; see DATA_RECEIPT_MAX_KEYS). */
  summaryIds: string[];
  /** Records written. */
  count: number;
  /** Items without a Terra key or with an invalid date, skipped. */
  skipped: number;
  at: Date;
}

/** A data event with many items names at most this many dates and summary ids (the count is always exact). */
export const DATA_RECEIPT_MAX_KEYS = 100;
