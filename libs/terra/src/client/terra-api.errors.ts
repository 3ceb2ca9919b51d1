/**
 * Typed failures of a call to Terra. The API maps them to its own status codes (apps/api exception filter);
 * the worker decides from them whether a retry can help. `terraMessage` is Terra's own text, safe to show
 * to an internal caller; the response body is never logged (it can echo user ids and reference ids).
 */
export class TerraApiError extends Error {
  constructor(
    /** The Terra operation, e.g. `authenticateUser`: names the call in logs and error messages. */
    readonly operation: string,
    readonly terraMessage: string,
    readonly terraStatus?: number,
    readonly body?: unknown,
  ) {
    super(`Terra ${operation} failed${terraStatus ? ` (${terraStatus})` : ''}: ${terraMessage}`);
    this.name = new.target.name;
  }
}

/** 400: Terra found the request malformed. */
export class TerraBadRequestError extends TerraApiError {
  /** Set by the widget session endpoint when `connected_uids` held ids Terra does not know (terra-contract.md §2.1b). */
  get invalidUserIds(): string[] {
    const ids = (this.body as { invalid_user_ids?: unknown } | undefined)?.invalid_user_ids;
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  }
}

/** 404: unknown user, unknown or not-enabled provider, or (generateAuthToken) an unknown dev-id. */
export class TerraNotFoundError extends TerraApiError {}

/** 410: the endpoint is retired for this account (the legacy widget session after 2026-09-03, terra-contract.md §2.1). */
export class TerraGoneError extends TerraApiError {}

/** 401/403: Terra rejected our dev-id or API key. A configuration problem: retrying cannot help. */
export class TerraCredentialsError extends TerraApiError {}

/** 5xx (after the SDK's retries), a connection error, or an answer that is not the JSON we expect. */
export class TerraUnavailableError extends TerraApiError {}

/** Terra did not answer within TERRA_TIMEOUT_SECONDS. */
export class TerraTimeoutError extends TerraApiError {}

/** Terra's error text from any body shape it uses: v2 `{message}`, 2026 problem+json `{detail,title}`, or text. */
export function terraMessageOf(body: unknown, fallback: string): string {
  if (typeof body === 'string' && body.trim() !== '') return body.trim().slice(0, 300);
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    for (const key of ['message', 'detail', 'title', 'error']) {
      const value = record[key];
      if (typeof value === 'string' && value.trim() !== '') return value.trim().slice(0, 300);
    }
  }
  return fallback;
}

/** One place that turns an HTTP status from Terra into the typed error, for the SDK and the widget client alike. */
export function terraErrorForStatus(operation: string, status: number, body: unknown): TerraApiError {
  const message = terraMessageOf(body, `HTTP ${status}`);
  if (status === 400) return new TerraBadRequestError(operation, message, status, body);
  if (status === 401 || status === 403) return new TerraCredentialsError(operation, message, status);
  if (status === 404) return new TerraNotFoundError(operation, message, status, body);
  if (status === 410) return new TerraGoneError(operation, message, status);
  if (status >= 500) return new TerraUnavailableError(operation, message, status);
  return new TerraApiError(operation, message, status, body);
}

/**
 * 429 from Terra's own per-user budget (terra-contract.md §11): `rule` is `r1` (one request spans too many days)
 * or `r2` (too many days requested this hour); `retryAfterSeconds` is Terra's Retry-After, when it sent one.
 */
export class TerraRateLimitedError extends TerraApiError {
  constructor(
    operation: string,
    terraMessage: string,
    readonly retryAfterSeconds: number | null,
    readonly rule: string | null,
  ) {
    super(operation, terraMessage, 429);
  }
}
