/**
 * Domain failures of the ingest side, each with a caller-facing message. The API gives them their status
 * codes (ApiExceptionFilter); "no such connection" is the connections lib's ConnectionNotFoundError.
 */

/** The caller's input is refused: a page cursor we did not issue, a delivery that is not a Terra event. */
export class IngestInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidPageCursorError extends IngestInputError {
  constructor() {
    super('cursor is invalid: pass back the next_cursor of a previous page');
  }
}

/** A signed delivery whose body we cannot take; Terra should not retry it as is. */
export class WebhookBodyRejectedError extends IngestInputError {}

/** No valid signature from any of our webhook secrets: the delivery is not Terra's (or too old). */
export class WebhookSignatureRejectedError extends Error {
  constructor() {
    super('Invalid or missing Terra webhook signature');
    this.name = new.target.name;
  }
}

/** Seconds a caller refused for a busy budget (bodies, parse memory, read bytes) is asked to wait: Retry-After. */
export const BUSY_RETRY_AFTER_SECONDS = 5;

/** The inbox could not store a delivery in time: nothing was acknowledged, so Terra retries it. */
export class InboxUnavailableError extends Error {
  /** Seconds the sender should wait, when we know (the Retry-After header). */
  readonly retryAfterSeconds?: number;

  constructor(message = 'Webhook inbox unavailable, retry later') {
    super(message);
    this.name = new.target.name;
  }
}

/** Large bodies already hold the process's share of Postgres' parse memory (WEBHOOK_INFLIGHT_VALUES). */
export class InboxBusyError extends InboxUnavailableError {
  override readonly retryAfterSeconds = BUSY_RETRY_AFTER_SECONDS;

  constructor() {
    super('Too many large webhook bodies in flight; retry later');
  }
}

export class WebhookEventNotFoundError extends Error {
  constructor(readonly eventId: string) {
    super(`No webhook event with id ${eventId}`);
    this.name = new.target.name;
  }
}

/** Replay refused: a processed event is never applied twice (the inbox exists to prevent that). */
export class WebhookEventAlreadyProcessedError extends Error {
  constructor(readonly eventId: string) {
    super(`Webhook event ${eventId} is already processed; only failed or pending events are replayed`);
    this.name = new.target.name;
  }
}

/** The API process already holds its read budget of health data payloads (DATA_READ_INFLIGHT_BYTES). */
export class DataReadBusyError extends Error {
  readonly retryAfterSeconds = BUSY_RETRY_AFTER_SECONDS;

  constructor() {
    super('Too much health data being read at once; retry later');
    this.name = new.target.name;
  }
}

/** The Retry-After of an error that asks the caller to come back (a 503 of ours), if it has one. */
export function retryAfterOf(error: unknown): number | undefined {
  return error instanceof InboxUnavailableError || error instanceof DataReadBusyError ? error.retryAfterSeconds : undefined;
}
