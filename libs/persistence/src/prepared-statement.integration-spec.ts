import { preparedStatement, queryPrepared, queryPreparedOnPool } from './prepared-statement';
import { createScratchDataSource, type ScratchDataSource } from './testing/scratch-data-source';

describe('prepared statements (real Postgres)', () => {
  let db: ScratchDataSource;

  beforeAll(async () => {
    db = await createScratchDataSource('prepared', { migrate: false });
  });

  afterAll(async () => {
    await db?.drop();
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

  it('recovers when a migration changes the type of a column it returns', async () => {
    await db.dataSource.query(`CREATE TABLE widened (id int PRIMARY KEY, provider varchar(8))`);
    await db.dataSource.query(`INSERT INTO widened VALUES (1, 'OURA')`);
    const read = preparedStatement('tc_test_widened_read', 'SELECT provider FROM widened WHERE id = $1');
    const inTx = () => db.dataSource.transaction((tx) => queryPrepared<{ provider: string }>(tx, read, [1]));
    expect(await queryPreparedOnPool(db.dataSource, read, [1])).toEqual([{ provider: 'OURA' }]);
    expect(await inTx()).toEqual([{ provider: 'OURA' }]);
    await db.dataSource.query(`ALTER TABLE widened ALTER COLUMN provider TYPE varchar(64)`);

    // Inside a transaction: that one fails (a job's retry follows), the next runs on a fresh connection.
    const attempts: unknown[] = [];
    for (let i = 0; i < 3; i += 1) attempts.push(await inTx().catch((error: { code?: string }) => error.code));
    expect(attempts).toEqual(['0A000', [{ provider: 'OURA' }], [{ provider: 'OURA' }]]);

    // Outside one: the stale connection is dropped and the statement prepared again at once.
    await db.dataSource.query(`ALTER TABLE widened ALTER COLUMN provider TYPE varchar(128)`);
    expect(await queryPreparedOnPool(db.dataSource, read, [1])).toEqual([{ provider: 'OURA' }]);
  });

  it('refuses one name for two statements, and needs a transaction', async () => {
    expect(() => preparedStatement('tc_test_add', 'SELECT 1')).toThrow(/declared twice/);
    await expect(queryPrepared(db.dataSource.manager, ADD, [1, 1])).rejects.toThrow(/needs the EntityManager of a transaction/);
  });
});
