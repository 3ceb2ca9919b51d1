import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { createDataSource, runMigrations } from '@terra-connections/persistence';

export const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const live = new Set<BenchDatabase>();

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh database per system and phase, migrated with the product's own migrations, dropped after. */
export class BenchDatabase {
  readonly pool: Pool;

  private constructor(
    readonly name: string,
    readonly url: string,
  ) {
    this.pool = new Pool({ connectionString: url, max: 4, application_name: 'terra-bench' });
    live.add(this);
  }

  static async create(label: string): Promise<BenchDatabase> {
    const name = `tc_bench_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(3).toString('hex')}`;
    await admin(`CREATE DATABASE "${name}"`);
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    const db = new BenchDatabase(name, url.toString());
    const dataSource = createDataSource({ url: db.url, poolSize: 2, applicationName: 'terra-bench-migrate' });
    try {
      await dataSource.initialize();
      await runMigrations(dataSource);
    } catch (error) {
      await db.drop();
      throw error;
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy();
    }
    return db;
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
    await admin(`DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`);
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
