import { BURST_DIVISOR, EXPECTED_AFTER_ARRIVALS, MEDIAN_FACTOR, MIN_LEARNED_GAPS, MOBILE_SDK_PROVIDERS, P90_FACTOR, type FreshnessSettings } from './freshness';

/** The statement parameters the window fragment names, in this order from `first`. */
export function windowParams(settings: FreshnessSettings): unknown[] {
  return [settings.minWindowMs, settings.maxWindowMs, settings.defaultWindowMs, settings.mobileDefaultWindowMs, MOBILE_SDK_PROVIDERS];
}

/**
 * `CROSS JOIN LATERAL` clauses that give one connection_data_freshness row `f` (of a connection whose provider
 * is `provider`) its window `w.window_ms`, whether it is expected (`w.expected`) and overdue at `now`
 * (`w.overdue`). The window is the type's own rhythm (MEDIAN_FACTOR x median gap or P90_FACTOR x 90th
 * percentile, whichever is longer) once it has MIN_LEARNED_GAPS gaps, the provider class's default before,
 * and always between the floor and the ceiling. Parameters $first.. are windowParams(); `now` is an SQL
 * expression. One fragment for the job and the single connection's read, so the two never disagree.
 */
export function windowLateral(f: string, provider: string, now: string, first: number): string {
  const [min, max, dflt, mobileDflt, mobile] = [0, 1, 2, 3, 4].map((offset) => `$${first + offset}`);
  return `CROSS JOIN LATERAL (
      SELECT count(*) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY g) AS median, percentile_cont(0.9) WITHIN GROUP (ORDER BY g) AS p90
      FROM unnest(${f}.gaps_ms) AS g WHERE g >= ${min}::bigint / ${BURST_DIVISOR}) s
    CROSS JOIN LATERAL (
      SELECT LEAST(${max}::bigint, GREATEST(${min}::bigint, CASE
          WHEN s.n >= ${MIN_LEARNED_GAPS} THEN GREATEST(${MEDIAN_FACTOR} * s.median, ${P90_FACTOR} * s.p90)::bigint
          WHEN ${provider} = ANY(${mobile}::text[]) THEN ${mobileDflt}::bigint
          ELSE ${dflt}::bigint END)) AS window_ms,
        s.n >= ${MIN_LEARNED_GAPS} AS learned,
        ${f}.arrivals >= ${EXPECTED_AFTER_ARRIVALS} AS expected) w0
    CROSS JOIN LATERAL (
      SELECT w0.window_ms, w0.learned, w0.expected,
        ${f}.last_received_at < ${now} - w0.window_ms * interval '1 millisecond' AS overdue) w`;
}
