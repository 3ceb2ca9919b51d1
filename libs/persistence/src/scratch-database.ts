import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from './data-source';
import { runMigrations } from './migrator';

/**
 * A throwaway database beside a server's admin database, for work that must not share one: each test suite
 * (suites run side by side on one Postgres), each benchmark phase. Not used by the apps.
 */
export interface ScratchDatabase {
  name: string;
  url: string;
  /** Open on `url`; closed by drop(). */
  dataSource: DataSource;
  /** Closes the DataSource, then drops the database even if a connection is still open elsewhere. */
  drop(): Promise<void>;
}

export interface ScratchDatabaseOptions {
  /** A database on the server (`.../postgres`) to run CREATE and DROP DATABASE from. */
  adminUrl: string;
  /** `tc_test`, `tc_bench`: says who left a database behind, should one be left. */
  prefix: string;
  label: string;
  poolSize: number;
  applicationName: string;
  /** The real migrations, never `synchronize`: what runs on it is the schema we ship. */
  migrate: boolean;
}

export async function createScratchDatabase(options: ScratchDatabaseOptions): Promise<ScratchDatabase> {
  const name = `${options.prefix}_${options.label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(3).toString('hex')}`;
  await adminQuery(options.adminUrl, `CREATE DATABASE "${name}"`);
  const url = databaseUrlFor(options.adminUrl, name);
  const dataSource = createDataSource({ url, poolSize: options.poolSize, applicationName: options.applicationName });
  const drop = async () => {
    if (dataSource.isInitialized) await dataSource.destroy();
    await dropDatabase(options.adminUrl, name);
  };
  try {
    await dataSource.initialize();
    if (options.migrate) await runMigrations(dataSource);
  } catch (error) {
    await drop();
    throw error;
  }
  return { name, url, dataSource, drop };
}

/** `adminUrl` (same server and credentials) pointed at database `name`. */
export function databaseUrlFor(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** DROP DATABASE ... WITH (FORCE): a connection a crashed process left open never keeps it alive. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
