/** A connection's freshness. PERSISTED values (terra_connections.freshness) and part of the public API. */
export const FRESHNESS_VALUES = ['fresh', 'stale', 'unknown'] as const;
export type Freshness = (typeof FRESHNESS_VALUES)[number];

/**
 * Providers whose data only reaches Terra when the person's phone syncs through Terra's mobile SDK (no web API:
 * the provider catalogue's `sdk` sources). They sync far less regularly than cloud providers (the phone must be
 * unlocked, the app opened), so their window before enough history exists is longer.
 */
export const MOBILE_SDK_PROVIDERS: readonly string[] = ['APPLE', 'SAMSUNG', 'HEALTH_CONNECT'];

/** The freshness windows, from config (FRESHNESS_*_MS). */
export interface FreshnessSettings {
  minWindowMs: number;
  maxWindowMs: number;
  defaultWindowMs: number;
  mobileDefaultWindowMs: number;
}

/**
 * Gaps a type needs before its own rhythm replaces the provider-class default. Fewer says little: two gaps of
 * a new connection may both be its first backfill.
 */
export const MIN_LEARNED_GAPS = 5;

/** Arrivals a type needs before its silence counts: one arrival shows no rhythm (a one-off body reading). */
export const EXPECTED_AFTER_ARRIVALS = 2;

/** The learned window: this many times the median gap, or this many times the 90th percentile, whichever is longer. */
export const MEDIAN_FACTOR = 3;
export const P90_FACTOR = 1.5;

/**
 * Gaps shorter than the floor divided by this are one sync (a backfill's chunks, a day's repeated updates), not
 * a rhythm: left out of the learned window.
 */
export const BURST_DIVISOR = 24;

/** The newest provider-side time of the records of one data event (end, else start, else the calendar date). */
export function newestDataTime(records: Iterable<{ endTime: string | null; startTime: string | null; date: string | null }>): Date | null {
  let newest = Number.NEGATIVE_INFINITY;
  for (const record of records) {
    const at = Date.parse(record.endTime ?? record.startTime ?? record.date ?? '');
    if (at > newest) newest = at;
  }
  return Number.isFinite(newest) ? new Date(newest) : null;
}
