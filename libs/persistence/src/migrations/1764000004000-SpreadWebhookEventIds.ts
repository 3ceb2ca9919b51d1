import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbox ids name their BullMQ jobs (`evt-<id>`), and Redis outlives databases: after a database is recreated
 * (or a second deployment points at the same Redis and QUEUE_PREFIX) its ids restart at 1, a new row's job id
 * matches a finished job of the old database, BullMQ's add is a silent no-op, and the event waits for the
 * sweeper. So each database starts its inbox ids at its own random point in [2^40, 2^52): a per-database offset
 * that is part of every id, and so of every job id. Two databases' ids overlap only if one of them has stored
 * trillions of events. Ids stay below 2^53, exact as JS numbers. An existing database moves forward only: ids
 * already used stay unique.
 *
 * Not enough on its own: a database restored from a dump continues its sequence from the dump, so rows stored
 * after the dump was taken have their ids handed out again. Job ids have therefore carried the row's
 * received_at too since issue 12 (`evt-<id>-<received_at>`, applyEventJobId), which tells those rows apart;
 * this offset still keeps two databases' event ids (in logs, in the API) apart.
 */
export class SpreadWebhookEventIds1764000004000 implements MigrationInterface {
  name = 'SpreadWebhookEventIds1764000004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `SELECT setval(pg_get_serial_sequence('webhook_events', 'id'),
                     GREATEST((SELECT COALESCE(max(id), 0) FROM webhook_events) + 1,
                              (2^40 + floor(random() * (2^52 - 2^40)))::bigint),
                     false)`,
    );
  }

  /** Ids handed out stay handed out: there is nothing to undo. */
  async down(): Promise<void> {}
}
