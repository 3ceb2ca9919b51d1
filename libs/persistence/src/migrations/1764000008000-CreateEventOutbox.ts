import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbound events outbox (issue 13). Every connection state change and every applied data event inserts
 * one `events` row in the transaction that made the change, so a rolled-back change has none and a committed
 * one cannot lose it.
 *
 * - `id`: insert order, the tie-breaker. `tx_id` (the writing transaction's id, `pg_current_xact_id()`) with
 *   `id` is the feed's order: a reader only sees rows whose transaction is older than every transaction still
 *   running (`pg_snapshot_xmin`), and every row committed later has a larger `tx_id`, so a page once read
 *   never gains a row before its end (the feed is stable while events are added). Plain `id` order is not: a
 *   transaction that took a smaller id may commit after a reader moved past it.
 * - `event_id`: the public id (`evt_...`), the Standard Webhooks `webhook-id`.
 * - `sequence`: per connection, from `connection_event_sequences`, whose row lock serialises the
 *   connection's writers so sequence order is commit order. Null for an event of no connection
 *   (`connection.attempt_failed`).
 */
export class CreateEventOutbox1764000008000 implements MigrationInterface {
  name = 'CreateEventOutbox1764000008000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "events" (
      "id" bigserial NOT NULL,
      "event_id" varchar(40) NOT NULL DEFAULT ('evt_' || replace(gen_random_uuid()::text, '-', '')),
      "tx_id" xid8 NOT NULL DEFAULT pg_current_xact_id(),
      "type" varchar(64) NOT NULL,
      "occurred_at" timestamptz NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT clock_timestamp(),
      "connection_id" uuid,
      "terra_user_id" varchar(64),
      "reference_id" varchar(255),
      "provider" varchar(64),
      "sequence" bigint,
      "data" jsonb NOT NULL DEFAULT '{}'::jsonb,
      CONSTRAINT "pk_events" PRIMARY KEY ("id"),
      CONSTRAINT "uq_events_event_id" UNIQUE ("event_id"))`);
    await q.query(`CREATE INDEX "idx_events_feed" ON "events" ("tx_id", "id")`);
    await q.query(`CREATE INDEX "idx_events_connection" ON "events" ("connection_id", "tx_id", "id")`);
    await q.query(`CREATE INDEX "idx_events_reference" ON "events" ("reference_id", "tx_id", "id")`);
    await q.query(`CREATE INDEX "idx_events_created_at" ON "events" ("created_at")`);
    await q.query(`CREATE TABLE "connection_event_sequences" (
      "connection_id" uuid NOT NULL,
      "last_sequence" bigint NOT NULL,
      CONSTRAINT "pk_connection_event_sequences" PRIMARY KEY ("connection_id"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "connection_event_sequences"`);
    await q.query(`DROP TABLE "events"`);
  }
}
