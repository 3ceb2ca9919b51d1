/** An `events` row as the feed and the delivery read it. */
export interface StoredEvent {
  eventId: string;
  type: string;
  occurredAt: Date;
  connectionId: string | null;
  terraUserId: string | null;
  referenceId: string | null;
  provider: string | null;
  /** bigint as a string; null for an event of no connection. */
  sequence: string | null;
  data: Record<string, unknown>;
}

/**
 * The Standard Webhooks body, `{id, type, timestamp, data}`: PUBLIC CONTRACT, the same in the feed and in
 * every delivery, so it lives here rather than in one app's DTOs. Every event's data starts with the
 * connection fields; the type's own fields follow.
 */
export interface EventEnvelope {
  id: string;
  type: string;
  timestamp: string;
  data: {
    connection_id: string | null;
    terra_user_id: string | null;
    reference_id: string | null;
    provider: string | null;
    sequence: number | null;
  } & Record<string, unknown>;
}

export function toEventEnvelope(event: StoredEvent): EventEnvelope {
  return {
    id: event.eventId,
    type: event.type,
    timestamp: event.occurredAt.toISOString(),
    data: {
      connection_id: event.connectionId,
      terra_user_id: event.terraUserId,
      reference_id: event.referenceId,
      provider: event.provider,
      // Per-connection counters stay far below 2^53.
      sequence: event.sequence === null ? null : Number(event.sequence),
      ...event.data,
    },
  };
}

/** The columns of a StoredEvent, named as its properties; `table` qualifies them in a join. */
export function storedEventColumns(table?: string): string {
  const q = table ? `${table}.` : '';
  return `${q}event_id AS "eventId", ${q}type, ${q}occurred_at AS "occurredAt", ${q}connection_id AS "connectionId",
  ${q}terra_user_id AS "terraUserId", ${q}reference_id AS "referenceId", ${q}provider, ${q}sequence::text AS sequence, ${q}data`;
}
