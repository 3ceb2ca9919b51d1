import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@terra-connections/testing';
import { DataReadBusyError, InvalidPageCursorError } from '../webhook-ingest.errors';
import { encodeCursor } from './page-cursor';
import { WebhookEventsQuery } from './webhook-events.query';
import { HealthDataQuery, PAGE_STORED_BYTES } from './health-data.query';

const MB = 1024 * 1024;

/**
 * issue 12: a signed webhook can store items of tens of MB, so a page of `limit` items could make the API hold
 * gigabytes for one response. Pages stop at PAGE_STORED_BYTES of stored items (the first item always), and the
 * cursor goes on from there: every item once, in order.
 */
describe('HealthDataQuery pages by stored bytes as well as by count (real Postgres)', () => {
  let db: TestDatabase;
  let query: HealthDataQuery;
  const sizes = [1.5, 1.5, 1.5, 6, 0.001, 0.001, 1.5];

  beforeAll(async () => {
    db = await createTestDatabase('health_data_pages');
    query = new HealthDataQuery(db.dataSource);
    await db.dataSource.query(`INSERT INTO terra_connections (terra_user_id, reference_id, provider, status) VALUES ('big-user', 'ref', 'GARMIN', 'active')`);
    for (const [index, size] of sizes.entries()) {
      // Random base64 hardly compresses, so the stored size follows the item's size.
      const payload = JSON.stringify({ metadata: { summary_id: `s${index}` }, blob: randomBytes(Math.ceil(size * MB * 0.75)).toString('base64') });
      await db.dataSource.query(
        `INSERT INTO health_data (connection_id, terra_user_id, type, data_key, summary_id, start_time, payload, event_at)
         SELECT connection_id, terra_user_id, 'activity', $1, $1, $2, $3::jsonb, now() FROM terra_connections WHERE terra_user_id = 'big-user'`,
        [`s${index}`, new Date(Date.UTC(2026, 0, 1 + index)).toISOString(), payload],
      );
    }
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('returns every item once, in order, in pages no larger than the budget unless one item alone is', async () => {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await query.list('big-user', { limit: 50, cursor });
      pages.push(page.items.map((item) => item.summaryId ?? ''));
      const stored: { bytes: number }[] = await db.dataSource.query(
        `SELECT COALESCE(sum(pg_column_size(payload)), 0)::int AS bytes FROM health_data WHERE summary_id = ANY($1)`,
        [pages[pages.length - 1]],
      );
      if (page.items.length > 1) expect(stored[0].bytes).toBeLessThanOrEqual(PAGE_STORED_BYTES + 2 * MB);
      expect(page.items.every((item) => item.payload !== null)).toBe(true);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && pages.length < 20);

    expect(pages.flat()).toEqual(sizes.map((_, index) => `s${index}`));
    expect(pages.length).toBeGreaterThan(2);
    // The 6 MB item, past the budget on its own, is a page by itself.
    expect(pages).toContainEqual(['s3']);
  });

  it('still pages by count when the items are small', async () => {
    const page = await query.list('big-user', { limit: 1 });
    expect(page.items.map((item) => item.summaryId)).toEqual(['s0']);
    expect(page.nextCursor).not.toBeNull();
  });

  it('pages on the size as JSON text, not the compressed stored size: items of one repeated character', async () => {
    // 3 MB of 'A' is stored in a few KB; written as the worker writes it, with its text size.
    for (let index = 0; index < 4; index += 1) {
      const payload = JSON.stringify({ metadata: { summary_id: `z${index}` }, blob: 'A'.repeat(3 * MB) });
      await db.dataSource.query(
        `INSERT INTO health_data (connection_id, terra_user_id, type, data_key, summary_id, start_time, payload, payload_bytes, event_at)
         SELECT connection_id, terra_user_id, 'sleep', $1, $1, $2, $3::jsonb, $4, now() FROM terra_connections WHERE terra_user_id = 'big-user'`,
        [`z${index}`, new Date(Date.UTC(2027, 0, 1 + index)).toISOString(), payload, Buffer.byteLength(payload)],
      );
    }
    const stored: { bytes: number }[] = await db.dataSource.query(`SELECT max(pg_column_size(payload))::int AS bytes FROM health_data WHERE type = 'sleep'`);
    expect(stored[0].bytes).toBeLessThan(MB / 4);
    const page = await query.list('big-user', { type: 'sleep', limit: 50 });
    expect(page.items.map((item) => item.summaryId)).toEqual(['z0', 'z1']);
    expect(page.nextCursor).not.toBeNull();
  });

  it("reserves a page's bytes in the read budget before reading its payloads, and refuses a page the budget cannot take", async () => {
    const reserved: number[] = [];
    const roomy = { tryReserve: (bytes: number) => (reserved.push(bytes), true), release: () => undefined };
    const page = await query.list('big-user', { limit: 3 }, roomy);
    const [{ bytes }]: { bytes: number }[] = await db.dataSource.query(
      `SELECT sum(COALESCE(payload_bytes, pg_column_size(payload)))::int AS bytes FROM health_data WHERE summary_id = ANY($1)`,
      [page.items.map((item) => item.summaryId)],
    );
    expect(reserved).toEqual([bytes]);
    expect(page.reservedBytes).toBe(bytes);

    const full = { tryReserve: () => false, release: () => undefined };
    await expect(query.list('big-user', { limit: 3 }, full)).rejects.toBeInstanceOf(DataReadBusyError);
  });

  it("refuses a forged /data cursor before Postgres sees it, and a /data cursor given to another list", async () => {
    for (const s of ['9999-99-99 00:00:00+00', '2026-02-30 00:00:00+00', 'yesterday']) {
      await expect(query.list('big-user', { limit: 1, cursor: encodeCursor({ s, i: '4' }) })).rejects.toBeInstanceOf(InvalidPageCursorError);
    }
    const page = await query.list('big-user', { limit: 1 });
    expect(page.nextCursor).not.toBeNull();
    await expect(query.list('big-user', { limit: 1, cursor: page.nextCursor! })).resolves.toMatchObject({ items: [expect.anything()] });
    await expect(new WebhookEventsQuery(db.dataSource).byStatus(undefined, { limit: 5, cursor: page.nextCursor! })).rejects.toBeInstanceOf(InvalidPageCursorError);
  });
});
