import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbound webhook endpoints and their deliveries (issue 13).
 *
 * - `webhook_endpoints`: where events are sent; the signing secret encrypted (AES-256-GCM with
 *   EVENT_SECRETS_KEY), never stored in clear, and during a rotation the previous one until it expires.
 *   `event_types` null: every type. `failing_since`: the first failed attempt since the last success.
 * - `event_dispatch_position`: one row, how far the dispatcher has turned the events feed into deliveries,
 *   as a feed position (tx_id, id). Advanced in the transaction that inserts the deliveries, so a crash
 *   between the two is impossible.
 * - `event_deliveries`: one per (endpoint, event), its state; `enqueued` false until its BullMQ job exists;
 *   `replays` counts replays (each replay is a new job id).
 * - `event_delivery_attempts`: every attempt (status code, duration, error, next attempt).
 */
export class CreateWebhookEndpoints1764000009000 implements MigrationInterface {
  name = 'CreateWebhookEndpoints1764000009000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "webhook_endpoints" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "url" text NOT NULL,
      "description" text,
      "event_types" text[],
      "include_data" boolean NOT NULL DEFAULT false,
      "enabled" boolean NOT NULL DEFAULT true,
      "disabled_reason" text,
      "secret_encrypted" text NOT NULL,
      "previous_secret_encrypted" text,
      "previous_secret_expires_at" timestamptz,
      "failing_since" timestamptz,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "pk_webhook_endpoints" PRIMARY KEY ("id"))`);
    await q.query(`CREATE TABLE "event_dispatch_position" (
      "id" smallint NOT NULL DEFAULT 1,
      "tx_id" xid8 NOT NULL,
      "row_id" bigint NOT NULL,
      CONSTRAINT "pk_event_dispatch_position" PRIMARY KEY ("id"),
      CONSTRAINT "chk_event_dispatch_position_single" CHECK ("id" = 1))`);
    // Start at the current end: events written before any endpoint existed are not delivered to it.
    await q.query(`INSERT INTO "event_dispatch_position" (tx_id, row_id)
      SELECT COALESCE(max(tx_id), '0'::xid8), COALESCE(max(id), 0) FROM events`);
    await q.query(`CREATE TABLE "event_deliveries" (
      "id" bigserial NOT NULL,
      "endpoint_id" uuid NOT NULL,
      "event_row_id" bigint NOT NULL,
      "status" varchar(16) NOT NULL DEFAULT 'pending',
      "attempts" integer NOT NULL DEFAULT 0,
      "enqueued" boolean NOT NULL DEFAULT false,
      "replays" integer NOT NULL DEFAULT 0,
      "last_status_code" integer,
      "last_error" text,
      "next_attempt_at" timestamptz,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      "delivered_at" timestamptz,
      CONSTRAINT "pk_event_deliveries" PRIMARY KEY ("id"),
      CONSTRAINT "uq_event_deliveries_endpoint_event" UNIQUE ("endpoint_id", "event_row_id"),
      CONSTRAINT "chk_event_deliveries_status" CHECK ("status" IN ('pending', 'delivered', 'failed')),
      CONSTRAINT "fk_event_deliveries_endpoint" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints" ("id") ON DELETE CASCADE,
      CONSTRAINT "fk_event_deliveries_event" FOREIGN KEY ("event_row_id") REFERENCES "events" ("id") ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX "idx_event_deliveries_endpoint" ON "event_deliveries" ("endpoint_id", "id")`);
    await q.query(`CREATE INDEX "idx_event_deliveries_event" ON "event_deliveries" ("event_row_id")`);
    await q.query(`CREATE INDEX "idx_event_deliveries_unenqueued" ON "event_deliveries" ("id") WHERE NOT "enqueued"`);
    await q.query(`CREATE TABLE "event_delivery_attempts" (
      "id" bigserial NOT NULL,
      "delivery_id" bigint NOT NULL,
      "attempt" integer NOT NULL,
      "status_code" integer,
      "duration_ms" integer NOT NULL,
      "error" text,
      "next_attempt_at" timestamptz,
      "attempted_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "pk_event_delivery_attempts" PRIMARY KEY ("id"),
      CONSTRAINT "fk_event_delivery_attempts_delivery" FOREIGN KEY ("delivery_id") REFERENCES "event_deliveries" ("id") ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX "idx_event_delivery_attempts_delivery" ON "event_delivery_attempts" ("delivery_id", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "event_delivery_attempts"`);
    await q.query(`DROP TABLE "event_deliveries"`);
    await q.query(`DROP TABLE "event_dispatch_position"`);
    await q.query(`DROP TABLE "webhook_endpoints"`);
  }
}
