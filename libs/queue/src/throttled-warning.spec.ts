import { throttledWarning } from './throttled-warning';

describe('throttledWarning', () => {
  it('logs the first warning of each window and drops the rest', () => {
    const logged: string[] = [];
    let clock = 1_000;
    const warn = throttledWarning({ warn: (message: string) => void logged.push(message) }, 30_000, () => clock);
    warn('Redis down 1');
    clock += 10_000;
    warn('Redis down 2');
    clock += 25_000;
    warn('Redis down 3');
    warn('Redis down 4');
    expect(logged).toEqual(['Redis down 1', 'Redis down 3']);
  });
});
