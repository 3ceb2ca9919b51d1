import { rhythmSchedule } from './scenario.service';

describe('rhythmSchedule', () => {
  it('daily: once a day, then nothing', () => {
    expect(rhythmSchedule('daily', 4, 'u')).toEqual([0.5, 1.5, 2.5, 3.5]);
  });

  it('weekdays: Monday to Friday, Friday evening to Monday morning across the weekend', () => {
    const schedule = rhythmSchedule('weekdays', 14, 'u');
    expect(schedule).toEqual([0.2, 1.5, 2.5, 3.5, 4.8, 7.2, 8.5, 9.5, 10.5, 11.8]);
    expect(schedule[5] - schedule[4]).toBeCloseTo(2.4);
  });

  it('irregular: gaps of 0.3 to 1.8 days, the same for the same user', () => {
    const schedule = rhythmSchedule('irregular', 30, 'phone-1');
    const gaps = schedule.slice(1).map((at, i) => at - schedule[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(0.299);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(1.801);
    expect(new Set(gaps.map((gap) => gap.toFixed(2))).size).toBeGreaterThan(5);
    expect(rhythmSchedule('irregular', 30, 'phone-1')).toEqual(schedule);
  });
});
