import { createTestDatabase, type TestDatabase } from '@terra-connections/testing';
import { CONNECTION_GET, CONNECTION_ID_OF, connectionIdParams, listStatement } from './connection-read.sql';
import { windowParams } from './freshness/freshness-window.sql';
import { CONNECTION_FRESHNESS_BATCH } from './state/connection-freshness.sql';

const ROWS = 20_000;

/**
 * Every read that takes a connection_id or a Terra user id, and the listing, use an index (issue 11: the lookup
 * by any Terra id must not cost the listing and data-read figures of `npm run bench`). Checked on a database
 * big enough (and analysed) that Postgres would rather scan than use a useless index.
 */
describe('connection reads use their indexes (real Postgres, EXPLAIN)', () => {
  let db: TestDatabase;
  const terraId = (n: number) => `tu-${String(n).padStart(6, '0')}`;

  beforeAll(async () => {
    db = await createTestDatabase('connection_plans');
    await db.dataSource.query(
      `INSERT INTO terra_connections (terra_user_id, reference_id, provider, status)
       SELECT 'tu-' || lpad(n::text, 6, '0'), 'ref-' || (n % 4000), (ARRAY['GARMIN','OURA'])[1 + n % 2], 'active'
       FROM generate_series(1, $1::int) AS n`,
      [ROWS],
    );
    // Every 10th id reconnected: n and n + 1 one connection (n + 1 current), as a user_reauth leaves them.
    await db.dataSource.query(
      `UPDATE terra_connections c SET connection_id = p.connection_id, chain_position = 1, connection_seq = p.connection_seq
       FROM terra_connections p
       WHERE p.terra_user_id = 'tu-' || lpad((substring(c.terra_user_id from 4)::int - 1)::text, 6, '0')
         AND substring(c.terra_user_id from 4)::int % 10 = 1`,
    );
    await db.dataSource.query(
      `UPDATE terra_connections SET is_current = false, status = 'replaced' WHERE substring(terra_user_id from 4)::int % 10 = 0`,
    );
    await db.dataSource.query(
      `INSERT INTO health_data (connection_id, terra_user_id, type, data_key, date, start_time, payload, event_at)
       SELECT c.connection_id, c.terra_user_id, 'daily', d::date::text, d::date, d, '{}', now()
       FROM terra_connections c CROSS JOIN generate_series(timestamptz '2026-01-01', timestamptz '2026-01-05', interval '1 day') d
       WHERE c.is_current`,
    );
    // One connection in 200 stale; every connection has sent two types.
    await db.dataSource.query(
      `UPDATE terra_connections SET freshness = CASE WHEN substring(terra_user_id from 4)::int % 200 = 7 THEN 'stale' ELSE 'fresh' END WHERE is_current`,
    );
    await db.dataSource.query(
      `INSERT INTO connection_data_freshness (connection_id, type, last_received_at, arrivals, gaps_ms)
       SELECT c.connection_id, t, now(), 8, '{86400000,86400000,86400000,86400000,86400000}' FROM terra_connections c CROSS JOIN unnest(ARRAY['daily','sleep']) t
       WHERE c.is_current`,
    );
    await db.dataSource.query('ANALYZE connection_data_freshness');
    await db.dataSource.query('ANALYZE terra_connections');
    await db.dataSource.query('ANALYZE health_data');
  });

  afterAll(async () => {
    await db?.drop();
  });

  async function plan(sql: string, params: unknown[]): Promise<string> {
    const rows: { 'QUERY PLAN': string }[] = await db.dataSource.query(`EXPLAIN ${sql}`, params);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  }
  const connectionIdOf = async (n: number): Promise<string> =>
    (await db.dataSource.query(`SELECT connection_id FROM terra_connections WHERE terra_user_id = $1`, [terraId(n)]))[0].connection_id;

  it('the listing: by reference_id, and the full listing from a cursor, one row per connection, with each one\'s ids', async () => {
    const byReference = await plan(listStatement(2).text, [51, 'ref-17']);
    expect(byReference).toContain('idx_terra_connections_reference_id');
    expect(byReference).toContain('idx_terra_connections_connection_id');
    const lateFullPage = await plan(listStatement(1).text, [201, String(ROWS - 300)]);
    expect(lateFullPage).toContain('idx_terra_connections_listing');
    const lateReferencePage = await plan(listStatement(3).text, [201, String(ROWS - 3000), 'ref-17']);
    expect(lateReferencePage).toContain('idx_terra_connections_reference_id');
    for (const text of [byReference, lateFullPage, lateReferencePage]) expect(text).not.toContain('Seq Scan');
  });

  it('the stale listing: its own partial index, from the start, from a late cursor, and as the generic plan a prepared statement settles on', async () => {
    const first = await plan(listStatement(0, 'stale').text, [51]);
    const late = await plan(listStatement(1, 'stale').text, [51, String(ROWS - 300)]);
    for (const text of [first, late]) {
      expect(text).toContain('idx_terra_connections_stale');
      expect(text).not.toContain('Seq Scan');
    }
    const runner = db.dataSource.createQueryRunner();
    try {
      await runner.query(`SET plan_cache_mode = force_generic_plan`);
      await runner.query(`PREPARE stale_page AS ${listStatement(1, 'stale').text}`);
      const generic = (await runner.query(`EXPLAIN EXECUTE stale_page(51, '15000')`)).map((row: { 'QUERY PLAN': string }) => row['QUERY PLAN']).join('\n');
      expect(generic).toContain('idx_terra_connections_stale');
    } finally {
      await runner.release();
    }
  });

  it('the freshness job walks a batch by the listing index and reads each connection\'s types by their key', async () => {
    const batch = await plan(CONNECTION_FRESHNESS_BATCH.text, [
      String(ROWS / 2),
      2000,
      new Date(),
      ...windowParams({ minWindowMs: 43_200_000, maxWindowMs: 1_209_600_000, defaultWindowMs: 259_200_000, mobileDefaultWindowMs: 432_000_000 }),
    ]);
    expect(batch).toContain('idx_terra_connections_listing');
    expect(batch).toContain('pk_connection_data_freshness');
    expect(batch).not.toContain('Seq Scan');
  });

  it('one connection by a Terra id (current or old), by its connection_id, or by a connection_id folded into it', async () => {
    const byTerraId = await plan(CONNECTION_GET.text, connectionIdParams(terraId(20)));
    expect(byTerraId).toContain('uq_terra_connections_terra_user_id');
    const byConnectionId = await plan(CONNECTION_GET.text, connectionIdParams(await connectionIdOf(31)));
    expect(byConnectionId).toContain('idx_terra_connections_connection_id');
    // tu-000041 joined tu-000040's connection: its own first-id uuid still finds it.
    const folded = (await db.dataSource.query(`SELECT tc_connection_uuid($1) AS id`, [terraId(41)]))[0].id;
    const byFolded = await plan(CONNECTION_GET.text, connectionIdParams(folded));
    expect(byFolded).toContain('idx_terra_connections_first_id_uuid');
    for (const text of [byTerraId, byConnectionId, byFolded]) expect(text).not.toContain('Seq Scan');
  });

  it('health data of a connection, and the key reads resolve it by', async () => {
    const key = await plan(`SELECT ${CONNECTION_ID_OF} AS connection_id`, connectionIdParams(terraId(55)));
    expect(key).not.toContain('Seq Scan');
    // The shape of HealthDataQuery.list: by connection and type, in start_time order.
    const data = await plan(
      `SELECT id, payload FROM health_data WHERE connection_id = $1 AND type = $2
       ORDER BY COALESCE(start_time, '-infinity'::timestamptz), id LIMIT 51`,
      [await connectionIdOf(55), 'daily'],
    );
    expect(data).toContain('idx_health_data_read');
    expect(data).not.toContain('Seq Scan');
  });
});
