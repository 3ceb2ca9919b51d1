/** At most `limit` holders at once; waiters are served first come, first served. */
export class ConcurrencyLimiter {
  private waiting: (() => void)[] = [];
  private head = 0;
  private active = 0;
  private open = true;

  constructor(private readonly limit: number) {}

  acquire(): Promise<void> {
    if (this.active < this.limit || !this.open) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.active += 1;
        resolve();
      }),
    );
  }

  release(): void {
    this.active -= 1;
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head];
      this.head += 1;
      // Compact now and then instead of shift(), which is O(n) per call on a long queue.
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.head);
        this.head = 0;
      }
      next();
    }
  }

  /** Lets every waiter through at once and stops limiting (shutdown: they see `closed` and stop). */
  drain(): void {
    this.open = false;
    const waiters = this.waiting.slice(this.head);
    this.waiting = [];
    this.head = 0;
    for (const waiter of waiters) waiter();
  }
}
