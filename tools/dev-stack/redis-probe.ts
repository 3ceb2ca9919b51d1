import Redis from 'ioredis';
import type { RedisProbe } from './infra-plan';

/** One PING with no retries: the answer decides whether we use this Redis or start one. */
export async function probeRedis(url: string): Promise<RedisProbe> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined); // reported through the rejected connect/ping below
  try {
    await client.connect();
    const answer = await client.ping();
    return answer === 'PONG' ? { state: 'ready' } : { state: 'unreachable', reason: `PING answered ${answer}` };
  } catch (error) {
    return { state: 'unreachable', reason: error instanceof Error ? error.message : String(error) };
  } finally {
    // quit() waits for the socket to close. After a refused connection the client has already ended, and
    // disconnect() would arm a 2 s timer on the dead socket that nothing clears.
    if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
    else if (client.status !== 'end') client.disconnect();
  }
}
