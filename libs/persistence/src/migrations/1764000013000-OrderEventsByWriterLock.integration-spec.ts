import { createScratchDataSource, migrateAcross, type ScratchDataSource } from '../testing/scratch-data-source';

const THIS_MIGRATION = 'OrderEventsByWriterLock1764000013000';

/**
 * The migration on a database whose dispatcher position is a (tx_id, id) pair with events on both sides of
 * it in id order: the position moves to just before the first event the old order had not passed.
 */
describe('migration 1764000013000: the events feed in id order (real Postgres)', () => {
  let db: ScratchDataSource;

  beforeAll(async () => {
    db = await createScratchDataSource('migration_event_order', { migrate: false });
    await migrateAcross(db, THIS_MIGRATION, async (previous) => {
      // ids 1..4 written by transactions 100, 300, 200, 400: the old order is 1, 3, 2, 4.
      for (const [id, tx] of [[1, 100], [2, 300], [3, 200], [4, 400]]) {
        await previous.query(`INSERT INTO events (id, tx_id, type, occurred_at) VALUES ($1, $2::text::xid8, 'data.received', now())`, [id, tx]);
      }
      await previous.query(`SELECT setval('events_id_seq', 4)`);
      // Dispatched through (200, 3) in the old order: ids 1 and 3; 2 and 4 are not.
      await previous.query(`UPDATE event_dispatch_position SET tx_id = '200'::xid8, row_id = 3`);
    });
  });
  afterAll(() => db?.drop());

  it('moves the dispatch position to just before the first event not yet dispatched', async () => {
    expect(await db.dataSource.query(`SELECT row_id::int AS row_id FROM event_dispatch_position`)).toEqual([{ row_id: 1 }]);
  });

  it('draws new event ids under the event-writer lock, after the existing ones', async () => {
    const runner = db.dataSource.createQueryRunner();
    await runner.startTransaction();
    try {
      const [{ id }] = await runner.query(`INSERT INTO events (type, occurred_at) VALUES ('data.received', now()) RETURNING id::int AS id`);
      expect(id).toBe(5);
      const held = await db.dataSource.query(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = 7104311 AND objid = 13 AND mode = 'ShareLock' AND granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      expect(held).toEqual([{ n: 1 }]);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
