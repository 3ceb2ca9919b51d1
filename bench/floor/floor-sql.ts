/**
 * The floor's SQL: the same inbox INSERT and the same effect statements as the product, with nothing
 * around them. Kept apart from libs/ on purpose: the floor must not share the code it is measured against.
 * floor-sql.spec.ts pins each copy to the product's text, so a change there fails until it is made here too.
 */
export const INBOX_INSERT = `
  INSERT INTO webhook_events
    (dedup_key, type, terra_user_id, reference_id, terra_reference, ordering_timestamp, event_at, payload, request_id)
  SELECT $1, left(payload ->> 'type', 64),
         left(CASE WHEN jsonb_typeof(subject -> 'user_id') = 'string' THEN NULLIF(subject ->> 'user_id', '') END, 64),
         left(COALESCE(CASE WHEN jsonb_typeof(payload -> 'reference_id') = 'string' THEN NULLIF(payload ->> 'reference_id', '') END,
                       CASE WHEN jsonb_typeof(subject -> 'reference_id') = 'string' THEN NULLIF(subject ->> 'reference_id', '') END), 255),
         $2, $3, $4, payload, $6
  FROM (SELECT $5::text::jsonb AS payload OFFSET 0) AS body,
       LATERAL (SELECT jsonb_path_query_array(payload, 'strict $.** ? (@.type() == "number" && (@ >= 1e21 || @ <= -1e21 || (@ != 0 && @ < 1e-21 && @ > -1e-21)))') AS outliers OFFSET 0) AS numbers,
       LATERAL (SELECT CASE WHEN payload ->> 'type' = 'user_reauth' THEN payload -> 'new_user' ELSE payload -> 'user' END AS subject) AS envelope
  WHERE jsonb_typeof(payload) = 'object' AND jsonb_typeof(payload -> 'type') = 'string' AND payload ->> 'type' <> ''
    AND COALESCE(length(CASE WHEN jsonb_typeof(subject -> 'user_id') = 'string' THEN NULLIF(subject ->> 'user_id', '') END), 0) <= 64
    AND COALESCE(length(CASE WHEN jsonb_typeof(subject -> 'provider') = 'string' THEN NULLIF(subject ->> 'provider', '') END), 0) <= 64
    AND COALESCE(length(CASE WHEN jsonb_typeof(subject -> 'reference_id') = 'string' THEN NULLIF(subject ->> 'reference_id', '') END), 0) <= 255
    AND COALESCE(length(CASE WHEN jsonb_typeof(payload -> 'old_user' -> 'user_id') = 'string' THEN NULLIF(payload -> 'old_user' ->> 'user_id', '') END), 0) <= 64
    AND COALESCE(length(CASE WHEN jsonb_typeof(payload -> 'old_user' -> 'provider') = 'string' THEN NULLIF(payload -> 'old_user' ->> 'provider', '') END), 0) <= 64
    AND COALESCE(length(CASE WHEN jsonb_typeof(payload -> 'old_user' -> 'reference_id') = 'string' THEN NULLIF(payload -> 'old_user' ->> 'reference_id', '') END), 0) <= 255
    AND COALESCE(length(CASE WHEN jsonb_typeof(payload -> 'provider') = 'string' THEN NULLIF(payload ->> 'provider', '') END), 0) <= 64
    AND COALESCE(length(CASE WHEN jsonb_typeof(payload -> 'reference_id') = 'string' THEN NULLIF(payload ->> 'reference_id', '') END), 0) <= 255
    AND NOT jsonb_path_exists(outliers, 'strict $[*].double() ? (@ != @)')
    AND NOT jsonb_path_exists(outliers, 'lax $[1000].keyvalue()')
  ON CONFLICT (dedup_key) DO UPDATE SET duplicate_count = webhook_events.duplicate_count + 1
  RETURNING id, (xmax = 0) AS inserted, type, (extract(epoch FROM received_at) * 1000000)::bigint::text AS received_us`;

/**
 * The row lock and, for a pending row, the mark, in one statement as the product's read does; the product's
 * also takes the Terra user's advisory lock (it serialises a user's events for erasure and reauth, which the
 * floor does not apply). Returns the status before the mark. Only the mark's SET is pinned.
 */
export const MARK_PROCESSED_SET = `status = $2, processed_at = clock_timestamp(), attempts = w.attempts + 1`;

export const READ_AND_MARK = `
  WITH r AS MATERIALIZED (SELECT id, type, payload, event_at, status FROM webhook_events WHERE id = $1 FOR UPDATE),
  m AS (UPDATE webhook_events w SET ${MARK_PROCESSED_SET} FROM r WHERE w.id = r.id AND r.status = $3)
  SELECT type, payload, event_at, status FROM r`;

/** SQL: the incoming payload, with `field` merged over the stored one minus its null members (as the product). */
function keepStoredScores(incoming: string, field: string): string {
  const fresh = `CASE WHEN jsonb_typeof(EXCLUDED.payload->'${field}') = 'object' THEN EXCLUDED.payload->'${field}' ELSE '{}'::jsonb END`;
  return `CASE WHEN jsonb_typeof(h.payload->'${field}') = 'object'
    THEN jsonb_set(${incoming}, '{${field}}', (h.payload->'${field}') || COALESCE(
      (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(${fresh}) e WHERE e.value <> 'null'::jsonb), '{}'::jsonb))
    ELSE ${incoming} END`;
}

