import type { DataSource } from 'typeorm';

/** Arbitrary constant: the advisory lock that serialises concurrent migrators (two deploys at once). */
const MIGRATION_LOCK_ID = 7_104_311_002;

/** Runs pending migrations under a Postgres advisory lock; returns the names applied. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await runner.release();
  }
}

/** Names of migrations that exist in code but not in the database. */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const executed = new Set<string>();
  // A query runner holds a pooled connection until released; readiness probes call this every few seconds.
  const runner = dataSource.createQueryRunner();
  let hasTable: boolean;
  try {
    hasTable = await runner.hasTable('typeorm_migrations');
  } finally {
    await runner.release();
  }
  if (hasTable) {
    const rows: { name: string }[] = await dataSource.query('SELECT name FROM typeorm_migrations');
    rows.forEach((row) => executed.add(row.name));
  }
  return dataSource.migrations.map((m) => m.name ?? m.constructor.name).filter((name) => !executed.has(name));
}

export class SchemaBehindError extends Error {
  constructor(readonly pending: string[]) {
    super(`Database schema is behind: ${pending.length} migration(s) pending (${pending.join(', ')}). Run \`npm run db:migrate\`.`);
    this.name = 'SchemaBehindError';
  }
}

/** Apps call this at boot: they refuse to run on a schema older than their code. */
export async function assertSchemaCurrent(dataSource: DataSource): Promise<void> {
  const pending = await pendingMigrations(dataSource);
  if (pending.length > 0) throw new SchemaBehindError(pending);
}

/** SQL that would bring the database in line with the entities: empty when migrations and entities agree. */
export async function schemaDrift(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((query) => query.query);
}
