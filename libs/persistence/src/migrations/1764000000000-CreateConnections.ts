import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateConnections1764000000000 implements MigrationInterface {
  name = 'CreateConnections1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "terra_connections" (
      "id" BIGSERIAL NOT NULL,
      "terra_user_id" character varying(64) NOT NULL,
      "reference_id" character varying(255),
      "provider" character varying(64) NOT NULL,
      "status" character varying(20) NOT NULL DEFAULT 'active',
      "status_reason" text,
      "scopes" text array NOT NULL DEFAULT '{}',
      "replaced_by" character varying(64),
      "connected_at" TIMESTAMP WITH TIME ZONE,
      "disconnected_at" TIMESTAMP WITH TIME ZONE,
      "last_webhook_at" TIMESTAMP WITH TIME ZONE,
      "last_sync_at" TIMESTAMP WITH TIME ZONE,
      "status_changed_at" TIMESTAMP WITH TIME ZONE,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "chk_terra_connections_status" CHECK ("status" IN ('active','error','revoked','disconnected','replaced')),
      CONSTRAINT "pk_terra_connections" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_terra_connections_terra_user_id" ON "terra_connections" ("terra_user_id")`);
    // Keyset pagination of one person's connections: WHERE reference_id = $1 AND id > $cursor ORDER BY id.
    await q.query(`CREATE INDEX "idx_terra_connections_reference_id" ON "terra_connections" ("reference_id", "id")`);

    await q.query(`CREATE TABLE "connection_attempts" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "kind" character varying(10) NOT NULL,
      "session_id" character varying(128),
      "terra_user_id" character varying(64),
      "reference_id" character varying(255) NOT NULL,
      "providers" text array NOT NULL DEFAULT '{}',
      "status" character varying(12) NOT NULL DEFAULT 'pending',
      "reason" text,
      "expires_at" TIMESTAMP WITH TIME ZONE,
      "completed_at" TIMESTAMP WITH TIME ZONE,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "chk_connection_attempts_status" CHECK ("status" IN ('pending','succeeded','failed','cancelled')),
      CONSTRAINT "chk_connection_attempts_kind" CHECK ("kind" IN ('widget','direct','mobile')),
      CONSTRAINT "pk_connection_attempts" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "idx_connection_attempts_session_id" ON "connection_attempts" ("session_id") WHERE "session_id" IS NOT NULL`);
    await q.query(`CREATE INDEX "idx_connection_attempts_terra_user_id" ON "connection_attempts" ("terra_user_id") WHERE "terra_user_id" IS NOT NULL`);
    await q.query(`CREATE INDEX "idx_connection_attempts_reference_id" ON "connection_attempts" ("reference_id", "created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "connection_attempts"`);
    await q.query(`DROP TABLE "terra_connections"`);
  }
}
