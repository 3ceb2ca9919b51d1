import type { Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { InboxWriter } from './inbox/inbox-writer';
import { TerraWebhookReceiver } from './inbox/terra-webhook.receiver';
import {
  createProducerQueue,
  MAINTENANCE_PRODUCER_QUEUE,
  MaintenanceEnqueuer,
  TERRA_MAINTENANCE_QUEUE,
  WEBHOOK_PRODUCER_QUEUE,
  WebhookEnqueuer,
} from '@terra-connections/queue';
import { HealthDataQuery } from './read/health-data.query';
import { WebhookEventsQuery } from './read/webhook-events.query';
import { WebhookReplayService } from './replay/webhook-replay.service';

/**
 * Everything the API needs for Terra's webhooks: receive (verify, store, enqueue), read back, replay.
 * The producer queue is its own fail-fast Redis connection (producer-queue.ts), closed by WebhookEnqueuer.
 */
export const WEBHOOK_INGEST_PROVIDERS: Provider[] = [
  { provide: WEBHOOK_PRODUCER_QUEUE, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createProducerQueue(config) },
  WebhookEnqueuer,
  {
    provide: MAINTENANCE_PRODUCER_QUEUE,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => createProducerQueue(config, TERRA_MAINTENANCE_QUEUE),
  },
  MaintenanceEnqueuer,
  InboxWriter,
  TerraWebhookReceiver,
  HealthDataQuery,
  WebhookEventsQuery,
  WebhookReplayService,
];
