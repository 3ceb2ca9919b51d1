/**
 * Whether an error means Postgres could not be reached or gave no connection in time (pg-pool's acquire
 * timeout, a refused or dropped socket, a server shutting down), as opposed to Postgres answering a query with
 * an error. The API answers these 503, which callers retry, rather than 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300'].includes(code)) return true;
  return /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error/i.test(error.message);
}
