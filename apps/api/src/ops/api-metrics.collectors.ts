import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { MetricsService, registerConnectionHealthMetrics, registerConnectionMetrics, registerQueueMetrics } from '@terra-connections/observability';
import { WEBHOOK_PRODUCER_QUEUE } from '@terra-connections/queue';

/**
 * The API's scrape-time gauges: queue depth (on the fail-fast producer connection, so a scrape during a
 * Redis outage answers quickly without those series), connections by provider and status, and connection
 * health (stale connections, the oldest silence, drift corrections), all cached 15 s.
 */
@Injectable()
export class ApiMetricsCollectors implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly dataSource: DataSource,
    @Inject(WEBHOOK_PRODUCER_QUEUE) private readonly queue: Queue,
  ) {}

  onModuleInit(): void {
    registerQueueMetrics(this.metrics, this.queue);
    registerConnectionMetrics(this.metrics, this.dataSource);
    registerConnectionHealthMetrics(this.metrics, this.dataSource);
  }
}
