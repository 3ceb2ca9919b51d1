import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from './data-source';
import { preparedStatement, queryPrepared, queryPreparedOnPool } from './prepared-statement';

// libs/testing depends on this lib, so this suite makes its own scratch database (no tables needed).
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

describe('prepared statements (real Postgres)', () => {
  const name = `tc_test_prepared_${randomBytes(3).toString('hex')}`;
  const db = {} as { dataSource: DataSource };

  beforeAll(async () => {
    await admin(`CREATE DATABASE "${name}"`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    db.dataSource = createDataSource({ url: url.toString(), poolSize: 2, applicationName: 'test-prepared' });
    await db.dataSource.initialize();
  });

  afterAll(async () => {
    if (db.dataSource?.isInitialized) await db.dataSource.destroy();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  const ADD = preparedStatement('tc_test_add', 'SELECT $1::int + $2::int AS sum');
  const prepared = `SELECT name FROM pg_prepared_statements WHERE name = 'tc_test_add'`;

  it('runs in the transaction, and is prepared once on its connection', async () => {
    const seen = await db.dataSource.transaction(async (tx) => {
      const sums = [await queryPrepared<{ sum: number }>(tx, ADD, [1, 2]), await queryPrepared<{ sum: number }>(tx, ADD, [3, 4])];
      return { sums: sums.map((rows) => rows[0].sum), prepared: await tx.query(prepared) };
    });
    expect(seen).toEqual({ sums: [3, 7], prepared: [{ name: 'tc_test_add' }] });
  });

  it('rolls back with its transaction', async () => {
    await db.dataSource.query(`CREATE TABLE prepared_probe (n int)`);
    const insert = preparedStatement('tc_test_probe_insert', 'INSERT INTO prepared_probe (n) VALUES ($1)');
    await expect(
      db.dataSource.transaction(async (tx) => {
        await queryPrepared(tx, insert, [1]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await db.dataSource.query(`SELECT n FROM prepared_probe`)).toEqual([]);
  });

  it('runs on the pool, and surfaces pg errors with their SQLSTATE', async () => {
    expect(await queryPreparedOnPool<{ sum: number }>(db.dataSource, ADD, [20, 22])).toEqual([{ sum: 42 }]);
    await expect(queryPreparedOnPool(db.dataSource, ADD, ['x', 1])).rejects.toMatchObject({ code: '22P02' });
  });

  it('refuses one name for two statements, and needs a transaction', async () => {
    expect(() => preparedStatement('tc_test_add', 'SELECT 1')).toThrow(/declared twice/);
    await expect(queryPrepared(db.dataSource.manager, ADD, [1, 1])).rejects.toThrow(/needs the EntityManager of a transaction/);
  });
});
