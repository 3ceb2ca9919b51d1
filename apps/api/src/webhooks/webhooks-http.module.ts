import { Module } from '@nestjs/common';
import { WEBHOOK_INGEST_PROVIDERS } from '@terra-connections/webhook-ingest';
import { WEBHOOK_PRODUCER_QUEUE } from '@terra-connections/queue';
import { ConnectionDataController } from './connection-data.controller';
import { dataReadBudgetProvider } from './data-read-budget';
import { ReconcileController } from './reconcile.controller';
import { TerraWebhookController } from './terra-webhook.controller';
import { WebhookEventsController } from './webhook-events.controller';

/**
 * Terra's webhook receiver (/webhooks/terra), the read-back routes (/v1/connections/:id/data|events) and
 * the inbox admin routes (/v1/webhook-events, /v1/admin/reconcile).
 */
@Module({
  controllers: [TerraWebhookController, ConnectionDataController, WebhookEventsController, ReconcileController],
  providers: [...WEBHOOK_INGEST_PROVIDERS, dataReadBudgetProvider],
  // For readiness and queue metrics (ops/): the connection webhooks are enqueued on.
  exports: [WEBHOOK_PRODUCER_QUEUE],
})
export class WebhooksHttpModule {}
