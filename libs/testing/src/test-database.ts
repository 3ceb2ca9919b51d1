import { createScratchDatabase, type ScratchDatabase } from '@terra-connections/persistence';

export const TEST_PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Migrated with the real migrations; its DataSource is closed by drop(). */
export type TestDatabase = ScratchDatabase;

/**
 * A fresh database per suite (suites run side by side), migrated with the real migrations: never
 * `synchronize`, so every test also exercises the schema we ship.
 */
export function createTestDatabase(suite: string): Promise<TestDatabase> {
  return createScratchDatabase({ adminUrl: TEST_PG_ADMIN_URL, prefix: 'tc_test', label: suite, poolSize: 4, applicationName: `test-${suite}`, migrate: true });
}
