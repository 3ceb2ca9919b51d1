import { Queue } from 'bullmq';
import { Client } from 'pg';
import { loadConfig } from '@terra-connections/config';
import { EVENT_DELIVERY_QUEUE, redisConnectionOptions } from '@terra-connections/queue';
import { createTestDatabase, dropQueuePrefix, testEnv, type TestDatabase } from '@terra-connections/testing';
import { EventDispatcher } from './event-dispatcher';

/**
 * The dispatcher reads the outbox in id order only up to the settled horizon: an event whose transaction drew
 * its id and has not committed holds the position back, so it is delivered once it commits, never passed over.
 */
describe('EventDispatcher (real Postgres, real Redis)', () => {
  let db: TestDatabase;
  let queue: Queue;
  const config = loadConfig(testEnv({}));

  beforeAll(async () => {
    db = await createTestDatabase('event_dispatcher');
    queue = new Queue(EVENT_DELIVERY_QUEUE, { connection: redisConnectionOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
    await db.dataSource.query(`INSERT INTO webhook_endpoints (url, secret_encrypted) VALUES ('https://svc.internal/dispatch', 'sealed')`);
  });

  afterAll(async () => {
    await queue?.close();
    await dropQueuePrefix(config.REDIS_URL, config.QUEUE_PREFIX);
    await db?.drop();
  });

  const insert = `INSERT INTO events (type, occurred_at, reference_id) VALUES ('data.received', now(), $1) RETURNING id::text AS id`;
  const deliveredRefs = async () =>
    ((await db.dataSource.query(`SELECT e.reference_id FROM event_deliveries d JOIN events e ON e.id = d.event_row_id ORDER BY e.id`)) as { reference_id: string }[]).map(
      (row) => row.reference_id,
    );

  it('does not pass an event drawn by a transaction still open; delivers it, then the later one, once it commits', async () => {
    const dispatcher = new EventDispatcher(db.dataSource, queue);
    const writer = new Client({ connectionString: db.url });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      const [{ id: early }] = (await writer.query(insert, ['early'])).rows as { id: string }[];
      const [{ id: late }]: { id: string }[] = await db.dataSource.query(insert, ['late']);
      expect(BigInt(late)).toBeGreaterThan(BigInt(early));

      // The open writer holds the horizon below both: nothing is dispatched and the position stays.
      expect(await dispatcher.dispatch()).toMatchObject({ events: 0, deliveries: 0 });
      expect(await db.dataSource.query(`SELECT row_id::text AS row_id FROM event_dispatch_position`)).toEqual([{ row_id: '0' }]);

      await writer.query('COMMIT');
      expect(await dispatcher.dispatch()).toMatchObject({ events: 2, deliveries: 2, enqueued: 2 });
      expect(await deliveredRefs()).toEqual(['early', 'late']);
      expect(await db.dataSource.query(`SELECT row_id::text AS row_id FROM event_dispatch_position`)).toEqual([{ row_id: late }]);
    } finally {
      await writer.query('ROLLBACK').catch(() => undefined);
      await writer.end();
    }
  });
});
