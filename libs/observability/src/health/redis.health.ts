import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { RedisClient } from 'bullmq';
import type { Redis } from 'ioredis';
import { withDeadline } from '../with-deadline';

export const HEALTH_PING_TIMEOUT_MS = 1_500;

/** BullMQ's client interface leaves PING out; its connections are ioredis clients, which have it. */
export function pingRedis(client: RedisClient): Promise<string> {
  return withDeadline((client as unknown as Pick<Redis, 'ping'>).ping(), HEALTH_PING_TIMEOUT_MS, 'Redis');
}

/** `PING` on a connection the process really uses, bounded: a hung Redis is as unready as a refusing one. */
@Injectable()
export class RedisHealthIndicator {
  constructor(private readonly health: HealthIndicatorService) {}

  async pingCheck<K extends string>(key: K, client: Promise<RedisClient>): Promise<HealthIndicatorResult<K>> {
    const indicator = this.health.check(key);
    try {
      const redis = await withDeadline(client, HEALTH_PING_TIMEOUT_MS, 'Redis');
      if (redis.status !== 'ready') return indicator.down({ message: `connection is ${redis.status}` });
      await pingRedis(redis);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
