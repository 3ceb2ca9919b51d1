/** Score objects whose null fields never overwrite stored ones (terra-contract.md §5.1: not superset data). */
const SCORE_FIELDS = ['data_enrichment', 'scores'] as const;

/** SQL: the incoming payload, with `field` merged over the stored one minus its null members. */
function keepStoredScores(incoming: string, field: string): string {
  const fresh = `CASE WHEN jsonb_typeof(EXCLUDED.payload->'${field}') = 'object' THEN EXCLUDED.payload->'${field}' ELSE '{}'::jsonb END`;
  return `CASE WHEN jsonb_typeof(h.payload->'${field}') = 'object'
    THEN jsonb_set(${incoming}, '{${field}}', (h.payload->'${field}') || COALESCE(
      (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(${fresh}) e WHERE e.value <> 'null'::jsonb), '{}'::jsonb))
    ELSE ${incoming} END`;
}

/**
 * The payload an upsert of health_data (alias `h`) writes from an incoming copy (EXCLUDED): the incoming one,
 * except that its null scores keep the stored values. Shared by the data upsert (libs/webhook-apply) and the
 * join of two connections' data below, so both follow one rule.
 */
export const MERGED_HEALTH_PAYLOAD = SCORE_FIELDS.reduce((expr, field) => keepStoredScores(expr, field), 'EXCLUDED.payload');

/*
 * Health data of connection (or waiting key) $1 moves to connection $2. A key only $1 has moves in place (its
 * id, and so readers' cursors, stay); a key both have is upserted with the data upsert's rule (the newer copy
 * by event time wins, its null scores keep the stored values), then what is left of $1 is deleted.
 */
export const HEALTH_DATA_MOVE_UNIQUE = `UPDATE health_data s SET connection_id = $2
  WHERE s.connection_id = $1
    AND NOT EXISTS (SELECT 1 FROM health_data t WHERE t.connection_id = $2 AND t.type = s.type AND t.data_key = s.data_key)`;

export const HEALTH_DATA_MERGE_OVERLAP = `INSERT INTO health_data AS h
    (connection_id, terra_user_id, type, data_key, summary_id, date, start_time, end_time, payload, event_at, webhook_event_id, created_at)
  SELECT $2, terra_user_id, type, data_key, summary_id, date, start_time, end_time, payload, event_at, webhook_event_id, created_at
  FROM health_data WHERE connection_id = $1
  ON CONFLICT (connection_id, type, data_key) DO UPDATE SET
    terra_user_id = EXCLUDED.terra_user_id,
    summary_id = EXCLUDED.summary_id,
    date = EXCLUDED.date,
    start_time = EXCLUDED.start_time,
    end_time = EXCLUDED.end_time,
    payload = ${MERGED_HEALTH_PAYLOAD},
    event_at = EXCLUDED.event_at,
    webhook_event_id = EXCLUDED.webhook_event_id,
    updated_at = now()
  WHERE h.event_at <= EXCLUDED.event_at`;

export const HEALTH_DATA_DROP_MERGED = `DELETE FROM health_data WHERE connection_id = $1`;
