import { isCalendarDateOrDateTime } from './calendar-date.validator';

describe('isCalendarDateOrDateTime', () => {
  it.each(['2026-11-01', '2024-02-29', '2026-11-01T07:30', '2026-11-01T07:30:15.123456Z', '2026-03-30T00:00:00+01:00'])(
    'accepts %s',
    (value) => expect(isCalendarDateOrDateTime(value)).toBe(true),
  );

  it.each(['2026-02-30', '2025-02-29', '2026-13-45', '2026-01-01T25:00', '2026-01-01T10:60', '2026-1-1', 'yesterday', ''])(
    'rejects %s',
    (value) => expect(isCalendarDateOrDateTime(value)).toBe(false),
  );
});
