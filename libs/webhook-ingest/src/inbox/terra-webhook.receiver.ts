import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { MetricsService, withDeadline } from '@terra-connections/observability';
import { sqlState, stripQuotedValues } from '@terra-connections/persistence';
import { describeTerraEvent, TerraSignatureError, terraSignatureHeader, verifyTerraSignature } from '@terra-connections/terra';
import { WebhookEnqueuer } from '@terra-connections/queue';
import { InboxBusyError, InboxUnavailableError, WebhookBodyRejectedError, WebhookSignatureRejectedError } from '../webhook-ingest.errors';
import { InflightBudget } from './inflight-budget';
import { countJsonValuesUpTo, WEBHOOK_MAX_BODY_VALUES } from './body-values';
import {
  type InboxRecordResult,
  InboxWriter,
  MAX_OUTLYING_NUMBERS,
  NOT_A_DOUBLE_SQLSTATE,
  NUMBER_WINDOW,
  TOO_MANY_OUTLYING_NUMBERS_SQLSTATE,
} from './inbox-writer';

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
 * Bodies of at most this many values skip the values budget: they cost Postgres under 5 MB each, and the byte
 * budget and the pool already bound how many run at once. Terra's everyday events hold a few hundred.
 */
export const SMALL_BODY_VALUES = 10_000;

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

export const TOO_MANY_VALUES_MESSAGE = `Webhook body holds more than ${WEBHOOK_MAX_BODY_VALUES} JSON values`;
export const NOT_A_DOUBLE_MESSAGE = 'Webhook body holds a number beyond the range of a double';
export const TOO_MANY_OUTLYING_NUMBERS_MESSAGE =
  `Webhook body holds more than ${MAX_OUTLYING_NUMBERS} numbers below ${NUMBER_WINDOW.atLeast} or from ${NUMBER_WINDOW.below} in magnitude`;

/**
 * Postgres refusing the body itself, deterministically: the same bytes fail the same way on every retry, so the
 * answer is a 400 (Terra does not retry a 4xx), never the 503 of an outage. Undefined: not the body's fault.
 */
function bodyRefusal(error: unknown): { state: string; message: string } | undefined {
  const state = sqlState(error);
  if (!state) return undefined;
  // Not JSON: a syntax error, or bytes that are not UTF-8 (a NUL byte too).
  if (state === '22P02' || state === '22021') return { state, message: 'Webhook body is not valid JSON' };
  // The number checks of INSERT_INBOX_ROW, or a number beyond numeric's own range (1e200000) in the parse.
  if (state === NOT_A_DOUBLE_SQLSTATE || state === '22003') return { state, message: NOT_A_DOUBLE_MESSAGE };
  if (state === TOO_MANY_OUTLYING_NUMBERS_SQLSTATE) return { state, message: TOO_MANY_OUTLYING_NUMBERS_MESSAGE };
  // \u0000 in a string (22P05), the rest of class 22.
  if (state.startsWith('22')) return { state, message: 'Webhook body cannot be stored as JSON' };
  // Nesting past Postgres' stack depth.
  if (state.startsWith('54')) return { state, message: 'Webhook body is nested too deeply to be stored' };
  // XX000 is any internal error; only this one is the body's: the parse asked for more than 1 GB in one piece
  // (too many values; WEBHOOK_MAX_BODY_VALUES refuses such bodies first, this is the backstop).
  if (state === 'XX000' && /^invalid memory alloc request size/.test((error as Error).message)) {
    return { state, message: 'Webhook body is too large for Postgres to parse' };
  }
  return undefined;
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
  /** JSON values of large bodies whose insert is running (WEBHOOK_INFLIGHT_VALUES). */
  private readonly valuesInFlight: InflightBudget;

  constructor(
    private readonly inbox: InboxWriter,
    private readonly enqueuer: WebhookEnqueuer,
    @Inject(APP_CONFIG)
    private readonly config: Pick<
      AppConfig,
      'TERRA_WEBHOOK_SECRET' | 'TERRA_WEBHOOK_SECRET_PREVIOUS' | 'TERRA_WEBHOOK_TOLERANCE_SECONDS' | 'WEBHOOK_INFLIGHT_VALUES'
    >,
    // In-memory counter increments only: metrics add no I/O to this path.
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.valuesInFlight = new InflightBudget(config.WEBHOOK_INFLIGHT_VALUES);
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
    // Before the insert: Postgres' parse of such a body is what costs gigabytes (body-values.ts).
    const values = countJsonValuesUpTo(rawBody, WEBHOOK_MAX_BODY_VALUES);
    if (values > WEBHOOK_MAX_BODY_VALUES) {
      this.metrics?.countWebhook(undefined, 'rejected_body');
      this.logger.warn(`Refused a signed webhook of ${rawBody.length} bytes holding more than ${WEBHOOK_MAX_BODY_VALUES} JSON values: answered 400`);
      throw new WebhookBodyRejectedError(TOO_MANY_VALUES_MESSAGE);
    }
    // Bytes do not bound Postgres' parse memory, values do: 2 MB of `[1,1,...]` is a million of them.
    const weight = values > SMALL_BODY_VALUES ? values : 0;
    // Reserved here and given back when Postgres is done with the insert (store).
    if (!this.valuesInFlight.tryReserve(weight)) {
      this.metrics?.countWebhook(undefined, 'throttled');
      this.logger.warn(`Refused a signed webhook of ${values} JSON values: ${this.valuesInFlight.inUse} already in flight (503, Terra retries)`);
      throw new InboxBusyError();
    }
    return this.store(request, timestampSeconds, weight);
  }

  /**
   * Starts the insert and gives the reserved values back when Postgres is done with it, not when we stop
   * waiting: past the deadline the parse goes on (a body of a million values ran 17 s), and a budget given back
   * at 5 s would let the retries start more. Given back at once if the insert cannot even start.
   */
  private holdValuesUntilSettled<T>(weight: number, start: () => Promise<T>): Promise<T> {
    const release = () => this.valuesInFlight.release(weight);
    let insert: Promise<T>;
    try {
      insert = start();
    } catch (error) {
      release();
      throw error;
    }
    void insert.then(release, release);
    return insert;
  }

  /** `weight`: the body's values, reserved in WEBHOOK_INFLIGHT_VALUES by the caller and given back when Postgres is done with the insert. */
  private async store(request: WebhookRequest, timestampSeconds: number, weight: number): Promise<WebhookReceipt> {
    const rawBody = request.rawBody;
    let stored: InboxRecordResult;
    try {
      const insert = this.holdValuesUntilSettled(weight, () => this.inbox.record({
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
      }));
      stored = await withDeadline(insert, INBOX_INSERT_TIMEOUT_MS, 'inbox insert');
    } catch (error) {
      if (error instanceof WebhookBodyRejectedError) {
        this.metrics?.countWebhook(undefined, 'rejected_body');
        throw error;
      }
      const refusal = bodyRefusal(error);
      if (refusal) {
        const type = typeLabel(rawBody);
        this.metrics?.countWebhook(type, 'rejected_body');
        this.logger.warn(`Refused a signed ${type ?? 'unparsed'} webhook Postgres cannot store (SQLSTATE ${refusal.state}): answered 400`);
        throw new WebhookBodyRejectedError(refusal.message);
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
