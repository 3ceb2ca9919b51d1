/**
 * A per-process budget of something requests hold while in flight: webhook body bytes (WEBHOOK_INFLIGHT_BYTES),
 * the JSON values Postgres is parsing (WEBHOOK_INFLIGHT_VALUES), health data bytes being read
 * (DATA_READ_INFLIGHT_BYTES). What does not fit is refused at once, never queued: the caller gets a 503 with
 * Retry-After, and waiting requests would hold their sockets and buffers anyway.
 */
export class InflightBudget {
  private used = 0;

  constructor(readonly capacity: number) {}

  get inUse(): number {
    return this.used;
  }

  get available(): number {
    return this.capacity - this.used;
  }

  tryReserve(bytes: number): boolean {
    if (this.used + bytes > this.capacity) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}
