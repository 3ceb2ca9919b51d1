import { dataArrivalWith, MERGED_HEALTH_PAYLOAD } from '@terra-connections/connections';
import { preparedStatement } from '@terra-connections/persistence';

/**
 * One health_data row per connection and Terra key. $1 is the Terra user id that sent the data: the row goes
 * to that id's connection, or, for an id we have no row for yet, under the connection id it will get
 * (tc_connection_uuid), where its `auth` finds it and a `user_reauth` re-keys it. A later copy replaces an
 * earlier one (daily data is a running superset), except that null scores keep the stored values and an older
 * event (by ordering time) never overwrites a newer copy. The bench floor keeps a copy of this text (pinned by
 * bench/floor/floor-sql.spec.ts).
 *
 * One statement per batch of an event's items ($3..$8 parallel arrays, one element per item; at most one item per
 * key, as ON CONFLICT cannot update a row twice in one statement): a chunk of 250,000 items was 250,000 round
 * trips inside one transaction (minutes of row locks), and a key repeated in a chunk rewrote its row once per
 * copy, each rewrite walking the transaction's growing chain of dead versions.
 */
function healthDataUpsertSql(param: (n: number) => string = (n) => `$${n}`, onlyIf?: string): string {
  const $ = param;
  return `
  INSERT INTO health_data AS h
    (connection_id, terra_user_id, type, data_key, summary_id, date, start_time, end_time, payload, payload_bytes, event_at, webhook_event_id)
  SELECT owner.connection_id, ${$(1)}, ${$(2)}, item.data_key, item.summary_id, item.date::date, item.start_time::timestamptz,
    item.end_time::timestamptz, item.payload::jsonb, item.payload_bytes, ${$(9)}, ${$(10)}
  FROM (SELECT COALESCE((SELECT connection_id FROM terra_connections WHERE terra_user_id = ${$(1)}), tc_connection_uuid(${$(1)})) AS connection_id) AS owner,
    unnest(${$(3)}::text[], ${$(4)}::text[], ${$(5)}::text[], ${$(6)}::text[], ${$(7)}::text[], ${$(8)}::text[], ${$(11)}::int[])
      AS item(data_key, summary_id, date, start_time, end_time, payload, payload_bytes)${onlyIf ? `\n  WHERE ${onlyIf}` : ''}
  ON CONFLICT (connection_id, type, data_key) DO UPDATE SET
    terra_user_id = EXCLUDED.terra_user_id,
    summary_id = EXCLUDED.summary_id,
    date = EXCLUDED.date,
    start_time = EXCLUDED.start_time,
    end_time = EXCLUDED.end_time,
    payload = ${MERGED_HEALTH_PAYLOAD},
    payload_bytes = EXCLUDED.payload_bytes,
    event_at = EXCLUDED.event_at,
    webhook_event_id = EXCLUDED.webhook_event_id,
    updated_at = now()
  WHERE h.event_at <= EXCLUDED.event_at`;
}

export const HEALTH_DATA_UPSERT = preparedStatement('tc_health_data_upsert', healthDataUpsertSql());

/**
 * A data event's first batch, written in the statement of its arrival (ConnectionStateTx.touchOnDataArrivalWith):
 * the same upsert and parameters, run only when the data is stored.
 */
export const HEALTH_DATA_UPSERT_ON_ARRIVAL = dataArrivalWith('tc_health_data_upsert_on_arrival', (storedOnly, param) =>
  healthDataUpsertSql(param, storedOnly),
);
