import { Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isTerraEventType } from '@terra-connections/terra';

/**
 * Event types are labelled by name when they are in TerraEventType's list; anything else is `other`, so a new
 * Terra type cannot explode cardinality. `unknown` when there is no type (an unsigned or unparsable delivery).
 */
export function eventTypeLabel(type: unknown): string {
  if (type === undefined || type === null || type === '') return 'unknown';
  return isTerraEventType(type) ? type : 'other';
}

export type WebhookOutcome = 'accepted' | 'duplicate' | 'rejected_signature' | 'rejected_body' | 'unavailable' | 'throttled';

/**
 * The Prometheus metrics of one process, in its own registry. Counters and histograms are updated in memory
 * on the hot paths; gauges that need a database or queue read (queue depth, connections by status) are
 * computed at scrape time through `registerCollector`.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status',
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
    help: 'Time to run one job (apply an inbox event, sweep, reconcile), by event type or job name and outcome',
    labelNames: ['type', 'outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly jobAttempts = new Histogram({
    name: 'terra_webhook_job_attempts',
    help: 'Attempts a job needed before it completed or failed for good, by event type',
    labelNames: ['type', 'result'] as const,
    buckets: [1, 2, 3, 5, 8, 13, 16],
    registers: [this.registry],
  });

  readonly collectErrors = new Counter({
    name: 'terra_metrics_collect_errors_total',
    help: 'Scrape-time reads (queue depth, connections) that failed or timed out; their series are left out of that scrape',
    labelNames: ['collector'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  countWebhook(type: unknown, outcome: WebhookOutcome): void {
    this.webhooksReceived.inc({ type: eventTypeLabel(type), outcome });
  }

  /** One finished run of a job; `attempts` when the job is done for good (completed, or failed its last attempt). */
  observeJob(type: string, outcome: string, seconds: number, final?: { attempts: number; result: 'completed' | 'failed' }): void {
    this.jobDuration.observe({ type, outcome }, seconds);
    if (final) this.jobAttempts.observe({ type, result: final.result }, final.attempts);
  }

  /**
   * A gauge whose value is computed at scrape time. A failing `collect` does not fail the scrape: the gauge
   * has no samples that time and terra_metrics_collect_errors_total{collector=name} counts it.
   */
  registerCollector<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect: (gauge: Gauge<L>) => Promise<void>,
  ): Gauge<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as Gauge<L>;
    const errors = this.collectErrors;
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        try {
          await collect(this);
        } catch {
          this.reset();
          errors.inc({ collector: name });
        }
      },
    });
  }

  /** Express middleware: counts and times every request, labelled with the matched route pattern. */
  httpMiddleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      this.trackHttpResponse(req.method, res, () => routeLabel(req));
      next();
    };
  }

  /** Counts and times one response when it finishes; `route` is read then (Express matches routes late). */
  trackHttpResponse(method: string | undefined, res: ServerResponse, route: () => string): void {
    const stop = this.httpDuration.startTimer();
    res.once('finish', () => {
      const labels = { method: method ?? 'UNKNOWN', route: route(), status: String(res.statusCode) };
      this.httpRequests.inc(labels);
      stop(labels);
    });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * The route pattern (`/v1/connections/:terra_user_id`), never the path itself: ids would explode cardinality.
 * No route, or only a catch-all (Nest's 404 handler is `/{*splat}`), is `unmatched`.
 */
function routeLabel(req: Request): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' && !pattern.includes('*') ? `${req.baseUrl}${pattern}` : 'unmatched';
}
