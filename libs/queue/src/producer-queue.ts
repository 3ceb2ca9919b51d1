import { Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { AppConfig } from '@terra-connections/config';
import { redisConnectionOptions } from './queue.module';
import { throttledWarning } from './throttled-warning';
import { TERRA_WEBHOOK_QUEUE } from './webhook-queue.contract';

/** Injection token of the API's producer-side Queue (see createProducerQueue). */
export const WEBHOOK_PRODUCER_QUEUE = Symbol('WEBHOOK_PRODUCER_QUEUE');

/**
 * A Queue for the request path that fails fast when Redis is down. ioredis otherwise parks every command in
 * its offline queue until Redis returns (unbounded memory, and an add that never settles); with the offline
 * queue off a command on a broken connection rejects at once. The inbox row is already committed by then,
 * so the sweeper enqueues it later: a Redis outage delays events, it never drops them.
 */
export function createProducerQueue(config: Pick<AppConfig, 'REDIS_URL' | 'QUEUE_PREFIX'>, name: string = TERRA_WEBHOOK_QUEUE): Queue {
  const queue = new Queue(name, {
    // disconnectTimeout: ioredis arms a timer per close that only a live socket clears; after an outage
    // there is none, and the default 2 s would hold the process open that long on shutdown.
    connection: {
      ...redisConnectionOptions(config.REDIS_URL),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      disconnectTimeout: 200,
    },
    prefix: config.QUEUE_PREFIX,
  });
  const warn = throttledWarning(new Logger('WebhookProducerQueue'));
  queue.on('error', (error: Error) => warn(`Redis unavailable for the webhook producer: ${error.message}`));
  return queue;
}
