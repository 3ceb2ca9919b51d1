import { ValidateBy, type ValidationOptions } from 'class-validator';

const DATE_OR_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))?)?$/;

/**
 * A day (YYYY-MM-DD) or an ISO 8601 date-time that exists on the calendar. The shape alone lets 2026-02-30 or
 * 25:00 through, and Postgres would then reject the value mid-query (a 500 instead of a 400).
 */
export function isCalendarDateOrDateTime(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = DATE_OR_DATETIME.exec(value);
  if (!match) return false;
  const [year, month, day, hour = '0', minute = '0', second = '0', offsetHour = '0', offsetMinute = '0'] = match
    .slice(1)
    .map((part) => part ?? undefined);
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const sameDay =
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

export function IsCalendarDateOrDateTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDateOrDateTime',
      validator: {
        validate: isCalendarDateOrDateTime,
        defaultMessage: (args) => `${args?.property} must be a real date (YYYY-MM-DD) or an ISO 8601 date-time`,
      },
    },
    options,
  );
}
