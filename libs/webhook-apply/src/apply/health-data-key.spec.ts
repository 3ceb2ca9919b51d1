import { healthDataRecord } from './health-data-key';

describe('healthDataRecord', () => {
  it('keys activity and sleep by summary_id and skips items without one', () => {
    const item = { metadata: { summary_id: 'abc', start_time: '2025-11-04T07:04:11.000000+00:00' } };
    expect(healthDataRecord('activity', item)).toMatchObject({ dataKey: 'abc', summaryId: 'abc', date: '2025-11-04' });
    expect(healthDataRecord('sleep', { metadata: { start_time: '2025-11-04T23:00:00-05:00' } })).toBeNull();
    expect(healthDataRecord('activity', { metadata: { summary_id: 12345 } })).toMatchObject({ dataKey: '12345' });
  });

  it('keys day data by the first 10 characters of start_time, never converted to UTC', () => {
    const item = { metadata: { start_time: '2026-03-30T00:00:00+01:00', end_time: '2026-03-31T00:00:00+01:00' } };
    expect(healthDataRecord('daily', item)).toMatchObject({ dataKey: '2026-03-30', date: '2026-03-30' });
    expect(healthDataRecord('body', { metadata: { start_time: 'garbage' } })).toBeNull();
    expect(healthDataRecord('nutrition', { metadata: {} })).toBeNull();
  });

  it('keeps one athlete per connection', () => {
    expect(healthDataRecord('athlete', { first_name: 'J' })).toMatchObject({ dataKey: 'athlete', startTime: null });
    expect(healthDataRecord('athlete', null)).toBeNull();
  });

  it('drops unparseable timestamps instead of failing the event', () => {
    expect(healthDataRecord('activity', { metadata: { summary_id: 'x', start_time: 'soon' } })).toMatchObject({ startTime: null, date: null });
  });

  it('skips items whose start or end is not a real calendar date (Postgres would fail the whole event)', () => {
    expect(healthDataRecord('daily', { metadata: { start_time: '2026-02-30T00:00:00+01:00' } })).toBeNull();
    expect(healthDataRecord('daily', { metadata: { start_time: '2026-13-01T00:00:00Z' } })).toBeNull();
    expect(healthDataRecord('activity', { metadata: { summary_id: 'x', start_time: '2026-04-31T10:00:00Z' } })).toBeNull();
    expect(healthDataRecord('sleep', { metadata: { summary_id: 'y', start_time: '2026-02-28T22:00:00Z', end_time: '2026-02-29T06:00:00Z' } })).toBeNull();
    expect(healthDataRecord('daily', { metadata: { start_time: '2028-02-29T00:00:00+01:00' } })).toMatchObject({ dataKey: '2028-02-29' });
  });
});
