import { setTimeout as sleep } from 'node:timers/promises';

/** Anything that runs SQL: a DataSource, an EntityManager, a QueryRunner. */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * The event-writer lock `tc_next_event_id()` takes (shared, until the writing transaction ends) before it
 * draws an event id: migration 1764000013000. The pair is next to the pruners' advisory lock ids.
 */
export const EVENT_WRITER_LOCK = { classId: 7_104_311, objId: 13 } as const;

const WRITER_LOCKS = `FROM pg_locks WHERE locktype = 'advisory' AND classid = ${EVENT_WRITER_LOCK.classId} AND objid = ${EVENT_WRITER_LOCK.objId}
  AND objsubid = 2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND pid <> pg_backend_pid()`;

export interface EventHorizonOptions {
  /** How long to wait for the event writers in flight to end; they hold the lock for their last statements only. */
  waitMs: number;
  /** The first pause; each next one doubles, up to 50 ms. */
  pollMs?: number;
}

/**
 * The largest event id below which the feed is settled: every id up to it that will ever be visible is
 * visible now, so a reader that moves past it never misses an event committed later. Null when writers
 * still held ids below it after `waitMs` (show nothing new this time).
 *
 * Why it holds: ids come from the sequence only after the writer lock is taken. Read the sequence's last
 * value S, then the transactions holding the lock. An id <= S was drawn before S was read, so its
 * transaction has ended or is among those holders (a holder not yet past the draw will draw above S).
 * Postgres releases a transaction's locks after its commit is visible, so once those holders are gone every
 * id <= S is settled. Unlike the snapshot's xmin, only event writers can hold the feed back, not some long
 * transaction elsewhere on the server. Must run in READ COMMITTED (each statement a fresh snapshot).
 */
export async function settledEventHorizon(db: Queryable, options: EventHorizonOptions): Promise<string | null> {
  const [sequence] = (await db.query(`SELECT last_value::text AS last, is_called FROM events_id_seq`)) as { last: string; is_called: boolean }[];
  const settled = sequence.is_called ? sequence.last : (BigInt(sequence.last) - 1n).toString();
  const [{ holders }] = (await db.query(`SELECT COALESCE(array_agg(virtualtransaction), '{}') AS holders ${WRITER_LOCKS}`)) as {
    holders: string[];
  }[];
  if (holders.length === 0) return settled;
  const deadline = Date.now() + options.waitMs;
  // Writers usually end within a few ms; a longer one is polled less often (pg_locks reads every lock partition).
  for (let pause = options.pollMs ?? 2; ; pause = Math.min(pause * 2, 50)) {
    await sleep(pause);
    const [{ running }] = (await db.query(`SELECT count(*)::int AS running ${WRITER_LOCKS} AND virtualtransaction = ANY($1::text[])`, [
      holders,
    ])) as { running: number }[];
    if (running === 0) return settled;
    if (Date.now() >= deadline) return null;
  }
}
