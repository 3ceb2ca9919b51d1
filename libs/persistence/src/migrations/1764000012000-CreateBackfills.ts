import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Backfills (issue 15): asking Terra for past data and tracking it to completion.
 *
 * - `backfills`: one per on-connect trigger or API request. `start_date`/`end_date`/`types` are null until the
 *   worker plans an on-connect backfill (the gap and the provider's types are decided there, never in the
 *   transaction that activated the connection). `status` is derived from its requests.
 * - `backfill_requests`: one per data type and range slice; the unit the scheduler sends. `send_start`/`send_end`
 *   is what the next call asks for (narrowed to the missing part after a stall). `reference` is the current
 *   call's terra-reference while it is outstanding; `next_at` when the scheduler sends it next; `last_activity_at`
 *   the last sign of life of an outstanding call (its answer, a marker, a chunk): silence after it is a stall.
 * - `backfill_calls`: every data call made (the per-user day budget is summed from it over the last hour) and,
 *   for the calls Terra answered with a reference, the chunks expected and received under that reference, and the
 *   calendar month (YYYY-MM) each received chunk was mostly about: Terra chunks by month, so after a silence the
 *   months of the range not received are the missing part.
 */
export class CreateBackfills1764000012000 implements MigrationInterface {
  name = 'CreateBackfills1764000012000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "backfills" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "connection_id" uuid NOT NULL,
      "terra_user_id" varchar(64) NOT NULL,
      "provider" varchar(64),
      "trigger" varchar(16) NOT NULL,
      "status" varchar(16) NOT NULL DEFAULT 'scheduled',
      "start_date" date,
      "end_date" date,
      "types" text[],
      "message" text,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      "finished_at" timestamptz,
      CONSTRAINT "pk_backfills" PRIMARY KEY ("id"),
      CONSTRAINT "chk_backfills_status" CHECK ("status" IN ('scheduled','running','waiting','completed','failed','stalled','unsupported')),
      CONSTRAINT "chk_backfills_trigger" CHECK ("trigger" IN ('connect','api')))`);
    await q.query(`CREATE INDEX "idx_backfills_connection" ON "backfills" ("connection_id", "created_at" DESC, "id" DESC)`);
    await q.query(`CREATE INDEX "idx_backfills_unplanned" ON "backfills" ("created_at") WHERE "start_date" IS NULL AND "status" = 'scheduled'`);
    await q.query(`CREATE TABLE "backfill_requests" (
      "id" bigserial NOT NULL,
      "backfill_id" uuid NOT NULL,
      "terra_user_id" varchar(64) NOT NULL,
      "data_type" varchar(20) NOT NULL,
      "start_date" date NOT NULL,
      "end_date" date NOT NULL,
      "send_start" date NOT NULL,
      "send_end" date NOT NULL,
      "status" varchar(16) NOT NULL DEFAULT 'scheduled',
      "reference" varchar(255),
      "requests_made" integer NOT NULL DEFAULT 0,
      "failures" integer NOT NULL DEFAULT 0,
      "rerequests" integer NOT NULL DEFAULT 0,
      "next_at" timestamptz,
      "last_activity_at" timestamptz,
      "reason" text,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "pk_backfill_requests" PRIMARY KEY ("id"),
      CONSTRAINT "fk_backfill_requests_backfill" FOREIGN KEY ("backfill_id") REFERENCES "backfills" ("id") ON DELETE CASCADE,
      CONSTRAINT "chk_backfill_requests_status" CHECK ("status" IN ('scheduled','waiting','sent','completed','failed','stalled')))`);
    await q.query(`CREATE INDEX "idx_backfill_requests_backfill" ON "backfill_requests" ("backfill_id", "id")`);
    await q.query(`CREATE INDEX "idx_backfill_requests_due" ON "backfill_requests" ("next_at") WHERE "reference" IS NULL AND "status" IN ('scheduled','waiting','stalled')`);
    await q.query(`CREATE INDEX "idx_backfill_requests_outstanding" ON "backfill_requests" ("last_activity_at") WHERE "reference" IS NOT NULL`);
    await q.query(`CREATE TABLE "backfill_calls" (
      "id" bigserial NOT NULL,
      "request_id" bigint NOT NULL,
      "terra_user_id" varchar(64) NOT NULL,
      "days" integer NOT NULL,
      "start_date" date NOT NULL,
      "end_date" date NOT NULL,
      "outcome" varchar(24) NOT NULL,
      "reference" varchar(255),
      "large" boolean NOT NULL DEFAULT false,
      "expected_payloads" integer,
      "received_payloads" integer NOT NULL DEFAULT 0,
      "rows_stored" integer NOT NULL DEFAULT 0,
      "months_received" text[] NOT NULL DEFAULT '{}',
      "at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "pk_backfill_calls" PRIMARY KEY ("id"),
      CONSTRAINT "fk_backfill_calls_request" FOREIGN KEY ("request_id") REFERENCES "backfill_requests" ("id") ON DELETE CASCADE)`);
    await q.query(`CREATE UNIQUE INDEX "uq_backfill_calls_reference" ON "backfill_calls" ("reference") WHERE "reference" IS NOT NULL`);
    await q.query(`CREATE INDEX "idx_backfill_calls_budget" ON "backfill_calls" ("terra_user_id", "at")`);
    await q.query(`CREATE INDEX "idx_backfill_calls_request" ON "backfill_calls" ("request_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "backfill_calls"`);
    await q.query(`DROP TABLE "backfill_requests"`);
    await q.query(`DROP TABLE "backfills"`);
  }
}
