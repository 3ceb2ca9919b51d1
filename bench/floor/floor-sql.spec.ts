import { CONNECTION_SCOPES_CHANGE, CONNECTION_STATUS_UPSERT } from '@terra-connections/connections';
import { HEALTH_DATA_UPSERT, MARK_PROCESSED_SET } from '@terra-connections/webhook-apply';
import { INSERT_INBOX_ROW } from '@terra-connections/webhook-ingest';
import * as floor from './floor-sql';

/** Whitespace runs are layout, not SQL: the floor may format its copy its own way. */
const normalised = (sql: string) => sql.replace(/\s+/g, ' ').trim();

/**
 * The floor measures the cheapest implementation of the product's own statements, so each copy must stay the
 * product's text: the status upsert once drifted (it lacked scopes_changed_at) and the floor measured less
 * work than the product did. The read is deliberately different (see READ_AND_MARK).
 */
describe('the bench floor runs the product\'s statements', () => {
  it.each([
    ['inbox insert', floor.INBOX_INSERT, INSERT_INBOX_ROW.text],
    ['health-data upsert', floor.HEALTH_DATA_UPSERT, HEALTH_DATA_UPSERT.text],
    ['status upsert', floor.CONNECTION_UPSERT, CONNECTION_STATUS_UPSERT.text],
    ['scopes update', floor.SCOPES_UPDATE, CONNECTION_SCOPES_CHANGE.text],
    ['mark processed', floor.MARK_PROCESSED_SET, MARK_PROCESSED_SET],
  ])('%s', (_statement, floorSql, productSql) => {
    expect(normalised(floorSql)).toBe(normalised(productSql));
  });

  it('marks its rows with that SET', () => {
    expect(floor.READ_AND_MARK).toContain(`SET ${floor.MARK_PROCESSED_SET} FROM r`);
  });

  it('keeps the status upsert\'s scopes ordering (scopes_changed_at), the column it once lacked', () => {
    expect(floor.CONNECTION_UPSERT).toMatch(/scopes_changed_at = CASE WHEN/);
  });
});
