import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { BenchDatabase } from '../infra/bench-database';
import { mean } from './phase-context';

/** Polls the pending count (a partial index, so cheap); closed-loop senders wait while it is at the cap. */
export class BacklogGate {
  private pending = 0;
  private readonly samples: number[] = [];
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly db: BenchDatabase,
    private readonly cap: number,
  ) {
    this.loop = this.poll();
  }

  private async poll(): Promise<void> {
    while (!this.stopped) {
      this.pending = (await this.db.one<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_events WHERE status = 'pending'`)).n;
      this.samples.push(this.pending);
      await sleep(20);
    }
  }

  readonly open = () => this.pending < this.cap;

  async stop(): Promise<number> {
    this.stopped = true;
    await this.loop;
    return mean(this.samples);
  }
}

export async function drain(db: BenchDatabase, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { n } = await db.one<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_events WHERE status = 'pending'`);
    if (n === 0) return;
    if (Date.now() > deadline) throw new Error(`drain timed out with ${n} inbox rows still pending`);
    await sleep(50);
  }
}

/** Installs a commit-time signal: Postgres delivers NOTIFY only when the transaction that applied the row commits. */
export async function listenForVisibility(db: BenchDatabase): Promise<{ visibleAt: Map<string, number>; close: () => Promise<void> }> {
  await db.query(`CREATE FUNCTION bench_notify_processed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_notify('bench_processed', NEW.id::text); RETURN NULL; END $$`);
  await db.query(`CREATE TRIGGER bench_processed AFTER UPDATE OF status ON webhook_events FOR EACH ROW
    WHEN (NEW.status = 'processed' AND OLD.status IS DISTINCT FROM 'processed') EXECUTE FUNCTION bench_notify_processed()`);
  const client = new Client({ connectionString: db.url, application_name: 'terra-bench-listen' });
  await client.connect();
  const visibleAt = new Map<string, number>();
  client.on('notification', (message) => visibleAt.set(String(message.payload), Date.now()));
  await client.query('LISTEN bench_processed');
  return { visibleAt, close: () => client.end() };
}
