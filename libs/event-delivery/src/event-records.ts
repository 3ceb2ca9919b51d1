import type { StoredEvent } from '@terra-connections/connections';
import { sqlRows } from '@terra-connections/persistence';
import type { DataSource } from 'typeorm';

/** The health values one delivery may carry, as JSON text; past it the rest is left out and flagged. */
export const EVENT_RECORDS_MAX_BYTES = 1024 * 1024;

export interface EventRecords {
  /** The stored records the event names, as they are now (an erased record is not sent). */
  records: { data_key: string; date: string | null; summary_id: string | null; payload: unknown }[];
  /** True when some named records were left out to keep the body under EVENT_RECORDS_MAX_BYTES. */
  records_truncated: boolean;
}

/**
 * The health values of a `data.received` event, for an endpoint with `include_data`. Read from health_data
 * when the delivery is sent, not kept in the event: the outbox holds keys only, so an erasure leaves no copy
 * behind, and the record sent is the newest stored. The keys are the event's own (`dates` or `summary_ids`,
 * at most 100 each).
 */
export async function eventRecords(dataSource: DataSource, event: StoredEvent): Promise<EventRecords | null> {
  if (event.type !== 'data.received' || event.connectionId === null) return null;
  const data = event.data as { data_type?: unknown; count?: unknown; dates?: unknown; summary_ids?: unknown };
  const keys = [...stringsOf(data.dates), ...stringsOf(data.summary_ids), ...(data.data_type === 'athlete' ? ['athlete'] : [])];
  // The event names at most 100 keys of each kind: more written than named means some are not sent.
  const unnamed = typeof data.count === 'number' && data.count > keys.length;
  if (typeof data.data_type !== 'string' || keys.length === 0) return { records: [], records_truncated: unnamed };
  const rows = sqlRows<{ data_key: string; date: string | null; summary_id: string | null; payload: unknown; bytes: number }>(
    await dataSource.query(
      `SELECT data_key, to_char(date, 'YYYY-MM-DD') AS date, summary_id, payload,
              COALESCE(payload_bytes, pg_column_size(payload))::int AS bytes
       FROM health_data WHERE connection_id = $1 AND type = $2 AND data_key = ANY($3::varchar[]) ORDER BY data_key`,
      [event.connectionId, data.data_type, keys],
    ),
  );
  const records: EventRecords['records'] = [];
  let total = 0;
  for (const row of rows) {
    total += row.bytes;
    if (total > EVENT_RECORDS_MAX_BYTES) return { records, records_truncated: true };
    records.push({ data_key: row.data_key, date: row.date, summary_id: row.summary_id, payload: row.payload });
  }
  return { records, records_truncated: unnamed };
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
