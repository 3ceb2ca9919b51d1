/**
 * Caches the value of an expensive read for `ttlMs`, and shares one read between callers that arrive while
 * it runs: scrapes from several Prometheus servers, or several gauges fed by one query, cost one read.
 * A failed read is not cached; the next call tries again.
 */
export class ScrapeCache<T> {
  private value?: { at: number; data: T };
  private inFlight?: Promise<T>;

  constructor(
    private readonly ttlMs: number,
    private readonly read: () => Promise<T>,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    if (this.value && this.now() - this.value.at < this.ttlMs) return Promise.resolve(this.value.data);
    this.inFlight ??= this.read()
      .then((data) => {
        this.value = { at: this.now(), data };
        return data;
      })
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }
}
