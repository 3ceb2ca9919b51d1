const DATE_OR_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2})(?::?(\d{2}))?)?)?$/;

/**
 * A day (YYYY-MM-DD) or an ISO 8601 date-time (`T` or a space between) that exists on the calendar and that
 * Postgres stores as a timestamptz. The shape alone lets 2026-02-30, 25:00 or a +16:00 offset through, and
 * `Date.parse` also takes `1` or `+275760-09-13`: Postgres rejects each mid-statement, which fails a query
 * parameter with a 500 (the API validates with this) and a whole data event with one bad item (the worker keeps
 * such an item's time as unknown).
 */
export function isCalendarDateOrDateTime(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = DATE_OR_DATETIME.exec(value);
  if (!match) return false;
  const [year, month, day, hour = '0', minute = '0', second = '0', offsetHour = '0', offsetMinute = '0'] = match
    .slice(1)
    .map((part) => part ?? undefined);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999. Postgres has no year 0.
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  const sameDay =
    Number(year) >= 1 &&
    date.getUTCFullYear() === Number(year) && date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
  return (
    sameDay &&
    Number(hour) < 24 &&
    Number(minute) < 60 &&
    Number(second) < 60 &&
    // Postgres refuses a UTC offset of 16:00 or more (22009, "time zone displacement out of range").
    Number(offsetHour) < 16 &&
    Number(offsetMinute) < 60
  );
}
