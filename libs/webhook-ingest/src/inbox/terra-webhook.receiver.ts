import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { MetricsService, withDeadline } from '@terra-connections/observability';
import { sqlState, stripQuotedValues } from '@terra-connections/persistence';
import { describeTerraEvent, TerraSignatureError, terraSignatureHeader, verifyTerraSignature } from '@terra-connections/terra';
import { WebhookEnqueuer } from '@terra-connections/queue';
import { InboxUnavailableError, WebhookBodyRejectedError, WebhookSignatureRejectedError } from '../webhook-ingest.errors';
import { InboxWriter } from './inbox-writer';

/**
 * A Postgres that hangs (rather than refuses) must not hold Terra past its ~8 s timeout: refuse the delivery
 * first (InboxUnavailableError, so Terra retries). If the insert still commits, Terra's retry is a counted
 * duplicate and the sweeper enqueues the row.
 */
export const INBOX_INSERT_TIMEOUT_MS = 5_000;

export interface WebhookRequest {
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
  requestId?: string;
}

export interface WebhookReceipt {
  status: 'accepted' | 'duplicate';
  eventId: string;
  /** false: stored but Redis did not take the job; the sweeper enqueues it later. */
  enqueued: boolean;
}

function header(headers: WebhookRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * x-terra-ordering-timestamp is unix milliseconds (terra-contract.md §4); anything else is ignored, not trusted. The
 * header is not signed, so it may not claim a time later than the signed `t` allows (t + tolerance): a
 * replayed capture with a far-future value would otherwise win every ordering comparison and freeze the
 * connection's state. Such a value falls back to `t`.
 */
export function trustedOrderingTimestamp(
  value: string | undefined,
  signatureSeconds: number,
  toleranceSeconds: number,
): number | undefined {
  if (!value || !/^\d{1,15}$/.test(value)) return undefined;
  const ms = Number(value);
  return ms > (signatureSeconds + toleranceSeconds) * 1000 ? undefined : ms;
}

/**
 * The whole request path of a Terra webhook, in the order that keeps it cheap and safe: signature over the
 * raw bytes (nothing is parsed or looked up before), one JSON.parse, one INSERT, one bounded enqueue.
 * No Terra call and no processing here: Terra allows ~8 s and throttles slow destinations (terra-contract.md §4).
 */
@Injectable()
export class TerraWebhookReceiver {
  private readonly logger = new Logger(TerraWebhookReceiver.name);
  private readonly secrets: string[];

  constructor(
    private readonly inbox: InboxWriter,
    private readonly enqueuer: WebhookEnqueuer,
    @Inject(APP_CONFIG)
    private readonly config: Pick<
      AppConfig,
      'TERRA_WEBHOOK_SECRET' | 'TERRA_WEBHOOK_SECRET_PREVIOUS' | 'TERRA_WEBHOOK_TOLERANCE_SECONDS'
    >,
    // In-memory counter increments only: metrics add no I/O to this path.
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.secrets = [config.TERRA_WEBHOOK_SECRET, config.TERRA_WEBHOOK_SECRET_PREVIOUS].filter(
      (secret): secret is string => typeof secret === 'string' && secret.length > 0,
    );
  }

  async receive(request: WebhookRequest): Promise<WebhookReceipt> {
    const signature = terraSignatureHeader(request.headers);
    let timestampSeconds: number;
    try {
      ({ timestampSeconds } = await verifyTerraSignature(
        request.rawBody,
        signature,
        this.secrets,
        this.config.TERRA_WEBHOOK_TOLERANCE_SECONDS,
      ));
    } catch (error) {
      if (!(error instanceof TerraSignatureError)) throw error;
      this.metrics?.countWebhook(undefined, 'rejected_signature');
      this.logger.warn(`Rejected a Terra webhook: signature ${error.failure}`);
      throw new WebhookSignatureRejectedError();
    }

    const rawBody = request.rawBody.toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      this.metrics?.countWebhook(undefined, 'rejected_body');
      throw new WebhookBodyRejectedError('Webhook body is not valid JSON');
    }
    const envelope = describeTerraEvent(body);
    if (!envelope) {
      this.metrics?.countWebhook(undefined, 'rejected_body');
      throw new WebhookBodyRejectedError('Webhook body must be a JSON object with a string "type"');
    }

    let stored: { id: string; inserted: boolean };
    try {
      stored = await withDeadline(
        this.inbox.record({
          rawBody,
          ...envelope,
          traceId: header(request.headers, 'x-terra-trace-id'),
          terraReference: header(request.headers, 'terra-reference'),
          orderingTimestampMs: trustedOrderingTimestamp(
            header(request.headers, 'x-terra-ordering-timestamp'),
            timestampSeconds,
            this.config.TERRA_WEBHOOK_TOLERANCE_SECONDS,
          ),
          signatureTimestampSeconds: timestampSeconds,
          requestId: request.requestId,
        }),
        INBOX_INSERT_TIMEOUT_MS,
        'inbox insert',
      );
    } catch (error) {
      // Postgres rejecting the JSON itself (e.g. \u0000 in a string: class 22; nesting past its stack depth:
      // class 54) is the payload's fault, not an outage. A 503 would have Terra retry it forever; a 4xx ends it.
      const state = sqlState(error);
      if (state?.startsWith('22') || state?.startsWith('54')) {
        this.metrics?.countWebhook(envelope.type, 'rejected_body');
        this.logger.warn(`Refused a signed ${envelope.type} webhook Postgres cannot store (SQLSTATE ${state}): answered 400`);
        throw new WebhookBodyRejectedError(
          state.startsWith('54') ? 'Webhook body is nested too deeply to be stored' : 'Webhook body cannot be stored as JSON',
        );
      }
      this.metrics?.countWebhook(envelope.type, 'unavailable');
      // The message only: a pg error's detail or TypeORM's query parameters would carry the raw body.
      this.logger.error(`Inbox insert failed, refusing the delivery so Terra retries: ${stripQuotedValues((error as Error).message)}`);
      throw new InboxUnavailableError();
    }
    if (!stored.inserted) {
      this.metrics?.countWebhook(envelope.type, 'duplicate');
      return { status: 'duplicate', eventId: stored.id, enqueued: false };
    }

    const enqueued = await this.enqueuer.enqueueApply(stored.id, request.requestId, envelope.type);
    this.metrics?.countWebhook(envelope.type, 'accepted');
    return { status: 'accepted', eventId: stored.id, enqueued };
  }
}
