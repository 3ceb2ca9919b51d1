import { MAX_WEBHOOK_RETRIES, retryDelayMs } from './retry-schedule';

describe('retryDelayMs', () => {
  it('doubles from 30 s (never past 8 h) and stops after 10 retries', () => {
    const delays = Array.from({ length: MAX_WEBHOOK_RETRIES }, (_, i) => retryDelayMs(i + 1, 1));
    expect(delays.slice(0, 4)).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(Math.max(...(delays as number[]))).toBeLessThanOrEqual(8 * 3600 * 1000);
    expect(retryDelayMs(10, 1)).toBe(30_000 * 2 ** 9);
    expect(retryDelayMs(11, 1)).toBeUndefined();
  });

  it('scales every delay', () => {
    expect(retryDelayMs(1, 0.001)).toBeCloseTo(30);
    expect(retryDelayMs(3, 0.5)).toBe(60_000);
  });
});
