/**
 * Bytes of webhook bodies one process holds at once (WEBHOOK_INFLIGHT_BYTES), over every request in flight.
 * Bytes are reserved as they are kept and given back once the delivery is answered, so they stay counted
 * through the parse and the insert of a large body. What does not fit is refused at once, never queued: Terra retries a
 * 503, and waiting requests would hold their sockets and buffers anyway.
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
