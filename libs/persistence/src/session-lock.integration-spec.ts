import { LOCK_HELD, withSessionLock } from './session-lock';
import { createScratchDataSource, type ScratchDataSource } from './testing/scratch-data-source';

const LOCK_ID = 734_201;

/** The session lock of the periodic jobs on real Postgres: one run at a time, and given back however a run ends. */
describe('withSessionLock (real Postgres)', () => {
  let db: ScratchDataSource;

  beforeAll(async () => {
    db = await createScratchDataSource('session_lock', { migrate: false });
  });
  afterAll(async () => {
    await db.drop();
  });

  it('answers LOCK_HELD while another run holds it, and runs once it is free', async () => {
    let release!: () => void;
    const holding = withSessionLock(db.dataSource, LOCK_ID, () => new Promise<string>((resolve) => (release = () => resolve('first'))));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await withSessionLock(db.dataSource, LOCK_ID, async () => 'second')).toBe(LOCK_HELD);
    release();
    expect(await holding).toBe('first');
    expect(await withSessionLock(db.dataSource, LOCK_ID, async () => 'third')).toBe('third');
  });

  it('gives the lock back when the run fails inside a transaction it left open and aborted', async () => {
    const failing = withSessionLock(db.dataSource, LOCK_ID, async (runner) => {
      await runner.startTransaction();
      await runner.query('SELECT 1/0');
    });
    await expect(failing).rejects.toThrow(/division by zero/);
    expect(await withSessionLock(db.dataSource, LOCK_ID, async () => 'next')).toBe('next');
    expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = $1`, [LOCK_ID])).toEqual([{ n: 0 }]);
  });
});
