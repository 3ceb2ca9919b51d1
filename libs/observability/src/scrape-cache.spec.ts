import { ScrapeCache } from './scrape-cache';

describe('ScrapeCache', () => {
  it('reads once per ttl and shares a read in flight', async () => {
    let now = 0;
    let reads = 0;
    const cache = new ScrapeCache(15_000, async () => ++reads, () => now);
    expect(await Promise.all([cache.get(), cache.get(), cache.get()])).toEqual([1, 1, 1]);
    now = 14_999;
    expect(await cache.get()).toBe(1);
    now = 15_000;
    expect(await cache.get()).toBe(2);
    expect(reads).toBe(2);
  });

  it('does not cache a failure', async () => {
    let fail = true;
    const cache = new ScrapeCache(15_000, async () => {
      if (fail) throw new Error('down');
      return 'ok';
    });
    await expect(cache.get()).rejects.toThrow('down');
    fail = false;
    expect(await cache.get()).toBe('ok');
  });
});
