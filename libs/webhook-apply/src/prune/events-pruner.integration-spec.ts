import { Logger } from '@nestjs/common';
import { createTestDatabase, type TestDatabase } from '@terra-connections/testing';
import { EventsPruner } from './events-pruner';

/**
 * Review finding: the events pruner deleted any event past the retention, so a fleet down for longer lost its
 * undispatched events, and a delivery still retrying was cascaded away with its event.
 */
describe('EventsPruner (real Postgres)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDatabase('events_pruner');
  });

  afterAll(async () => {
    await db?.drop();
  });

  const event = async (label: string, ageDays: number): Promise<string> => {
    const [{ id }]: { id: string }[] = await db.dataSource.query(
      `INSERT INTO events (type, occurred_at, created_at, reference_id, data) VALUES ('data.received', now(), now() - make_interval(days => $2), $1, '{}')
       RETURNING id::text AS id`,
      [label, ageDays],
    );
    return id;
  };

  it('deletes expired events the dispatcher has passed and no pending delivery needs; keeps the rest', async () => {
    const [{ id: endpoint }]: { id: string }[] = await db.dataSource.query(
      `INSERT INTO webhook_endpoints (url, secret_encrypted) VALUES ('https://svc.internal/x', 'sealed') RETURNING id`,
    );
    await event('expired', 40);
    const retrying = await event('expired-pending-delivery', 40);
    const delivered = await event('expired-delivered', 40);
    await db.dataSource.query(`UPDATE event_dispatch_position SET row_id = $1`, [delivered]);
    await event('expired-undispatched', 40);
    await event('young', 1);
    await db.dataSource.query(
      `INSERT INTO event_deliveries (endpoint_id, event_row_id, status) VALUES ($1, $2, 'pending'), ($1, $3, 'delivered')`,
      [endpoint, retrying, delivered],
    );

    const result = await new EventsPruner(db.dataSource, { EVENTS_RETENTION_DAYS: 30 }).prune();

    expect(result.deleted).toBe(2);
    const left: { reference_id: string }[] = await db.dataSource.query(`SELECT reference_id FROM events ORDER BY id`);
    expect(left.map((row) => row.reference_id)).toEqual(['expired-pending-delivery', 'expired-undispatched', 'young']);
    const deliveries: { event_row_id: string }[] = await db.dataSource.query(`SELECT event_row_id::text FROM event_deliveries`);
    expect(deliveries.map((row) => row.event_row_id)).toEqual([retrying]);
  });
});
