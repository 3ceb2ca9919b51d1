import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import type { Queue } from 'bullmq';
import { HEALTH_PING_TIMEOUT_MS, MigrationsHealthIndicator, RedisHealthIndicator } from '@terra-connections/observability';
import { WEBHOOK_PRODUCER_QUEUE } from '@terra-connections/queue';

/**
 * Probes for orchestrators: no API key (the guard is per controller and this one has none) and no
 * request log line (logging.module.ts). `ready` is what a load balancer should route on.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly migrations: MigrationsHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    @Inject(WEBHOOK_PRODUCER_QUEUE) private readonly queue: Queue,
  ) {}

  @Get('live')
  @HealthCheck()
  @ApiOperation({ operationId: 'healthLive', summary: 'The process is up (restart it when this fails)' })
  @ApiOkResponse({ description: '`{"status":"ok"}`' })
  @ApiServiceUnavailableResponse({ description: 'Shutting down' })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ operationId: 'healthReady', summary: 'Postgres answers, migrations are current, Redis answers (route traffic here only when this passes)' })
  @ApiOkResponse({ description: 'Every check is up; `info` has one entry per check' })
  @ApiServiceUnavailableResponse({ description: 'A check is down (see `error`), or the process is shutting down' })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.postgres.pingCheck('postgres', { timeout: HEALTH_PING_TIMEOUT_MS }),
      () => this.migrations.check('migrations'),
      // The connection webhooks are enqueued on: the one whose loss delays events.
      () => this.redis.pingCheck('redis', this.queue.client),
    ]);
  }
}
