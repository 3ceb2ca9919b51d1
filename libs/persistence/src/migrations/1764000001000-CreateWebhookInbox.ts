import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateWebhookInbox1764000001000 implements MigrationInterface {
  name = 'CreateWebhookInbox1764000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "webhook_events" (
      "id" BIGSERIAL NOT NULL,
      "dedup_key" character varying(200) NOT NULL,
      "type" character varying(64) NOT NULL,
      "terra_user_id" character varying(64),
      "reference_id" character varying(255),
      "terra_reference" character varying(255),
      "ordering_timestamp" bigint,
      "event_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "payload" jsonb NOT NULL,
      "request_id" character varying(64),
      "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "status" character varying(12) NOT NULL DEFAULT 'pending',
      "attempts" integer NOT NULL DEFAULT '0',
      "duplicate_count" integer NOT NULL DEFAULT '0',
      "last_error" text,
      "processed_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "chk_webhook_events_status" CHECK ("status" IN ('pending','processed','failed')),
      CONSTRAINT "pk_webhook_events" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_webhook_events_dedup_key" ON "webhook_events" ("dedup_key")`);
    await q.query(`CREATE INDEX "idx_webhook_events_terra_user_id" ON "webhook_events" ("terra_user_id", "id")`);
    await q.query(`CREATE INDEX "idx_webhook_events_status_id" ON "webhook_events" ("status", "id")`);
    // The sweeper's scan: pending rows older than the grace period. Partial, so it stays tiny.
    await q.query(`CREATE INDEX "idx_webhook_events_pending" ON "webhook_events" ("received_at") WHERE "status" = 'pending'`);

    await q.query(`CREATE TABLE "health_data" (
      "id" BIGSERIAL NOT NULL,
      "terra_user_id" character varying(64) NOT NULL,
      "type" character varying(20) NOT NULL,
      "data_key" character varying(200) NOT NULL,
      "summary_id" character varying(200),
      "date" date,
      "start_time" TIMESTAMP WITH TIME ZONE,
      "end_time" TIMESTAMP WITH TIME ZONE,
      "payload" jsonb NOT NULL,
      "event_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "webhook_event_id" bigint,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_health_data" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_health_data_key" ON "health_data" ("terra_user_id", "type", "data_key")`);
    await q.query(`CREATE INDEX "idx_health_data_read" ON "health_data" ("terra_user_id", "type", "start_time", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "health_data"`);
    await q.query(`DROP TABLE "webhook_events"`);
  }
}
