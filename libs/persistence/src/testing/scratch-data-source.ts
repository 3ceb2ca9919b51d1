import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../data-source';
import { runMigrations } from '../migrator';

/**
 * Test-only (kept out of dist): libs/testing depends on this lib, so this lib's own suites make their scratch
 * database here, the same way createTestDatabase does.
 */
const ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface ScratchDataSource {
  dataSource: DataSource;
  drop(): Promise<void>;
}

export async function createScratchDataSource(label: string, { migrate }: { migrate: boolean }): Promise<ScratchDataSource> {
  const name = `tc_test_${label}_${randomBytes(3).toString('hex')}`;
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const dataSource = createDataSource({ url: url.toString(), poolSize: 2, applicationName: `test-${label}` });
  await dataSource.initialize();
  if (migrate) await runMigrations(dataSource);
  return {
    dataSource,
    async drop() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
