/**
 * How many JSON values a signed body may hold, counted before Postgres parses it. Postgres' jsonb parse costs
 * far more memory per value than the value's bytes: a 10 MB body of `{},{},...` (3.3 million objects) took one
 * backend to 2.1 GB for 1.8 s, 49 MB of them to 10.4 GB for 17 s (past the insert's 5 s deadline, so the API
 * answered 503 and Terra would have retried it for a day); a real 10 MB activity chunk holds about 520,000
 * values and costs 211 MB. The worker's read and parse of the stored row grow the same way. Terra chunks are at
 * most 10 MB of real items, so twice the densest real chunk we have seen is refused by no real delivery.
 */
export const WEBHOOK_MAX_BODY_VALUES = 1_000_000;

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const COMMA = 0x2c; // ,

/**
 * An upper bound on the number of JSON values in `body`: every value but the first follows a comma or opens a
 * container, so the count of `{`, `[` and `,` bytes (those inside strings too, which only overcounts) plus one
 * bounds it without parsing. Stops at `limit + 1`: a hostile body is refused after its first few megabytes.
 */
export function countJsonValuesUpTo(body: Buffer, limit: number): number {
  let count = 1;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (byte === COMMA || byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (++count > limit) return count;
    }
  }
  return count;
}
