import { ConcurrencyLimiter } from './concurrency-limiter';

describe('ConcurrencyLimiter', () => {
  it('lets `limit` holders in and the next waiter in as one leaves, in order', async () => {
    const limiter = new ConcurrencyLimiter(2);
    const order: number[] = [];
    await limiter.acquire();
    await limiter.acquire();
    const third = limiter.acquire().then(() => order.push(3));
    const fourth = limiter.acquire().then(() => order.push(4));
    await Promise.resolve();
    expect(order).toEqual([]);
    limiter.release();
    await third;
    expect(order).toEqual([3]);
    limiter.release();
    await fourth;
    expect(order).toEqual([3, 4]);
  });

  it('drain releases every waiter', async () => {
    const limiter = new ConcurrencyLimiter(1);
    await limiter.acquire();
    const waiters = [limiter.acquire(), limiter.acquire()];
    limiter.drain();
    await expect(Promise.all(waiters)).resolves.toHaveLength(2);
  });
});
