import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../data-source';
import { runMigrations } from '../migrator';
import { MIGRATIONS } from '../migrations';
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

/**
 * A migration's own test: builds the schema of every migration before `migrationName` on `scratch` (created
 * with `migrate: false`), lets `seed` write rows of that shape, then runs the rest on the scratch's own data
 * source. Returns the names of the migrations that ran last: this one and every later one.
 */
export async function migrateAcross(scratch: ScratchDataSource, migrationName: string, seed: (previous: DataSource) => Promise<unknown>): Promise<string[]> {
  const index = MIGRATIONS.findIndex((migration) => migration.name === migrationName);
  if (index <= 0) throw new Error(`${migrationName} is not a migration after the first`);
  const url = (scratch.dataSource.options as { url: string }).url;
  const previous = new DataSource({ ...dataSourceOptions({ url, poolSize: 2 }), migrations: MIGRATIONS.slice(0, index) });
  await previous.initialize();
  try {
    await runMigrations(previous);
    await seed(previous);
  } finally {
    await previous.destroy();
  }
  return runMigrations(scratch.dataSource);
}