const MERGED_PAYLOAD = ['data_enrichment', 'scores'].reduce((expr, field) => keepStoredScores(expr, field), 'EXCLUDED.payload');

/**
 * The same statement text as libs/webhook-apply's HEALTH_DATA_UPSERT. Sent unnamed, so Postgres parses and
 * plans it on every execution (the product prepares it once per connection).
 */
export const HEALTH_DATA_UPSERT = `
  INSERT INTO health_data AS h
    (connection_id, terra_user_id, type, data_key, summary_id, date, start_time, end_time, payload, payload_bytes, event_at, webhook_event_id)
  SELECT owner.connection_id, $1, $2, item.data_key, item.summary_id, item.date::date, item.start_time::timestamptz,
    item.end_time::timestamptz, item.payload::jsonb, item.payload_bytes, $9, $10
  FROM (SELECT COALESCE((SELECT connection_id FROM terra_connections WHERE terra_user_id = $1), tc_connection_uuid($1)) AS connection_id) AS owner,
    unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $11::int[])
      AS item(data_key, summary_id, date, start_time, end_time, payload, payload_bytes)
  ON CONFLICT (connection_id, type, data_key) DO UPDATE SET
    terra_user_id = EXCLUDED.terra_user_id,
    summary_id = EXCLUDED.summary_id,
    date = EXCLUDED.date,
    start_time = EXCLUDED.start_time,
    end_time = EXCLUDED.end_time,
    payload = ${MERGED_PAYLOAD},
    payload_bytes = EXCLUDED.payload_bytes,
    event_at = EXCLUDED.event_at,
    webhook_event_id = EXCLUDED.webhook_event_id,
    updated_at = now()
  WHERE h.event_at <= EXCLUDED.event_at`;

/** The before-state of the row a status or scopes write touches, read in the same statement (as the product). */
const PRIOR = `WITH prior AS (SELECT status, scopes FROM terra_connections WHERE terra_user_id = $1)`;

const RETURNING_CHANGE = `RETURNING c.terra_user_id, c.connection_id, (SELECT status FROM prior) AS before_status, (SELECT scopes FROM prior) AS before_scopes,
    c.status AS after_status, c.scopes AS after_scopes, c.status_reason AS reason`;

const SCOPES_NEWER = `$6::text[] IS NOT NULL AND (c.scopes_changed_at IS NULL OR c.scopes_changed_at <= $10::timestamptz)`;

/** The status upsert of libs/connections (CONNECTION_STATUS_UPSERT), statement for statement. */
export const CONNECTION_UPSERT = `${PRIOR}
  INSERT INTO terra_connections AS c
    (terra_user_id, reference_id, provider, status, status_reason, scopes, replaced_by,
     connected_at, disconnected_at, status_changed_at, scopes_changed_at)
  VALUES ($1, $2, COALESCE($3::varchar, 'UNKNOWN'), $4, $5, COALESCE($6::text[], '{}'::text[]), $7,
     $8, $9, $10, CASE WHEN $6::text[] IS NULL THEN NULL ELSE $10::timestamptz END)
  ON CONFLICT (terra_user_id) DO UPDATE SET
    status = $4,
    status_reason = $5,
    reference_id = COALESCE($2::varchar, c.reference_id),
    provider = COALESCE($3::varchar, c.provider),
    scopes = CASE WHEN ${SCOPES_NEWER} THEN $6::text[] ELSE c.scopes END,
    scopes_changed_at = CASE WHEN ${SCOPES_NEWER} THEN $10::timestamptz ELSE c.scopes_changed_at END,
    replaced_by = $7,
    connected_at = COALESCE($8::timestamptz, c.connected_at),
    disconnected_at = CASE WHEN $11 THEN NULL ELSE COALESCE(c.disconnected_at, $9::timestamptz) END,
    freshness = CASE WHEN $11 THEN c.freshness ELSE 'unknown' END,
    stale_since = CASE WHEN $11 THEN c.stale_since END,
    status_changed_at = $10,
    updated_at = now()
  WHERE (c.status_changed_at IS NULL
         OR c.status_changed_at < $10::timestamptz
         OR (c.status_changed_at = $10::timestamptz
             AND (CASE WHEN $11 THEN 1 ELSE 2 END) >= (CASE WHEN c.status IN ('active','error') THEN 1 ELSE 2 END)))
    AND NOT (c.status = ANY($12::text[]))
  ${RETURNING_CHANGE}, $10::timestamptz AS changed_at`;

/** permission_change: libs/connections' CONNECTION_SCOPES_CHANGE. */
export const SCOPES_UPDATE = `${PRIOR}
  UPDATE terra_connections AS c SET scopes = $2, scopes_changed_at = $3, updated_at = now()
  WHERE c.terra_user_id = $1
    AND (COALESCE(c.scopes_changed_at, c.status_changed_at) IS NULL OR COALESCE(c.scopes_changed_at, c.status_changed_at) <= $3)
  ${RETURNING_CHANGE}, $3::timestamptz AS changed_at`;
