/**
 * A payload that can never be applied, found by a handler (a payload that does not even parse as its type's
 * event is a TerraEventParseError, classified the same way). The job fails at once,
 * without retries, and the reason is stored on the inbox row; fixing the code and replaying re-runs it.
 * The message must never quote payload values (it is logged).
 */
export class PermanentEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentEventError';
  }
}
