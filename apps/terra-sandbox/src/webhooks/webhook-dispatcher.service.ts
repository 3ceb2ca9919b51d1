import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SANDBOX_CONFIG, type SandboxConfig } from '../config/sandbox-config';
import { SandboxSettings } from '../common/sandbox-settings.service';
import { DeliveryLog } from './delivery-log.service';
import type { DeliveryAttempt, DeliveryRecord } from './delivery-record';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { MAX_WEBHOOK_RETRIES, retryDelayMs } from './retry-schedule';
import { terraSignatureHeader } from './webhook-signature';
import { WebhookFaults, type WebhookFault } from './webhook-faults.service';

export interface OutgoingWebhook {
  payload: { type: string } & Record<string, unknown>;
  userIds: string[];
  /** `terra-reference`; a fresh id when the event is not the answer to a REST request. */
  reference?: string;
  /** `x-terra-trace-id`; chunks of a large request pass `<id>:chunk:<n>`. */
  traceId?: string;
  /** `x-terra-ordering-timestamp` in ms; null omits the header (healthcheck). Defaults to now. */
  orderingTimestamp?: number | null;
  duplicateOf?: string;
}

/** Enough parallel sends to keep up with bulk scenarios without flooding a local API. */
const MAX_IN_FLIGHT = 32;

