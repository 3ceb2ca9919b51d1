import { deriveStatus, monthsOf, splitRange } from './backfill.model';
import { modalMonth } from './backfill-tracking';

describe('backfill model', () => {
  const req = (status: Parameters<typeof deriveStatus>[0][number]['status'], extra: { nextAt?: Date | null; requestsMade?: number } = {}) => ({
    status,
    nextAt: extra.nextAt ?? null,
    requestsMade: extra.requestsMade ?? 0,
  });

  it('derives a backfill status from its requests', () => {
    expect(deriveStatus([req('scheduled'), req('scheduled')])).toBe('scheduled');
    expect(deriveStatus([req('sent', { requestsMade: 1 }), req('scheduled')])).toBe('running');
    expect(deriveStatus([req('completed'), req('scheduled')])).toBe('running');
    expect(deriveStatus([req('waiting'), req('completed')])).toBe('waiting');
    expect(deriveStatus([req('stalled', { nextAt: new Date() }), req('sent')])).toBe('stalled');
    expect(deriveStatus([req('completed'), req('completed')])).toBe('completed');
    expect(deriveStatus([req('completed'), req('failed')])).toBe('failed');
    expect(deriveStatus([req('completed'), req('stalled')])).toBe('stalled');
    expect(deriveStatus([req('failed'), req('sent')])).toBe('running');
  });

  it('splits a range into slices of at most n days, ends included', () => {
    expect(splitRange('2026-01-01', '2026-01-10', 4)).toEqual([
      { start: '2026-01-01', end: '2026-01-04' },
      { start: '2026-01-05', end: '2026-01-08' },
      { start: '2026-01-09', end: '2026-01-10' },
    ]);
    expect(splitRange('2026-01-01', '2026-01-01', 365)).toEqual([{ start: '2026-01-01', end: '2026-01-01' }]);
  });

  it('cuts a range at calendar-month boundaries, as Terra chunks it', () => {
    expect(monthsOf('2026-01-20', '2026-03-02')).toEqual([
      { start: '2026-01-20', end: '2026-01-31' },
      { start: '2026-02-01', end: '2026-02-28' },
      { start: '2026-03-01', end: '2026-03-02' },
    ]);
    expect(monthsOf('2026-12-01', '2026-12-31')).toEqual([{ start: '2026-12-01', end: '2026-12-31' }]);
  });

  it("names a chunk by the month most of its days fall in (a night starting on the evening before the 1st)", () => {
    expect(modalMonth(['2026-01-31', '2026-02-01', '2026-02-02'])).toBe('2026-02');
    expect(modalMonth([])).toBeNull();
  });
});
