import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * Self-contained on purpose: a migration runs the SQL it shipped with, never the live code's current copy.
 */

/** The payload of `newer` (SQL), with its null score members filled from `older` (as the health-data upsert). */
function keepOlderScores(newer: string, older: string): string {
  return ['data_enrichment', 'scores'].reduce((expr, field) => {
    const fresh = `CASE WHEN jsonb_typeof(${newer}->'${field}') = 'object' THEN ${newer}->'${field}' ELSE '{}'::jsonb END`;
    return `CASE WHEN jsonb_typeof(${older}->'${field}') = 'object'
      THEN jsonb_set(${expr}, '{${field}}', (${older}->'${field}') || COALESCE(
        (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(${fresh}) e WHERE e.value <> 'null'::jsonb), '{}'::jsonb))
      ELSE ${expr} END`;
  }, newer);
}

/**
 * One identity across reconnects (issue 11). A connection is one provider account of one person, with our own
 * `connection_id`; `terra_connections` keeps one row per Terra user id, each in exactly one connection:
 *
 * - `tc_connection_uuid(terra_user_id)`: the connection id a connection gets from its first Terra id (a
 *   name-based UUID, version 8, from SHA-256), set by an insert trigger when the insert names none. Health data of an id we do not know yet waits under that key,
 *   so the id's `auth` finds it without a re-key; an expression index makes every connection id ever handed
 *   out (one that was later folded into another) resolve to the connection that holds its Terra id.
 * - `connection_id`, `chain_position` (order of the ids in the chain, oldest lowest), `is_current` (the id
 *   the connection's status is), `connection_seq` (the listing's keyset key: the same for every row of a
 *   connection, the first row's).
 * - health_data re-keyed from terra_user_id to connection_id (terra_user_id stays as the id that sent the
 *   stored copy).
 *
 * Existing `replaced_by` chains are folded into one connection each, and their health data merged: the newest
 * copy by event time wins, null enrichment scores keep the older copy's values (the upsert's rule).
 *
 * down() restores the previous schema but not the split: merged days stay under the Terra id that sent the
 * winning copy, so reads by an old id after a down miss them (nothing is deleted).
 *
 * Not compatible with the previous release's workers (their health-data upsert names the old key): deploy
 * with workers stopped (docs/operations.md, Migrations). The inbox keeps taking webhooks meanwhile.
 */
export class ConnectionIdentity1764000006000 implements MigrationInterface {
  name = 'ConnectionIdentity1764000006000';

