import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Event types we label by name; anything else is counted as `other` so a new Terra type can't explode cardinality. */
const KNOWN_TYPES = new Set([
  'auth', 'deauth', 'user_reauth', 'access_revoked', 'connection_error', 'permission_change', 'google_no_datasource',
  'large_request_processing', 'large_request_sending', 'healthcheck', 'activity', 'sleep', 'body', 'daily',
  'nutrition', 'menstruation', 'athlete', 'processing', 'rate_limit_hit', 's3_payload',
]);

export function eventTypeLabel(type: unknown): string {
  return typeof type === 'string' && KNOWN_TYPES.has(type) ? type : 'other';
}

export type WebhookOutcome = 'accepted' | 'duplicate' | 'rejected_signature' | 'rejected_body' | 'unavailable';

/**
 * The Prometheus metrics of one process, in its own registry. Gauges that need a database or queue
 * (queue depth, connections by status) are registered by the app through `registerCollector`.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly webhooksReceived = new Counter({
    name: 'terra_webhooks_received_total',
    help: 'Terra webhook deliveries by event type and outcome',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'terra_webhook_job_duration_seconds',
    help: 'Time to apply one inbox event, by event type and outcome',
    labelNames: ['type', 'outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly jobAttempts = new Histogram({
    name: 'terra_webhook_job_attempts',
    help: 'Attempts a job needed before it completed or failed for good, by event type',
    labelNames: ['type'] as const,
    buckets: [1, 2, 3, 5, 8, 13, 21],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  countWebhook(type: unknown, outcome: WebhookOutcome): void {
    this.webhooksReceived.inc({ type: eventTypeLabel(type), outcome });
  }

  /** A gauge whose value is computed at scrape time (queue depth, connections by status). */
  registerCollector<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect: (gauge: Gauge<L>) => Promise<void>,
  ): Gauge<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as Gauge<L>;
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        await collect(this);
      },
    });
  }

  /** Express middleware: counts and times every request, labelled with the matched route pattern. */
  httpMiddleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const stop = this.httpDuration.startTimer();
      res.on('finish', () => {
        const routePath = (req.route as { path?: string } | undefined)?.path;
        const route = routePath ? `${req.baseUrl}${routePath}` : 'unmatched';
        const labels = { method: req.method, route, status: String(res.statusCode) };
        this.httpRequests.inc(labels);
        stop(labels);
      });
      next();
    };
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
