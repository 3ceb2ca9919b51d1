import { Pool } from 'pg';
import { createScratchDatabase, type ScratchDatabase } from '@terra-connections/persistence';

export const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const live = new Set<BenchDatabase>();

/** A fresh database per system and phase, migrated with the product's own migrations, dropped after. */
export class BenchDatabase {
  readonly pool: Pool;

  private constructor(private readonly scratch: ScratchDatabase) {
    this.pool = new Pool({ connectionString: scratch.url, max: 4, application_name: 'terra-bench' });
    live.add(this);
  }

  get name(): string {
    return this.scratch.name;
  }

  get url(): string {
    return this.scratch.url;
  }

  static async create(label: string): Promise<BenchDatabase> {
    const scratch = await createScratchDatabase({
      adminUrl: PG_ADMIN_URL,
      prefix: 'tc_bench',
      label,
      poolSize: 2,
      applicationName: 'terra-bench-migrate',
      migrate: true,
    });
    // Migrated: its connections go, so the systems under test meet an idle database.
    await scratch.dataSource.destroy();
    return new BenchDatabase(scratch);
  }

  async query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(sql, params)).rows;
  }

  async one<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
    return (await this.query<T>(sql, params))[0];
  }

  /** Pids of this database's Postgres backends (the apps' pools), for CPU sampling. */
  async backendPids(): Promise<number[]> {
    const rows = await this.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [this.name]);
    return rows.map((row) => row.pid);
  }

  async drop(): Promise<void> {
    if (!live.delete(this)) return;
    await this.pool.end().catch(() => undefined);
    await this.scratch.drop();
  }
}

export async function dropAllDatabases(): Promise<void> {
  for (const db of [...live]) await db.drop().catch(() => undefined);
}

/** Postgres' own background processes (WAL writer, checkpointer...): their CPU is part of every write. */
export async function postgresBackgroundPids(db: BenchDatabase): Promise<number[]> {
  const rows = await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE backend_type <> 'client backend'`);
  return rows.map((row) => row.pid);
}
