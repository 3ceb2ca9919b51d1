import { createTestDatabase, type TestDatabase } from '@terra-connections/testing';
import type { ProvidersService } from '../providers.service';
import { BackfillsService } from './backfills.service';

/** The backfill listing's pages on real Postgres: every row once, newest first, whatever the clock's ties. */
describe('backfill pages (real Postgres)', () => {
  let db: TestDatabase;
  let backfills: BackfillsService;

  beforeAll(async () => {
    db = await createTestDatabase('backfill_pages');
    // Listing never asks for the catalogue.
    backfills = new BackfillsService(db.dataSource, {} as ProvidersService, { BACKFILL_MAX_DAYS_PER_REQUEST: 365, BACKFILL_STALL_SECONDS: 900 });
  });
  afterAll(async () => {
    await db.drop();
  });

  it('walks rows made within one millisecond (microseconds apart) one page at a time, none skipped or repeated', async () => {
    const [connection] = await db.dataSource.query(
      `INSERT INTO terra_connections (terra_user_id, provider, status) VALUES ('tu-pages', 'OURA', 'active') RETURNING connection_id`,
    );
    // Ids chosen against the time order, so a page that fell back to ordering by id within a millisecond would show it.
    const made = [
      ['ffffffff-0000-4000-8000-000000000001', '2026-11-30 10:00:00.123001+00'],
      ['00000000-0000-4000-8000-000000000002', '2026-11-30 10:00:00.123002+00'],
      ['88888888-0000-4000-8000-000000000003', '2026-11-30 10:00:00.123003+00'],
      ['11111111-0000-4000-8000-000000000004', '2026-11-30 10:00:00.124000+00'],
    ];
    for (const [id, at] of made) {
      await db.dataSource.query(
        `INSERT INTO backfills (id, connection_id, terra_user_id, provider, trigger, created_at) VALUES ($1, $2, 'tu-pages', 'OURA', 'api', $3)`,
        [id, connection.connection_id, at],
      );
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const { items, nextCursor } = await backfills.list('tu-pages', { limit: 1, cursor });
      seen.push(...items.map((item) => item.id));
      if (!nextCursor) break;
      cursor = nextCursor;
    }
    expect(seen).toEqual(made.map(([id]) => id).reverse());
  });
});
