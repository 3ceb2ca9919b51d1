import { HealthDataType, isCalendarDateOrDateTime } from '@terra-connections/persistence';
import { isJsonObject } from '@terra-connections/terra';

/** One health_data row to upsert, derived from one item of a data event. */
export interface HealthDataRecord {
  dataKey: string;
  summaryId: string | null;
  /** YYYY-MM-DD as the provider wrote it (local day), not converted to UTC. */
  date: string | null;
  startTime: string | null;
  endTime: string | null;
  item: unknown;
}

const DATE_PREFIX = /^(\d{4})-(\d{2})-(\d{2})/;
const DAY_KEYED = new Set<string>([HealthDataType.Body, HealthDataType.Daily, HealthDataType.Nutrition, HealthDataType.Menstruation]);
const SUMMARY_KEYED = new Set<string>([HealthDataType.Activity, HealthDataType.Sleep]);

/**
 * A real calendar day: Date.parse rolls `2026-02-30` over to March 2nd, Postgres rejects it (22008) and one
 * such item would fail its whole event. Year 0 does not exist in Postgres either.
 */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 1) return false;
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A string that starts like a date but is not one (`2026-02-30T...`): the item is skipped, not stored. */
function hasInvalidDate(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = DATE_PREFIX.exec(value);
  return match !== null && !isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** A time Postgres stores as given; anything else (`1`, `Tue`, a +20:00 offset) is kept as unknown, not failed on. */
function timestamp(value: unknown): string | null {
  return isCalendarDateOrDateTime(value) ? (value as string) : null;
}

/**
 * Terra's documented keys (terra-contract.md §5, §5.1): summary_id for activity and sleep (items without one are
 * skipped); for daily, body, nutrition and menstruation the day sliced from the first 10 characters of
 * metadata.start_time (converting to UTC first would move `2026-03-30T00:00:00+01:00` to the 29th); one
 * athlete per connection. Returns null for an item that has no key, and for one whose start or end time
 * is not a real calendar date (treated as keyless: skipped, the rest of the event still applies).
 */
export function healthDataRecord(type: string, item: unknown): HealthDataRecord | null {
  if (type === HealthDataType.Athlete) {
    return isJsonObject(item) ? { dataKey: 'athlete', summaryId: null, date: null, startTime: null, endTime: null, item } : null;
  }
  if (!isJsonObject(item) || !isJsonObject(item.metadata)) return null;
  const metadata = item.metadata;
  if (hasInvalidDate(metadata.start_time) || hasInvalidDate(metadata.end_time)) return null;
  const startTime = timestamp(metadata.start_time);
  const date = typeof metadata.start_time === 'string' && DATE_PREFIX.test(metadata.start_time) ? metadata.start_time.slice(0, 10) : null;
  const base = { startTime, endTime: timestamp(metadata.end_time), date, item };
  if (SUMMARY_KEYED.has(type)) {
    const summary = metadata.summary_id;
    const summaryId = typeof summary === 'string' && summary.length > 0 ? summary : typeof summary === 'number' ? String(summary) : null;
    return summaryId && summaryId.length <= 200 ? { ...base, dataKey: summaryId, summaryId } : null;
  }
  if (DAY_KEYED.has(type)) return date ? { ...base, dataKey: date, summaryId: null } : null;
  return null;
}
