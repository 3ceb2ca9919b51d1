/**
 * Domain failures with a caller-facing message. The API maps ConnectionInputError to 400 and
 * ConnectionNotFoundError to 404; the worker treats both as permanent.
 */
export class ConnectionInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class ConnectionNotFoundError extends Error {
  /** `id`: the connection_id or Terra user id asked for. */
  constructor(readonly id: string) {
    super(`No connection with connection_id or terra_user_id ${id}`);
    this.name = new.target.name;
  }
}

export class InvalidCursorError extends ConnectionInputError {
  constructor() {
    super('cursor is not valid: pass the next_cursor of a previous page unchanged');
  }
}

export class UnknownProviderError extends ConnectionInputError {
  constructor(
    readonly providers: string[],
    detail = 'not enabled for this Terra account; see GET /v1/providers',
  ) {
    super(`Unknown provider${providers.length > 1 ? 's' : ''} ${providers.join(', ')}: ${detail}`);
  }
}

/** Another transaction holds the connection (a large data event being applied): the caller may retry shortly. */
export class ConnectionBusyError extends Error {
  constructor(readonly id: string) {
    super(`Connection ${id} is being updated by another operation; retry in a few seconds`);
    this.name = new.target.name;
  }
}
