/** Score objects whose null fields never overwrite stored ones (terra-contract.md §5.1: not superset data). */
const SCORE_FIELDS = ['data_enrichment', 'scores'] as const;

/** SQL: the payload `newer`, with `field` merged over the one of `older` minus its null members. */
function keepOlderScores(expr: string, field: string, newer: string, older: string): string {
  const fresh = `CASE WHEN jsonb_typeof(${newer}->'${field}') = 'object' THEN ${newer}->'${field}' ELSE '{}'::jsonb END`;
  return `CASE WHEN jsonb_typeof(${older}->'${field}') = 'object'
    THEN jsonb_set(${expr}, '{${field}}', (${older}->'${field}') || COALESCE(
      (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(${fresh}) e WHERE e.value <> 'null'::jsonb), '{}'::jsonb))
    ELSE ${expr} END`;
}

/** SQL: the newer of two copies of one record, its null scores keeping the older copy's values. */
function mergedPayload(newer: string, older: string): string {
  return SCORE_FIELDS.reduce((expr, field) => keepOlderScores(expr, field, newer, older), newer);
}

/**
 * The payload an upsert of health_data (alias `h`) writes from an incoming copy (EXCLUDED): the incoming one,
 * except that its null scores keep the stored values. Shared by the data upsert (libs/webhook-apply) and the
 * join of two connections' data below, so both follow one rule.
 */
export const MERGED_HEALTH_PAYLOAD = mergedPayload('EXCLUDED.payload', 'h.payload');

const INCOMING_IS_NEWER = 'h.event_at <= EXCLUDED.event_at';
const newer = (column: string) => `CASE WHEN ${INCOMING_IS_NEWER} THEN EXCLUDED.${column} ELSE h.${column} END`;

/*
 * Health data of connection (or waiting key) $1 moves to connection $2. A key only $1 has moves in place (its
 * id, and so readers' cursors, stay); a key both have is merged (HEALTH_DATA_MERGE_OVERLAP), then what is
 * left of $1 is deleted.
 */
export const HEALTH_DATA_MOVE_UNIQUE = `UPDATE health_data s SET connection_id = $2
  WHERE s.connection_id = $1
    AND NOT EXISTS (SELECT 1 FROM health_data t WHERE t.connection_id = $2 AND t.type = s.type AND t.data_key = s.data_key)`;

/**
 * Two stored copies of one record: the newer by event time wins whichever side it is on, and its null scores
 * keep the older copy's values (unlike a live delivery, an older copy is not a stale retry here: it is the
 * only holder of the scores it has). The result does not depend on the order connections are joined in.
 */
export const HEALTH_DATA_MERGE_OVERLAP = `INSERT INTO health_data AS h
    (connection_id, terra_user_id, type, data_key, summary_id, date, start_time, end_time, payload, event_at, webhook_event_id, created_at)
  SELECT $2, terra_user_id, type, data_key, summary_id, date, start_time, end_time, payload, event_at, webhook_event_id, created_at
  FROM health_data WHERE connection_id = $1
  ON CONFLICT (connection_id, type, data_key) DO UPDATE SET
    ${['terra_user_id', 'summary_id', 'date', 'start_time', 'end_time', 'webhook_event_id'].map((column) => `${column} = ${newer(column)}`).join(',\n    ')},
    payload = CASE WHEN ${INCOMING_IS_NEWER} THEN ${mergedPayload('EXCLUDED.payload', 'h.payload')}
                   ELSE ${mergedPayload('h.payload', 'EXCLUDED.payload')} END,
    event_at = GREATEST(h.event_at, EXCLUDED.event_at),
    updated_at = now()`;

export const HEALTH_DATA_DROP_MERGED = `DELETE FROM health_data WHERE connection_id = $1`;
