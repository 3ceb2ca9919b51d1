import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';

export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const QUEUE_NAME = 'terra-webhooks';

const live = new Set<string>();

export function redisOptions(): { host: string; port: number; maxRetriesPerRequest: null } {
  const url = new URL(REDIS_URL);
  return { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null };
}

/** A BullMQ prefix of our own per system and phase, so nothing we enqueue meets anyone else's jobs. */
export function newQueuePrefix(label: string): string {
  const prefix = `tcbench-${label}-${randomBytes(3).toString('hex')}`;
  live.add(prefix);
  return prefix;
}

/** Obliterates the queue, then unlinks whatever else lives under the prefix (schedulers, metrics). */
export async function purgeQueuePrefix(prefix: string): Promise<void> {
  const queue = new Queue(QUEUE_NAME, { connection: redisOptions(), prefix });
  try {
    await queue.obliterate({ force: true, count: 5_000 });
  } finally {
    await queue.close();
  }
  const redis = new IORedis(redisOptions());
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  live.delete(prefix);
}

export async function purgeAllQueuePrefixes(): Promise<void> {
  for (const prefix of [...live]) await purgeQueuePrefix(prefix).catch(() => undefined);
}

/** INFO fields as numbers (used_memory, used_cpu_user...). */
export async function redisInfo(redis: IORedis, section: string): Promise<Record<string, number>> {
  const text = await redis.info(section);
  const out: Record<string, number> = {};
  for (const line of text.split('\r\n')) {
    const [key, value] = line.split(':');
    if (key && value !== undefined && value !== '' && !Number.isNaN(Number(value))) out[key] = Number(value);
  }
  return out;
}
