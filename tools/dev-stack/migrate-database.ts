import { createDataSource, runMigrations } from '@terra-connections/persistence';

/** Applies pending migrations; returns the names applied. Two connections: one holds the migrator's advisory lock. */
export async function migrateDatabase(url: string): Promise<string[]> {
  const dataSource = createDataSource({ url, poolSize: 2, applicationName: 'terra-connections-dev-stack' });
  await dataSource.initialize();
  try {
    return await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
