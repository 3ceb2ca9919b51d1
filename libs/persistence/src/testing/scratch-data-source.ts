import { createScratchDatabase, type ScratchDatabase } from '../scratch-database';

/**
 * Test-only (kept out of dist): libs/testing depends on this lib, so this lib's own suites cannot use its
 * createTestDatabase and make their scratch database here, from the same admin URL.
 */
const ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type ScratchDataSource = Pick<ScratchDatabase, 'dataSource' | 'drop'>;

export function createScratchDataSource(label: string, { migrate }: { migrate: boolean }): Promise<ScratchDataSource> {
  return createScratchDatabase({ adminUrl: ADMIN_URL, prefix: 'tc_test', label, poolSize: 2, applicationName: `test-${label}`, migrate });
}