/**
 * Delivers webhooks as terra-contract.md §4 says: the body is serialised once and those bytes are signed and sent on
 * every attempt, with a fresh `t` each time; non-2xx, timeouts and connection errors are retried on
 * Terra's schedule (scaled by SANDBOX_TIME_SCALE); every attempt is recorded in the DeliveryLog.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleDestroy {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private readonly slots = new ConcurrencyLimiter(MAX_IN_FLIGHT);
  /** Bumped by cancelAll: records from before a reset get no further attempts. */
  private generation = 0;
  private readonly generations = new WeakMap<DeliveryRecord, number>();
  private closed = false;

  constructor(
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
    private readonly settings: SandboxSettings,
    private readonly log: DeliveryLog,
    private readonly faults: WebhookFaults,
  ) {}

  /** Records the event and starts its first attempt without waiting for it. */
  dispatch(event: OutgoingWebhook): DeliveryRecord {
    const record = this.record(event);
    void this.attempt(record);
    return record;
  }

  /** Records the event and resolves once its first attempt has finished (whatever the outcome). */
  async deliver(event: OutgoingWebhook): Promise<DeliveryRecord> {
    const record = this.record(event);
    await this.attempt(record);
    return record;
  }

  /** One after another, each first attempt finished before the next starts: the order is the receiver's order. */
  async deliverInOrder(events: OutgoingWebhook[]): Promise<DeliveryRecord[]> {
    const records: DeliveryRecord[] = [];
    for (const event of events) records.push(await this.deliver(event));
    return records;
  }

  /** Builds and dispatches an event later (Terra's deauth follows the DELETE "a few seconds later"). */
  dispatchAfter(delayMs: number, build: () => OutgoingWebhook | undefined): void {
    this.later(delayMs * this.settings.get().time_scale, () => {
      const event = build();
      if (event) this.dispatch(event);
    });
  }

  /**
   * Builds and dispatches an event `delayMs` from now, not scaled by time_scale: the caller already chose its
   * own time scale (a rhythm scenario's `day_ms`). Dropped by a reset like every pending timer.
   */
  dispatchIn(delayMs: number, build: () => OutgoingWebhook | undefined): void {
    this.later(delayMs, () => {
      const event = build();
      if (event) this.dispatch(event);
    });
  }

  /** The same event again, byte for byte, with the same trace id, reference and ordering timestamp. */
  duplicate(original: DeliveryRecord): DeliveryRecord {
    const record = this.record({
      payload: { type: original.type },
      userIds: original.user_ids,
      reference: original.terra_reference,
      traceId: original.trace_id,
      orderingTimestamp: original.ordering_timestamp,
      duplicateOf: original.id,
    });
    record.body = original.body;
    void this.attempt(record);
    return record;
  }

  /** Drops pending retries and aborts sends in flight (reset, shutdown). */
  cancelAll(): void {
    this.generation += 1;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
  }

  onModuleDestroy(): void {
    this.closed = true;
    this.cancelAll();
    this.slots.drain();
  }

  private record(event: OutgoingWebhook): DeliveryRecord {
    const record: DeliveryRecord = {
      id: randomUUID(),
      type: event.payload.type,
      status: 'pending',
      trace_id: event.traceId ?? randomUUID(),
      terra_reference: event.reference ?? randomUUID(),
      ordering_timestamp: event.orderingTimestamp === undefined ? Date.now() : event.orderingTimestamp,
      user_ids: event.userIds,
      duplicate_of: event.duplicateOf ?? null,
      created_at: new Date().toISOString(),
      next_attempt_at: null,
      attempts: [],
      body: JSON.stringify(event.payload),
    };
    this.log.add(record);
    this.generations.set(record, this.generation);
    return record;
  }

  private cancelled(record: DeliveryRecord): boolean {
    return this.closed || this.generations.get(record) !== this.generation;
  }

  private async attempt(record: DeliveryRecord): Promise<void> {
    await this.slots.acquire();
    let attempt: DeliveryAttempt;
    try {
      if (this.cancelled(record)) return;
      attempt = await this.send(record, this.faults.take(record.type));
    } finally {
      this.slots.release();
    }
    if (this.cancelled(record)) return;
    record.attempts.push(attempt);
    const ok = attempt.error === null && attempt.status_code !== null && attempt.status_code >= 200 && attempt.status_code < 300;
    if (ok) {
      record.status = 'delivered';
      record.next_attempt_at = null;
      return;
    }
    const delay = retryDelayMs(record.attempts.length, this.settings.get().time_scale);
    const outcome = attempt.error ?? `HTTP ${attempt.status_code}`;
    if (delay === undefined) {
      record.status = 'failed';
      record.next_attempt_at = null;
      this.logger.warn(`webhook ${record.id} (${record.type}) gave up after attempt ${record.attempts.length}: ${outcome}`);
      return;
    }
    record.next_attempt_at = new Date(Date.now() + delay).toISOString();
    this.logger.warn(
      `webhook ${record.id} (${record.type}) attempt ${record.attempts.length} of ${MAX_WEBHOOK_RETRIES + 1} failed: ${outcome}`,
    );
    this.later(delay, () => void this.attempt(record));
  }

  private async send(record: DeliveryRecord, fault: WebhookFault | undefined): Promise<DeliveryAttempt> {
    const started = Date.now();
    const attempt: DeliveryAttempt = {
      attempt: record.attempts.length + 1,
      at: new Date(started).toISOString(),
      signature_timestamp: Math.floor(started / 1000),
      status_code: null,
      error: null,
      injected: fault !== undefined,
      duration_ms: 0,
    };
    if (fault?.kind === 'status') {
      attempt.status_code = fault.status;
      return attempt;
    }
    if (fault?.kind === 'reset') {
      attempt.error = 'ECONNRESET (injected)';
      return attempt;
    }
    const { webhook_url: url, webhook_secret: secret } = this.settings.get();
    const signature = terraSignatureHeader(record.body, secret, attempt.signature_timestamp);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'terra-sandbox',
      'terra-signature': signature,
      'x-terra-signature': signature,
      'terra-reference': record.terra_reference,
      'x-terra-trace-id': record.trace_id,
    };
    if (record.ordering_timestamp !== null) headers['x-terra-ordering-timestamp'] = String(record.ordering_timestamp);
    const controller = new AbortController();
    const timeoutMs = this.config.SANDBOX_WEBHOOK_TIMEOUT_MS;
    const timer = setTimeout(() => controller.abort(), timeoutMs).unref();
    this.inFlight.add(controller);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: Buffer.from(record.body, 'utf8'),
        signal: controller.signal,
        redirect: 'manual',
      });
      await response.arrayBuffer(); // the timeout covers the whole answer, as Terra's does
      if (fault?.kind === 'timeout') attempt.error = `timeout (injected; the receiver answered ${response.status})`;
      else attempt.status_code = response.status;
    } catch (error) {
      attempt.error = controller.signal.aborted
        ? this.closed
          ? 'aborted: sandbox shutting down'
          : `timeout after ${timeoutMs} ms`
        : describeFetchError(error);
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
      attempt.duration_ms = Date.now() - started;
    }
    return attempt;
  }

  private later(delayMs: number, run: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, delayMs).unref();
    this.timers.add(timer);
  }
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
