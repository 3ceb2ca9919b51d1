import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { QueueErrorLogger } from './queue-error.logger';
import { TERRA_BACKFILL_QUEUE, TERRA_MAINTENANCE_QUEUE, TERRA_WEBHOOK_QUEUE } from './webhook-queue.contract';

export function redisConnectionOptions(redisUrl: string) {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username || undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined,
    tls: url.protocol === 'rediss:' ? {} : undefined,
    // BullMQ workers need blocking commands to wait forever; producers fail fast instead (see enableOfflineQueue).
    maxRetriesPerRequest: null,
    // Close promptly on shutdown instead of waiting ioredis' default 2 s for replies that will never come.
    disconnectTimeout: 200,
  };
}

/** Registers the shared Redis connection and the webhook queue; used by the API (producer) and the worker. */
@Module({})
export class WebhookQueueModule {
  static forRoot(): DynamicModule {
    return {
      module: WebhookQueueModule,
      imports: [
        BullModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            connection: redisConnectionOptions(config.REDIS_URL),
            prefix: config.QUEUE_PREFIX,
          }),
        }),
        BullModule.registerQueue({ name: TERRA_WEBHOOK_QUEUE }, { name: TERRA_MAINTENANCE_QUEUE }, { name: TERRA_BACKFILL_QUEUE }),
      ],
      providers: [QueueErrorLogger],
      exports: [BullModule],
    };
  }
}
