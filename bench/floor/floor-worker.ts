/**
 * The floor's worker: a plain BullMQ Worker that reads (and marks) the inbox row and applies the same upserts in
 * one transaction. The row lock and the status check are kept: without them it would not be exactly once.
 */
import { Worker } from 'bullmq';
import { Pool, type PoolClient } from 'pg';
import { CONNECTION_UPSERT, HEALTH_DATA_UPSERT, READ_AND_MARK, SCOPES_UPDATE } from './floor-sql';

const env = process.env;
const CONCURRENCY = Number(env.WORKER_CONCURRENCY ?? 8);
const redis = new URL(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const pool = new Pool({ connectionString: env.DATABASE_URL, max: CONCURRENCY + 2, application_name: 'floor-worker' });

type Json = Record<string, unknown>;
const DATA_TYPES = new Set(['activity', 'sleep', 'body', 'daily', 'nutrition', 'menstruation']);
const SUMMARY_KEYED = new Set(['activity', 'sleep']);

async function applyEffect(client: PoolClient, id: string, type: string, payload: Json, eventAt: Date): Promise<void> {
  const user = (payload.user ?? {}) as Json;
  const userId = String(user.user_id);
  // Commas or white space separate Terra's scopes; blanks and repeats dropped (as the product's parser).
  const scopes = typeof user.scopes === 'string' ? [...new Set(user.scopes.split(/[\s,]+/).filter(Boolean))] : null;
  if (DATA_TYPES.has(type)) {
    // One statement for the event's items, one per key (the last copy), as the product.
    const byKey = new Map<string, (string | null)[]>();
    for (const item of (payload.data ?? []) as Json[]) {
      const metadata = (item.metadata ?? {}) as Json;
      const start = typeof metadata.start_time === 'string' ? metadata.start_time : null;
      const summaryId = SUMMARY_KEYED.has(type) ? String(metadata.summary_id) : null;
      const key = summaryId ?? start?.slice(0, 10);
      if (!key) continue;
      byKey.delete(key);
      byKey.set(key, [key, summaryId, start?.slice(0, 10) ?? null, start, typeof metadata.end_time === 'string' ? metadata.end_time : null, JSON.stringify(item)]);
    }
    if (byKey.size > 0) {
      const rows = [...byKey.values()];
      const column = (index: number) => rows.map((row) => row[index]);
      const texts = column(5) as string[];
      await client.query(HEALTH_DATA_UPSERT, [userId, type, column(0), column(1), column(2), column(3), column(4), texts, eventAt, id, texts.map((text) => Buffer.byteLength(text))]);
    }
  } else if (type === 'auth' && payload.status === 'success') {
    const live = [userId, payload.reference_id ?? null, user.provider ?? null, 'active', null, scopes, null, eventAt, null, eventAt, true, []];
    await client.query(CONNECTION_UPSERT, live);
  } else if (type === 'connection_error') {
    const ended = ['disconnected', 'revoked', 'replaced'];
    await client.query(CONNECTION_UPSERT, [userId, user.reference_id ?? null, user.provider ?? null, 'error', payload.message ?? null, null, null, eventAt, null, eventAt, true, ended]);
  } else if (type === 'permission_change' && scopes) {
    await client.query(SCOPES_UPDATE, [userId, scopes, eventAt]);
  }
}

async function apply(eventId: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const row = (await client.query(READ_AND_MARK, [eventId, 'processed', 'pending'])).rows[0] as
      | { type: string; payload: Json; event_at: Date; status: string }
      | undefined;
    if (row?.status === 'pending') await applyEffect(client, eventId, row.type, row.payload, row.event_at);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const worker = new Worker('terra-webhooks', (job) => apply(String((job.data as { eventId: string }).eventId)), {
  connection: { host: redis.hostname, port: Number(redis.port || 6379), maxRetriesPerRequest: null },
  prefix: env.QUEUE_PREFIX,
  concurrency: CONCURRENCY,
});
worker.on('error', () => undefined);

process.once('SIGTERM', () => {
  void worker
    .close()
    .then(() => pool.end())
    .finally(() => process.exit(0));
});
