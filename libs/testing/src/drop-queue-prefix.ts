import Redis from 'ioredis';

/**
 * Deletes every Redis key under a test's BullMQ prefix: `obliterate` leaves schedulers, metrics and meta keys
 * behind, and on a shared Redis those would pile up run after run.
 */
export async function dropQueuePrefix(redisUrl: string, prefix: string): Promise<number> {
  if (!prefix.startsWith('tctest-')) throw new Error(`refusing to drop a non-test prefix: ${prefix}`);
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
