import { preparedStatement } from '@terra-connections/persistence';

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

const MERGED_PAYLOAD = SCORE_FIELDS.reduce((expr, field) => keepStoredScores(expr, field), 'EXCLUDED.payload');

/**
 * One health_data row per Terra key. A later copy replaces an earlier one (daily data is a running superset),
 * except that null scores keep the stored values and an older event (by ordering time) never overwrites a
 * newer copy. The bench floor keeps a copy of this text (pinned by bench/floor/floor-sql.spec.ts).
 */
export const HEALTH_DATA_UPSERT = preparedStatement(
  'tc_health_data_upsert',
  `
  INSERT INTO health_data AS h
    (terra_user_id, type, data_key, summary_id, date, start_time, end_time, payload, event_at, webhook_event_id)
  VALUES ($1, $2, $3, $4, $5::date, $6::timestamptz, $7::timestamptz, $8::jsonb, $9, $10)
  ON CONFLICT (terra_user_id, type, data_key) DO UPDATE SET
    summary_id = EXCLUDED.summary_id,
    date = EXCLUDED.date,
    start_time = EXCLUDED.start_time,
    end_time = EXCLUDED.end_time,
    payload = ${MERGED_PAYLOAD},
    event_at = EXCLUDED.event_at,
    webhook_event_id = EXCLUDED.webhook_event_id,
    updated_at = now()
  WHERE h.event_at <= EXCLUDED.event_at`,
);
