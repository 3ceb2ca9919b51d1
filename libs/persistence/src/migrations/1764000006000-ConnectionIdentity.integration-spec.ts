import { randomUUID } from 'node:crypto';
import { runMigrations } from '../migrator';
import { createScratchDataSource, migrateAcross, type ScratchDataSource } from '../testing/scratch-data-source';
import { MIGRATIONS } from './index';

const THIS_MIGRATION = 'ConnectionIdentity1764000006000';
/** This migration and every one after it, as they run. */
const LATER_MIGRATIONS = MIGRATIONS.slice(MIGRATIONS.findIndex((migration) => migration.name === THIS_MIGRATION)).map((migration) => migration.name);

/**
 * The migration on a database with today's schema and rows: the schema is built by the migrations before this
 * one, old-shape rows are inserted (chains of three in scrambled row order, overlapping days, data of an id
 * without a row), then this migration runs.
 */
describe('migration 1764000006000: one connection per reauth chain (real Postgres)', () => {
  let db: ScratchDataSource;
  const [x1, x2, x3, y1, y2, lone, waiting] = Array.from({ length: 7 }, () => randomUUID());
  const T = (minutes: number) => new Date(Date.parse('2026-05-01T08:00:00Z') + minutes * 60_000);

  beforeAll(async () => {
    db = await createScratchDataSource('migration_identity', { migrate: false });
    const ran = await migrateAcross(db, THIS_MIGRATION, async (previous) => {
      const insertConnection = (terraUserId: string, status: string, replacedBy: string | null, referenceId: string, minutes: number) =>
        previous.query(
          `INSERT INTO terra_connections (terra_user_id, reference_id, provider, status, replaced_by, connected_at, status_changed_at, created_at)
           VALUES ($1, $2, 'GARMIN', $3, $4, $5, $5, $5)`,
          [terraUserId, referenceId, status, replacedBy, T(minutes)],
        );
      // The chain x1 -> x2 -> x3, rows inserted newest first so row ids say nothing about the chain's order.
      await insertConnection(x3, 'active', null, 'p-chain', 20);
      await insertConnection(x1, 'replaced', x2, 'p-chain', 0);
      await insertConnection(x2, 'replaced', x3, 'p-chain', 10);
      await insertConnection(y1, 'replaced', y2, 'p-two', 0);
      await insertConnection(y2, 'disconnected', null, 'p-two', 5);
      await insertConnection(lone, 'error', null, 'p-lone', 0);

      const insertDay = (terraUserId: string, day: string, minutes: number, payload: object) =>
        previous.query(
          `INSERT INTO health_data (terra_user_id, type, data_key, date, start_time, payload, event_at)
           VALUES ($1, 'daily', $2::varchar, $2::varchar::date, $2::varchar::date, $3::jsonb, $4)`,
          [terraUserId, day, JSON.stringify(payload), T(minutes)],
        );
      await insertDay(x1, '2026-04-30', 1, { steps: 5, data_enrichment: { sleep_score: 60, stress_score: 10 } });
      await insertDay(x1, '2026-05-01', 2, { steps: 100, data_enrichment: { sleep_score: 80, stress_score: 40 } });
      await insertDay(x2, '2026-05-01', 12, { steps: 200, data_enrichment: { sleep_score: null, stress_score: 45 } });
      await insertDay(x3, '2026-05-01', 22, { steps: 300, data_enrichment: { sleep_score: null, stress_score: null } });
      await insertDay(x3, '2026-05-02', 23, { steps: 7, data_enrichment: null });
      await insertDay(y1, '2026-05-01', 3, { steps: 1 });
      await insertDay(lone, '2026-05-01', 4, { steps: 2 });
      await insertDay(waiting, '2026-05-01', 30, { steps: 3 });
    });
    // This one, then any later migration (they run on the folded schema).
    expect(ran).toEqual(LATER_MIGRATIONS);
  });

  afterAll(async () => {
    await db?.drop();
  });

  const connectionRows = () =>
    db.dataSource.query(
      `SELECT terra_user_id, connection_id, chain_position, is_current, connection_seq, status FROM terra_connections
       ORDER BY connection_seq, chain_position`,
    );
  const uuidOf = async (terraUserId: string): Promise<string> =>
    (await db.dataSource.query(`SELECT tc_connection_uuid($1) AS id`, [terraUserId]))[0].id;

  it('folds each replaced_by chain into one connection named after its first id, in chain order, the last id current', async () => {
    const rows: { terra_user_id: string; connection_id: string; chain_position: number; is_current: boolean; connection_seq: string }[] =
      await connectionRows();
    const of = (id: string) => rows.find((row) => row.terra_user_id === id)!;
    const chain = [of(x1), of(x2), of(x3)];
    expect(new Set(chain.map((row) => row.connection_id))).toEqual(new Set([await uuidOf(x1)]));
    expect(chain.map((row) => row.chain_position)).toEqual([-2, -1, 0]);
    expect(chain.map((row) => row.is_current)).toEqual([false, false, true]);
    // The listing key of the chain is its first row's (x3 was inserted first).
    expect(new Set(chain.map((row) => row.connection_seq)).size).toBe(1);
    expect([of(y1).connection_id, of(y2).connection_id]).toEqual([await uuidOf(y1), await uuidOf(y1)]);
    expect([of(y1).is_current, of(y2).is_current]).toEqual([false, true]);
    expect(of(lone)).toMatchObject({ connection_id: await uuidOf(lone), chain_position: 0, is_current: true });
    const current: { n: number }[] = await db.dataSource.query(`SELECT count(*)::int AS n FROM terra_connections WHERE is_current`);
    expect(current[0].n).toBe(3);
  });

  it('merges the chain\'s health data: one record per day, the newest copy winning and null scores keeping older values', async () => {
    const days: { date: string; payload: Record<string, unknown>; terra_user_id: string }[] = await db.dataSource.query(
      `SELECT date::text AS date, payload, terra_user_id FROM health_data WHERE connection_id = $1 ORDER BY date`,
      [await uuidOf(x1)],
    );
    expect(days).toEqual([
      { date: '2026-04-30', terra_user_id: x1, payload: { steps: 5, data_enrichment: { sleep_score: 60, stress_score: 10 } } },
      { date: '2026-05-01', terra_user_id: x3, payload: { steps: 300, data_enrichment: { sleep_score: 80, stress_score: 45 } } },
      { date: '2026-05-02', terra_user_id: x3, payload: { steps: 7, data_enrichment: null } },
    ]);
    const others: { terra_user_id: string; connection_id: string }[] = await db.dataSource.query(
      `SELECT terra_user_id, connection_id FROM health_data WHERE terra_user_id = ANY($1::varchar[]) ORDER BY terra_user_id`,
      [[y1, lone, waiting]],
    );
    expect(others).toEqual(
      [
        { terra_user_id: y1, connection_id: await uuidOf(y1) },
        { terra_user_id: lone, connection_id: await uuidOf(lone) },
        { terra_user_id: waiting, connection_id: await uuidOf(waiting) },
      ].sort((a, b) => a.terra_user_id.localeCompare(b.terra_user_id)),
    );
  });

  it('leaves data of an id without a row where that id\'s own connection will find it', async () => {
    await db.dataSource.query(`INSERT INTO terra_connections (terra_user_id, provider) VALUES ($1, 'OURA')`, [waiting]);
    const joined: { steps: number }[] = await db.dataSource.query(
      `SELECT (h.payload->>'steps')::int AS steps FROM terra_connections c JOIN health_data h ON h.connection_id = c.connection_id
       WHERE c.terra_user_id = $1`,
      [waiting],
    );
    expect(joined).toEqual([{ steps: 3 }]);
    await db.dataSource.query(`DELETE FROM terra_connections WHERE terra_user_id = $1`, [waiting]);
  });

  it('is reversible: down restores the previous schema and keeps every row; up again gives the same connections', async () => {
    const before = await connectionRows();
    for (let undone = 0; undone < LATER_MIGRATIONS.length; undone += 1) await db.dataSource.undoLastMigration({ transaction: 'each' });
    const columns: { column_name: string }[] = await db.dataSource.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name IN ('terra_connections', 'health_data') AND column_name = 'connection_id'`,
    );
    expect(columns).toEqual([]);
    const indexes: { indexdef: string }[] = await db.dataSource.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_health_data_key'`);
    expect(indexes[0].indexdef).toContain('(terra_user_id, type, data_key)');
    expect((await db.dataSource.query(`SELECT count(*)::int AS n FROM health_data`))[0].n).toBe(6);

    expect(await runMigrations(db.dataSource)).toEqual(LATER_MIGRATIONS);
    const after = await connectionRows();
    expect(after.map((row: { connection_id: string; terra_user_id: string }) => [row.terra_user_id, row.connection_id])).toEqual(
      before.map((row: { connection_id: string; terra_user_id: string }) => [row.terra_user_id, row.connection_id]),
    );
  });
});
