import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Connection health (issue 14): freshness and drift.
 *
 * - `connection_data_freshness`: one row per connection and data type, written by the data event that brought
 *   the data (same statement as the connection row's touch): when it last arrived, the newest provider-side
 *   time in it, and a bounded ring of the most recent gaps between arrivals (the connection's own rhythm).
 * - `terra_connections.freshness` (`fresh`, `stale`, `unknown`), `last_data_at`, `stale_since`: the verdict the
 *   freshness job (and a data event, for stale -> fresh) keeps, denormalised so the listing can filter on it.
 *   A partial index holds only the stale current rows, so `freshness=stale` stays an index range scan however
 *   many connections there are.
 * - `connection_drift`: one row per correction reconciliation made (a webhook we missed, counted).
 *
 * Existing connections start `unknown` with no history: the first data event of each type starts it.
 */
export class ConnectionHealth1764000011000 implements MigrationInterface {
  name = 'ConnectionHealth1764000011000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "terra_connections"
      ADD "freshness" character varying(10) NOT NULL DEFAULT 'unknown',
      ADD "last_data_at" TIMESTAMP WITH TIME ZONE,
      ADD "stale_since" TIMESTAMP WITH TIME ZONE,
      ADD CONSTRAINT "chk_terra_connections_freshness" CHECK ("freshness" IN ('fresh','stale','unknown'))`);
    await q.query(`CREATE INDEX "idx_terra_connections_stale" ON "terra_connections" ("connection_seq") WHERE "is_current" AND "freshness" = 'stale'`);
    await q.query(`CREATE TABLE "connection_data_freshness" (
      "connection_id" uuid NOT NULL,
      "type" character varying(32) NOT NULL,
      "last_received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "last_data_time" TIMESTAMP WITH TIME ZONE,
      "arrivals" integer NOT NULL DEFAULT 1,
      "gaps_ms" bigint[] NOT NULL DEFAULT '{}',
      CONSTRAINT "pk_connection_data_freshness" PRIMARY KEY ("connection_id", "type"))`);
    await q.query(`CREATE TABLE "connection_drift" (
      "id" BIGSERIAL NOT NULL,
      "kind" character varying(32) NOT NULL,
      "connection_id" uuid,
      "terra_user_id" character varying(64) NOT NULL,
      "ours" jsonb,
      "terra" jsonb,
      "detected_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_connection_drift" PRIMARY KEY ("id"),
      CONSTRAINT "chk_connection_drift_kind" CHECK ("kind" IN ('missed_deauth','missed_auth','unknown_terra_user','status_mismatch','reference_mismatch')))`);
    // The admin listing: keyset on id (all kinds: the primary key; one kind: its own index), starting at the
    // first row detected at or after `since` (found by detected_at).
    await q.query(`CREATE INDEX "idx_connection_drift_detected_at" ON "connection_drift" ("detected_at")`);
    await q.query(`CREATE INDEX "idx_connection_drift_kind" ON "connection_drift" ("kind", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "connection_drift"`);
    await q.query(`DROP TABLE "connection_data_freshness"`);
    await q.query(`DROP INDEX "idx_terra_connections_stale"`);
    await q.query(`ALTER TABLE "terra_connections" DROP CONSTRAINT "chk_terra_connections_freshness",
      DROP COLUMN "stale_since", DROP COLUMN "last_data_at", DROP COLUMN "freshness"`);
  }
}
