import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { MetricsService } from '@terra-connections/observability';
import { createTestDatabase, type TestDatabase } from '@terra-connections/testing';
import { InboxWriter } from '@terra-connections/webhook-ingest';
import { DELETE_EXPIRED_BATCH_SQL, InboxPruner, PRUNE_BATCH_SIZE, PRUNE_LOCK_ID, PRUNED_METRIC } from './inbox-pruner';

const RETENTION_DAYS = 30;

describe('InboxPruner (real Postgres)', () => {
  let db: TestDatabase;
  let pruner: InboxPruner;
  let metrics: MetricsService;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDatabase('inbox_pruner');
    metrics = new MetricsService();
    pruner = new InboxPruner(db.dataSource, { WEBHOOK_EVENTS_RETENTION_DAYS: RETENTION_DAYS }, metrics);
  });

  afterAll(async () => {
    await db?.drop();
  });

  /** One inbox row in a given state; ages in days before now (received_at is never younger than processed_at). */
  async function row(status: 'pending' | 'processed' | 'failed', ageDays: { received: number; processed?: number }): Promise<string> {
    const [{ id }]: { id: string }[] = await db.dataSource.query(
      `INSERT INTO webhook_events (dedup_key, type, event_at, payload, status, received_at, processed_at)
       VALUES ($1, 'healthcheck', now(), '{"type":"healthcheck"}', $2,
               now() - make_interval(days => $3), now() - make_interval(days => $4::int))
       RETURNING id`,
      [randomUUID(), status, ageDays.received, ageDays.processed ?? null],
    );
    return String(id);
  }

  async function existing(ids: string[]): Promise<string[]> {
    const rows: { id: string }[] = await db.dataSource.query(`SELECT id FROM webhook_events WHERE id = ANY($1::bigint[]) ORDER BY id`, [ids]);
    return rows.map((r) => String(r.id));
  }

  const prunedTotal = async () => (await metrics.registry.getSingleMetricAsString(PRUNED_METRIC)).match(/_total (\d+)/)?.[1];

  it('deletes processed rows past the retention and keeps recent processed, pending and failed rows of any age', async () => {
    const oldProcessed = [await row('processed', { received: 40, processed: 40 }), await row('processed', { received: 90, processed: 31 })];
    const recentProcessed = [
      await row('processed', { received: 1, processed: 1 }),
      // Received long ago but applied recently (a replayed dead letter): its retention starts when applied.
      await row('processed', { received: 60, processed: 2 }),
    ];
    const kept = [
      await row('pending', { received: 400 }),
      await row('failed', { received: 400 }),
      // Status alone protects a failed row, whatever its timestamps say.
      await row('failed', { received: 400, processed: 400 }),
    ];

    const result = await pruner.prune();

    expect(result).toEqual({ deleted: 2, batches: 1 });
    expect(await existing(oldProcessed)).toEqual([]);
    expect(await existing([...recentProcessed, ...kept])).toEqual([...recentProcessed, ...kept].sort((a, b) => Number(a) - Number(b)));
  });

  it('deletes a backlog larger than one batch in several statements', async () => {
    const backlog = 2 * PRUNE_BATCH_SIZE + 1;
    await db.dataSource.query(
      `INSERT INTO webhook_events (dedup_key, type, event_at, payload, status, received_at, processed_at)
       SELECT 'backlog-' || n, 'daily', now(), '{}', 'processed', now() - interval '50 days', now() - interval '50 days'
       FROM generate_series(1, $1::int) AS n`,
      [backlog],
    );
    const recent = await row('processed', { received: 0, processed: 0 });
    const before = Number(await prunedTotal());

    const result = await pruner.prune();

    expect(result).toEqual({ deleted: backlog, batches: 3 });
    const [{ left }] = await db.dataSource.query(`SELECT count(*)::int AS left FROM webhook_events WHERE dedup_key LIKE 'backlog-%'`);
    expect(left).toBe(0);
    expect(await existing([recent])).toEqual([recent]);
    expect(Number(await prunedTotal()) - before).toBe(backlog);
  });

  it('accepts an identical hash-keyed delivery again once its row was pruned', async () => {
    const writer = new InboxWriter(db.dataSource);
    // No trace id: the dedup key is the SHA-256 of the body.
    const delivery = {
      rawBody: JSON.stringify({ type: 'healthcheck', status: 'success', nonce: randomUUID() }),
      type: 'healthcheck',
      terraUserId: null,
      referenceId: null,
      signatureTimestampSeconds: Math.floor(Date.now() / 1000),
    };
    const first = await writer.record(delivery);
    expect(first.inserted).toBe(true);
    expect((await writer.record(delivery)).inserted).toBe(false);

    await db.dataSource.query(
      `UPDATE webhook_events SET status = 'processed', processed_at = now() - interval '31 days' WHERE id = $1`,
      [first.id],
    );
    expect((await writer.record(delivery)).inserted).toBe(false);
    expect((await pruner.prune()).deleted).toBe(1);

    const again = await writer.record(delivery);
    expect(again.inserted).toBe(true);
    expect(again.id).not.toBe(first.id);
  });

  it('leaves health data that names a pruned event in place (webhook_event_id is provenance, not a foreign key)', async () => {
    const eventId = await row('processed', { received: 45, processed: 45 });
    await db.dataSource.query(
      `INSERT INTO health_data (connection_id, terra_user_id, type, data_key, payload, event_at, webhook_event_id)
       VALUES (tc_connection_uuid($1), $1, 'daily', '2026-01-01', '{}', now(), $2)`,
      [`prune-${eventId}`, eventId],
    );

    expect((await pruner.prune()).deleted).toBe(1);

    expect(await existing([eventId])).toEqual([]);
    const data = await db.dataSource.query(`SELECT webhook_event_id FROM health_data WHERE terra_user_id = $1`, [`prune-${eventId}`]);
    expect(data).toEqual([{ webhook_event_id: eventId }]);
  });

  it('does nothing while another worker holds the prune lock', async () => {
    const old = await row('processed', { received: 35, processed: 35 });
    const other = db.dataSource.createQueryRunner();
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [PRUNE_LOCK_ID]);
      expect(await pruner.prune()).toEqual({ deleted: 0, batches: 0, skipped: 'locked' });
      expect(await existing([old])).toEqual([old]);
    } finally {
      await other.query('SELECT pg_advisory_unlock($1)', [PRUNE_LOCK_ID]);
      await other.release();
    }
    expect(await pruner.prune()).toEqual({ deleted: 1, batches: 1 });
    // The run released its lock: another session can take it.
    const [{ locked }] = await db.dataSource.query('SELECT pg_try_advisory_lock($1) AS locked, pg_advisory_unlock($1)', [PRUNE_LOCK_ID]);
    expect(locked).toBe(true);
  });

  it('keeps everything when the retention is 0', async () => {
    const old = await row('processed', { received: 3000, processed: 3000 });
    const off = new InboxPruner(db.dataSource, { WEBHOOK_EVENTS_RETENTION_DAYS: 0 });
    expect(await off.prune()).toEqual({ deleted: 0, batches: 0, skipped: 'disabled' });
    expect(await existing([old])).toEqual([old]);
    await pruner.prune();
  });

  it('stops between batches once the worker is shutting down', async () => {
    const old = await row('processed', { received: 35, processed: 35 });
    const stopping = new InboxPruner(db.dataSource, { WEBHOOK_EVENTS_RETENTION_DAYS: RETENTION_DAYS });
    stopping.beforeApplicationShutdown();
    expect(await stopping.prune()).toEqual({ deleted: 0, batches: 0, interrupted: true });
    expect(await existing([old])).toEqual([old]);
    await pruner.prune();
  });

  it('finds a batch through the partial index and the primary key, never a scan of the whole table', async () => {
    // A backlog with statistics: enough expired rows for the planner to prefer a sequential scan of the table
    // if the statement allowed one (`id IN (SELECT ...)` does, as a hash join).
    await db.dataSource.query(
      `INSERT INTO webhook_events (dedup_key, type, event_at, payload, status, received_at, processed_at)
       SELECT 'plan-' || n, 'daily', now(), '{}', 'processed', now() - interval '60 days', now() - interval '60 days'
       FROM generate_series(1, 20000) AS n`,
    );
    await db.dataSource.query('ANALYZE webhook_events');
    const plan: { 'QUERY PLAN': string }[] = await db.dataSource.query(`EXPLAIN ${DELETE_EXPIRED_BATCH_SQL}`, [
      'processed',
      new Date(Date.now() - RETENTION_DAYS * 86_400_000),
      PRUNE_BATCH_SIZE,
    ]);
    const text = plan.map((line) => line['QUERY PLAN']).join('\n');
    expect(text).toMatch(/Index Scan using idx_webhook_events_processed_at/);
    expect(text).toMatch(/Index Scan using pk_webhook_events/);
    expect(text).not.toMatch(/Seq Scan/);
    expect((await pruner.prune()).deleted).toBe(20_000);
  });
});
