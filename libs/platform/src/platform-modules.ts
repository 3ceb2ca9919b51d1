import type { DynamicModule, Type } from '@nestjs/common';
import { AppConfigModule, type AppConfig } from '@terra-connections/config';
import { LoggingModule, MetricsModule } from '@terra-connections/observability';
import { PersistenceModule } from '@terra-connections/persistence';
import { WebhookQueueModule } from '@terra-connections/queue';

/** The two deployables built on the same libs: they name their logs and their Postgres connections. */
export type Deployable = 'api' | 'worker';

/**
 * What the API and the worker both stand on, listed once (same libs, two roots): the config, JSON logs
 * named after the process, metrics, the Postgres pool (named in pg_stat_activity) and the webhook queue. Each
 * root module adds only what is its own.
 */
export function platformModules(config: AppConfig, deployable: Deployable, { poolSize }: { poolSize?: number } = {}): (DynamicModule | Type)[] {
  return [
    AppConfigModule.forRoot(config),
    LoggingModule.forRoot(config, deployable),
    MetricsModule,
    PersistenceModule.forRoot({ applicationName: `terra-connections-${deployable}`, poolSize }),
    WebhookQueueModule.forRoot(),
  ];
}
