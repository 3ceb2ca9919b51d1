import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { MetricsService, withDeadline } from '@terra-connections/observability';
import { sqlState, stripQuotedValues } from '@terra-connections/persistence';
import { describeTerraEvent, TerraSignatureError, terraSignatureHeader, verifyTerraSignature } from '@terra-connections/terra';
import { WebhookEnqueuer } from '@terra-connections/queue';
import { InboxUnavailableError, WebhookBodyRejectedError, WebhookSignatureRejectedError } from '../webhook-ingest.errors';
import { type InboxRecordResult, InboxWriter } from './inbox-writer';

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

/** Bodies up to this size are parsed on the way out of a failed insert, for the metric's type label only. */
const LABEL_PARSE_MAX_BYTES = 1024 * 1024;

/**
 * The type of a body whose insert failed (Postgres down, or refusing the body), for the metrics label: the
 * happy path learns it from the INSERT. A large body is left unparsed (label `unknown`): parsing it in JS is
 * the memory cost the insert was built to avoid, and on an error path nobody needs more than the count.
 */
function typeLabel(rawBody: Buffer): string | undefined {
  if (rawBody.length > LABEL_PARSE_MAX_BYTES) return undefined;
  try {
    return describeTerraEvent(JSON.parse(rawBody.toString('utf8')))?.type;
  } catch {
    return undefined;
  }
}

/**
 * The whole request path of a Terra webhook, in the order that keeps it cheap and safe: signature over the
 * raw bytes (nothing is parsed or looked up before), one INSERT (where Postgres parses the body, once), one
 * bounded enqueue.
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

    const rawBody = request.rawBody;
    let stored: InboxRecordResult;
    try {
      stored = await withDeadline(
        this.inbox.record({
          rawBody,
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
      if (error instanceof WebhookBodyRejectedError) {
        this.metrics?.countWebhook(undefined, 'rejected_body');
        throw error;
      }
      // Postgres refusing the body itself is the payload's fault, not an outage. A 503 would have Terra retry it
      // forever; a 4xx ends it. Not JSON: a syntax error (22P02) or bytes that are not UTF-8 (22021, a NUL byte
      // too); JSON Postgres cannot store: \u0000 in a string (22P05), other class 22; nesting past its stack
      // depth: class 54.
      const state = sqlState(error);
      if (state?.startsWith('22') || state?.startsWith('54')) {
        const type = typeLabel(rawBody);
        this.metrics?.countWebhook(type, 'rejected_body');
        this.logger.warn(`Refused a signed ${type ?? 'unparsed'} webhook Postgres cannot store (SQLSTATE ${state}): answered 400`);
        throw new WebhookBodyRejectedError(
          state === '22P02' || state === '22021'
            ? 'Webhook body is not valid JSON'
            : state.startsWith('54')
              ? 'Webhook body is nested too deeply to be stored'
              : 'Webhook body cannot be stored as JSON',
        );
      }
      this.metrics?.countWebhook(typeLabel(rawBody), 'unavailable');
      // The message only: a pg error's detail or TypeORM's query parameters would carry the raw body.
      this.logger.error(`Inbox insert failed, refusing the delivery so Terra retries: ${stripQuotedValues((error as Error).message)}`);
      throw new InboxUnavailableError();
    }
    if (!stored.inserted) {
      this.metrics?.countWebhook(stored.type, 'duplicate');
      return { status: 'duplicate', eventId: stored.id, enqueued: false };
    }

    const enqueued = await this.enqueuer.enqueueApply(stored, request.requestId, stored.type);
    this.metrics?.countWebhook(stored.type, 'accepted');
    return { status: 'accepted', eventId: stored.id, enqueued };
  }
}
