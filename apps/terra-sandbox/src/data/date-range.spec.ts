import { daysBetween, lastDays, parseDateParam } from './date-range';

describe('date-range', () => {
  it('parses dates, unix seconds and ISO date-times, rejecting nonsense', () => {
    expect(parseDateParam('2025-11-04')?.toISOString()).toBe('2025-11-04T00:00:00.000Z');
    expect(parseDateParam('1762214400')?.toISOString()).toBe('2025-11-04T00:00:00.000Z');
    expect(parseDateParam('2025-11-04T10:00:00Z')?.toISOString()).toBe('2025-11-04T10:00:00.000Z');
    expect(parseDateParam('2025-02-30')).toBeUndefined();
    expect(parseDateParam('yesterday')).toBeUndefined();
  });

  it('covers both ends of the range and defaults the end to today', () => {
    const start = new Date('2025-11-01T00:00:00Z');
    expect(daysBetween(start, new Date('2025-11-03T00:00:00Z'))).toEqual(['2025-11-01', '2025-11-02', '2025-11-03']);
    expect(daysBetween(start, undefined, new Date('2025-11-02T12:00:00Z'))).toEqual(['2025-11-01', '2025-11-02']);
    expect(lastDays(2, new Date('2025-11-02T12:00:00Z'))).toEqual(['2025-11-01', '2025-11-02']);
  });
});
