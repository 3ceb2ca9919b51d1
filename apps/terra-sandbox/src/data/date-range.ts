const DAY_MS = 86_400_000;
/** Terra's per-request span limit (terra-contract.md §11: a longer request is refused with 429, rule r1). */
export const MAX_RANGE_DAYS = 1825;

/** `YYYY-MM-DD`, 10-digit unix seconds, or an ISO date-time (what the SDK passes through). */
export function parseDateParam(value: string): Date | undefined {
  const trimmed = value.trim();
  if (/^\d{9,11}$/.test(trimmed)) return new Date(Number(trimmed) * 1000);
  if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) {
    const date = new Date(`${trimmed}T00:00:00.000Z`);
    return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== trimmed ? undefined : date;
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) {
    const date = new Date(trimmed);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}

export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * The calendar days (UTC) a request covers, both ends included. Without an end date Terra reads up to now,
 * so the range ends today (or on the start day when that lies in the future).
 */
export function daysBetween(start: Date, end: Date | undefined, now = new Date()): string[] {
  const first = Date.parse(`${dayOf(start)}T00:00:00.000Z`);
  const lastDate = end ?? (start.getTime() > now.getTime() ? start : now);
  const last = Date.parse(`${dayOf(lastDate)}T00:00:00.000Z`);
  const days: string[] = [];
  for (let t = first; t <= last && days.length <= MAX_RANGE_DAYS; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** The `count` days ending today, oldest first (for data the sandbox pushes on its own). */
export function lastDays(count: number, now = new Date()): string[] {
  const today = Date.parse(`${dayOf(now)}T00:00:00.000Z`);
  return Array.from({ length: count }, (_, i) => new Date(today - (count - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}

export function addDays(day: string, offset: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + offset * DAY_MS).toISOString().slice(0, 10);
}
