import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The events feed in `id` order, made safe by a writer lock instead of the cluster's oldest transaction.
 *
 * Before: the feed and the dispatcher read (tx_id, id) below `pg_snapshot_xmin`, so any long writing
 * transaction anywhere on the Postgres server (another database too: transaction ids are cluster-wide) held
 * every event back for as long as it ran.
 *
 * Now an event's `id` comes from `tc_next_event_id()`, which takes a shared transaction-level advisory lock
 * (the event-writer lock) before `nextval`. A reader reads the sequence's last value S, then the
 * transactions holding that lock: every id <= S belongs to one of them or to a transaction already ended, so
 * once those few (short: the lock is taken by a transaction's last statements) have ended, every id <= S
 * that will ever be visible is. The wait concerns event writers only. See `event-horizon.ts`.
 *
 * The dispatch position becomes one id. It moves to just before the first event the old order had not
 * passed; events after it that were already dispatched meet the deliveries' unique key and are not sent twice.
 */
export class OrderEventsByWriterLock1764000013000 implements MigrationInterface {
  name = 'OrderEventsByWriterLock1764000013000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION tc_next_event_id() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock_shared(7104311, 13);
        RETURN nextval('events_id_seq');
      END $$`);
    await q.query(`ALTER TABLE "events" ALTER COLUMN "id" SET DEFAULT tc_next_event_id()`);
    await q.query(`UPDATE "event_dispatch_position" p SET "row_id" = COALESCE(
        (SELECT min(e.id) - 1 FROM events e WHERE (e.tx_id, e.id) > (p.tx_id, p.row_id)),
        GREATEST(p.row_id, (SELECT COALESCE(max(id), 0) FROM events)))`);
    await q.query(`ALTER TABLE "event_dispatch_position" DROP COLUMN "tx_id"`);
    await q.query(`DROP INDEX "idx_events_feed"`);
    await q.query(`DROP INDEX "idx_events_connection"`);
    await q.query(`DROP INDEX "idx_events_reference"`);
    await q.query(`CREATE INDEX "idx_events_connection" ON "events" ("connection_id", "id")`);
    await q.query(`CREATE INDEX "idx_events_reference" ON "events" ("reference_id", "id")`);
    await q.query(`ALTER TABLE "events" DROP COLUMN "tx_id"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "events" ADD COLUMN "tx_id" xid8 NOT NULL DEFAULT pg_current_xact_id()`);
    await q.query(`DROP INDEX "idx_events_connection"`);
    await q.query(`DROP INDEX "idx_events_reference"`);
    await q.query(`CREATE INDEX "idx_events_feed" ON "events" ("tx_id", "id")`);
    await q.query(`CREATE INDEX "idx_events_connection" ON "events" ("connection_id", "tx_id", "id")`);
    await q.query(`CREATE INDEX "idx_events_reference" ON "events" ("reference_id", "tx_id", "id")`);
    await q.query(`ALTER TABLE "event_dispatch_position" ADD COLUMN "tx_id" xid8 NOT NULL DEFAULT pg_current_xact_id()`);
    await q.query(`ALTER TABLE "events" ALTER COLUMN "id" SET DEFAULT nextval('events_id_seq')`);
    await q.query(`DROP FUNCTION tc_next_event_id()`);
  }
}
