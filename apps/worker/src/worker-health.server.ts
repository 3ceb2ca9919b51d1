import { InjectQueue } from '@nestjs/bullmq';
import { HttpException, Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import type { Queue } from 'bullmq';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import {
  BullWorkerHealthIndicator,
  HEALTH_PING_TIMEOUT_MS,
  MetricsService,
  MigrationsHealthIndicator,
  registerQueueMetrics,
} from '@terra-connections/observability';
import { TERRA_WEBHOOK_QUEUE } from '@terra-connections/queue';
import { TerraWebhookProcessor } from './processors/terra-webhook.processor';

/**
 * The worker's internal port (WORKER_HEALTH_PORT): `/health/live`, `/health/ready` and `/metrics`. The worker
 * is a Nest application context with no HTTP stack, so terminus' HealthCheckService runs behind a bare
 * node:http server rather than pulling in an HTTP adapter for three routes.
 *
 * Ready = Postgres answers, migrations are current, and the BullMQ worker is consuming (running, not paused,
 * its Redis connections ready). During shutdown terminus answers `shutting_down` (503).
 */
@Injectable()
export class WorkerHealthServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHealthServer.name);
  private server?: Server;
  private lastReady?: boolean;

  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'WORKER_HEALTH_PORT'>,
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly migrations: MigrationsHealthIndicator,
    private readonly consumer: BullWorkerHealthIndicator,
    private readonly processor: TerraWebhookProcessor,
    private readonly metrics: MetricsService,
    @InjectQueue(TERRA_WEBHOOK_QUEUE) private readonly queue: Queue,
  ) {}

  /** The port actually bound (WORKER_HEALTH_PORT=0 picks a free one). */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    registerQueueMetrics(this.metrics, this.queue);
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(this.config.WORKER_HEALTH_PORT, '0.0.0.0', resolve));
    this.logger.log(`Health and metrics on port ${this.port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0].replace(/\/$/, '');
    try {
      if (req.method !== 'GET') return send(res, 405, { statusCode: 405, error: 'Method Not Allowed', message: 'GET only' });
      if (path === '/health/live') return send(res, ...(await this.check([])));
      if (path === '/health/ready') return send(res, ...(await this.check(this.readiness())));
      if (path === '/metrics') {
        const { contentType, body } = await this.metrics.render();
        res.writeHead(200, { 'content-type': contentType });
        res.end(body);
        return;
      }
      send(res, 404, { statusCode: 404, error: 'Not Found', message: `${path} is not a route of the worker's health port` });
    } catch (error) {
      this.logger.error(`Health port request failed: ${(error as Error).message}`);
      send(res, 500, { statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' });
    }
  }

  private readiness() {
    return [
      () => this.postgres.pingCheck('postgres', { timeout: HEALTH_PING_TIMEOUT_MS }),
      () => this.migrations.check('migrations'),
      () => this.consumer.check('worker', this.processor.worker),
    ];
  }

  /** 200 with terminus' result, or 503 with it; a change of readiness is logged once, not on every probe. */
  private async check(indicators: Parameters<HealthCheckService['check']>[0]): Promise<[number, HealthCheckResult]> {
    let outcome: [number, HealthCheckResult];
    try {
      outcome = [200, await this.health.check(indicators)];
    } catch (error) {
      if (!(error instanceof HttpException)) throw error;
      outcome = [error.getStatus(), error.getResponse() as HealthCheckResult];
    }
    if (indicators.length > 0) this.noteReadiness(outcome);
    return outcome;
  }

  private noteReadiness([status, result]: [number, HealthCheckResult]): void {
    const ready = status === 200;
    if (ready === this.lastReady) return;
    if (this.lastReady !== undefined) {
      if (ready) this.logger.log('Ready again');
      else this.logger.warn(`Not ready: ${JSON.stringify(result.error ?? result.status)}`);
    }
    this.lastReady = ready;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
