import { Module } from '@nestjs/common';
import { ObservabilityHealthModule } from '@terra-connections/observability';
import { WebhooksHttpModule } from '../webhooks/webhooks-http.module';
import { ApiMetricsCollectors } from './api-metrics.collectors';
import { HealthController } from './health.controller';
import { HttpDrain } from './http-drain.service';
import { MetricsController } from './metrics.controller';

/** What operators and orchestrators use: /health/live, /health/ready, /metrics, and the drain on SIGTERM. */
@Module({
  // WebhooksHttpModule exports the producer queue: readiness and queue metrics use that connection.
  imports: [ObservabilityHealthModule, WebhooksHttpModule],
  controllers: [HealthController, MetricsController],
  providers: [ApiMetricsCollectors, HttpDrain],
})
export class OpsHttpModule {}
