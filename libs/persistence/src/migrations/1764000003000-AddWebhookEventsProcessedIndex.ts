import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbox pruner's scan: processed rows by processed_at, oldest first. Partial, so pending and failed rows
 * (the ones never pruned) are not in it. Built CONCURRENTLY because webhook_events is the largest table and a
 * plain CREATE INDEX would block the API's inserts for the whole build: hence no transaction. A build that
 * failed half-way leaves an invalid index behind under the same name, so it is dropped first.
 */
export class AddWebhookEventsProcessedIndex1764000003000 implements MigrationInterface {
  name = 'AddWebhookEventsProcessedIndex1764000003000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS "idx_webhook_events_processed_at"`);
    await q.query(
      `CREATE INDEX CONCURRENTLY "idx_webhook_events_processed_at" ON "webhook_events" ("processed_at") WHERE "status" = 'processed'`,
    );
  }

  /** Not CONCURRENTLY: TypeORM reverts inside a transaction whatever `transaction` says, and a drop is quick. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "idx_webhook_events_processed_at"`);
  }
}