  async up(q: QueryRunner): Promise<void> {
    // PL/pgSQL, not SQL: a SQL function with a FROM is not inlined, and its per-call executor costs more than
    // the hash (about 3 us a call against 8 us, measured on 200,000 ids).
    await q.query(`CREATE FUNCTION tc_connection_uuid(terra_user_id text) RETURNS uuid
      LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
      DECLARE
        h bytea := substring(sha256(convert_to('terra-connections/connection/' || terra_user_id, 'UTF8')) FROM 1 FOR 16);
      BEGIN
        RETURN encode(set_byte(set_byte(h, 6, (get_byte(h, 6) & 15) | 128), 8, (get_byte(h, 8) & 63) | 128), 'hex')::uuid;
      END $$`);
    await q.query(`CREATE SEQUENCE "terra_connections_connection_seq"`);
    await q.query(`ALTER TABLE "terra_connections"
      ADD "connection_id" uuid,
      ADD "chain_position" integer NOT NULL DEFAULT 0,
      ADD "is_current" boolean NOT NULL DEFAULT true,
      ADD "connection_seq" bigint NOT NULL DEFAULT nextval('terra_connections_connection_seq')`);
    await q.query(`ALTER SEQUENCE "terra_connections_connection_seq" OWNED BY "terra_connections"."connection_seq"`);

    // Fold replaced_by chains: every row walks forward to the end of its chain (cycle-safe); the rows sharing
    // an end are one connection, ordered by their distance from it.
    await q.query(`CREATE TEMPORARY TABLE tc_chain ON COMMIT DROP AS
      WITH RECURSIVE walk(start_id, at_id, depth, path) AS (
        SELECT id, id, 0, ARRAY[id] FROM terra_connections
        UNION ALL
        SELECT w.start_id, n.id, w.depth + 1, w.path || n.id
        FROM walk w
        JOIN terra_connections c ON c.id = w.at_id
        JOIN terra_connections n ON n.terra_user_id = c.replaced_by
        WHERE NOT n.id = ANY(w.path)
      )
      SELECT DISTINCT ON (start_id) start_id AS id, at_id AS end_id, depth FROM walk ORDER BY start_id, depth DESC`);
    await q.query(`CREATE TEMPORARY TABLE tc_fold ON COMMIT DROP AS
      SELECT k.id, k.end_id, -k.depth AS chain_position,
             row_number() OVER (PARTITION BY k.end_id ORDER BY k.depth, k.id DESC) = 1 AS is_current,
             first_value(c.terra_user_id) OVER chain AS first_terra_user_id,
             min(k.id) OVER (PARTITION BY k.end_id) AS connection_seq
      FROM tc_chain k JOIN terra_connections c ON c.id = k.id
      WINDOW chain AS (PARTITION BY k.end_id ORDER BY k.depth DESC, k.id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)`);
    await q.query(`UPDATE terra_connections c
      SET connection_id = tc_connection_uuid(f.first_terra_user_id), chain_position = f.chain_position,
          is_current = f.is_current, connection_seq = f.connection_seq
      FROM tc_fold f WHERE f.id = c.id`);
    await q.query(`SELECT setval('terra_connections_connection_seq', COALESCE(max(id), 1), max(id) IS NOT NULL) FROM terra_connections`);
    await q.query(`ALTER TABLE "terra_connections" ALTER COLUMN "connection_id" SET NOT NULL`);
    // A new row starts its own connection, named after its Terra id, whoever inserts it (the state module, a
    // reconciliation, a test, the bench); a user_reauth then moves it into its chain's connection.
    await q.query(`CREATE FUNCTION tc_terra_connections_new_connection() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.connection_id := COALESCE(NEW.connection_id, tc_connection_uuid(NEW.terra_user_id));
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER tc_terra_connections_new_connection BEFORE INSERT ON "terra_connections"
      FOR EACH ROW WHEN (NEW.connection_id IS NULL) EXECUTE FUNCTION tc_terra_connections_new_connection()`);

    await q.query(`DROP INDEX "idx_terra_connections_reference_id"`);
    // The listing: one row per connection (its current id), keyset on connection_seq, by reference or all.
    await q.query(`CREATE INDEX "idx_terra_connections_reference_id" ON "terra_connections" ("reference_id", "connection_seq") WHERE "is_current"`);
    await q.query(`CREATE INDEX "idx_terra_connections_listing" ON "terra_connections" ("connection_seq") WHERE "is_current"`);
    // A connection's ids in chain order (terra_user_ids), and its rows by connection_id.
    await q.query(`CREATE INDEX "idx_terra_connections_connection_id" ON "terra_connections" ("connection_id", "chain_position", "terra_user_id")`);
    await q.query(`CREATE INDEX "idx_terra_connections_first_id_uuid" ON "terra_connections" (tc_connection_uuid("terra_user_id"))`);

    // Health data: the connection owns it. An id without a row keeps its data under its future connection id.
    await q.query(`ALTER TABLE "health_data" ADD "connection_id" uuid`);
    await q.query(`UPDATE health_data h SET connection_id = COALESCE(
      (SELECT c.connection_id FROM terra_connections c WHERE c.terra_user_id = h.terra_user_id), tc_connection_uuid(h.terra_user_id))`);
    // Copies of one key under several ids of a chain: fold them pairwise, oldest into the next, until one is left.
    for (;;) {
      const pairs: { older: string; newer: string }[] = await q.query(`
        SELECT older, newer FROM (
          SELECT id AS older,
                 lead(id) OVER k AS newer,
                 row_number() OVER k AS n
          FROM health_data
          WHERE (connection_id, type, data_key) IN (
            SELECT connection_id, type, data_key FROM health_data GROUP BY 1, 2, 3 HAVING count(*) > 1)
          WINDOW k AS (PARTITION BY connection_id, type, data_key ORDER BY event_at, id)
        ) s WHERE n = 1`);
      if (pairs.length === 0) break;
      await q.query(
        `UPDATE health_data n SET payload = ${keepOlderScores('n.payload', 'o.payload')}, updated_at = now()
         FROM health_data o, unnest($1::bigint[], $2::bigint[]) AS p(older, newer)
         WHERE n.id = p.newer AND o.id = p.older`,
        [pairs.map((p) => p.older), pairs.map((p) => p.newer)],
      );
      await q.query(`DELETE FROM health_data WHERE id = ANY($1::bigint[])`, [pairs.map((p) => p.older)]);
    }
    await q.query(`ALTER TABLE "health_data" ALTER COLUMN "connection_id" SET NOT NULL`);
    await q.query(`DROP INDEX "uq_health_data_key"`);
    await q.query(`DROP INDEX "idx_health_data_read"`);
    await q.query(`CREATE UNIQUE INDEX "uq_health_data_key" ON "health_data" ("connection_id", "type", "data_key")`);
    await q.query(`CREATE INDEX "idx_health_data_read" ON "health_data" ("connection_id", "type", "start_time", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_health_data_read"`);
    await q.query(`DROP INDEX "uq_health_data_key"`);
    await q.query(`ALTER TABLE "health_data" DROP COLUMN "connection_id"`);
    await q.query(`CREATE UNIQUE INDEX "uq_health_data_key" ON "health_data" ("terra_user_id", "type", "data_key")`);
    await q.query(`CREATE INDEX "idx_health_data_read" ON "health_data" ("terra_user_id", "type", "start_time", "id")`);
    await q.query(`DROP INDEX "idx_terra_connections_first_id_uuid"`);
    await q.query(`DROP INDEX "idx_terra_connections_connection_id"`);
    await q.query(`DROP INDEX "idx_terra_connections_listing"`);
    await q.query(`DROP INDEX "idx_terra_connections_reference_id"`);
    await q.query(`CREATE INDEX "idx_terra_connections_reference_id" ON "terra_connections" ("reference_id", "id")`);
    await q.query(`DROP TRIGGER tc_terra_connections_new_connection ON "terra_connections"`);
    await q.query(`DROP FUNCTION tc_terra_connections_new_connection()`);
    await q.query(`ALTER TABLE "terra_connections" DROP COLUMN "connection_seq", DROP COLUMN "is_current",
      DROP COLUMN "chain_position", DROP COLUMN "connection_id"`);
    await q.query(`DROP SEQUENCE IF EXISTS "terra_connections_connection_seq"`);
    await q.query(`DROP FUNCTION tc_connection_uuid(text)`);
  }
}
