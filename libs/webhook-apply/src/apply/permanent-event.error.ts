/**
 * A payload that can never be applied (one that does not parse as its type's event: the applier turns the
 * parser's TerraEventParseError into this, or a handler's own finding). The job fails at once,
 * without retries, and the reason is stored on the inbox row; fixing the code and replaying re-runs it.
 * The message must never quote payload values (it is logged).
 */
export class PermanentEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentEventError';
  }
}
