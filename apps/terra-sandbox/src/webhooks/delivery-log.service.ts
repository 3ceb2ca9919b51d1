import { Inject, Injectable } from '@nestjs/common';
import { SANDBOX_CONFIG, type SandboxConfig } from '../config/sandbox-config';
import { BoundedMap } from '../common/bounded-map';
import type { DeliveryRecord, DeliveryStatus } from './delivery-record';

export interface DeliveryFilter {
  user_id?: string;
  type?: string;
  status?: DeliveryStatus;
  limit: number;
}

/** The last SANDBOX_LOG_LIMIT deliveries by id, indexed by user so per-user listings skip the rest. */
@Injectable()
export class DeliveryLog {
  private readonly records: BoundedMap<string, DeliveryRecord>;
  private readonly byUser = new Map<string, Set<string>>();

  constructor(@Inject(SANDBOX_CONFIG) config: SandboxConfig) {
    this.records = new BoundedMap(config.SANDBOX_LOG_LIMIT, (id, record) => this.unindex(id, record));
  }

  add(record: DeliveryRecord): void {
    this.records.set(record.id, record);
    for (const userId of record.user_ids) {
      let ids = this.byUser.get(userId);
      if (!ids) this.byUser.set(userId, (ids = new Set()));
      ids.add(record.id);
    }
  }

  get(id: string): DeliveryRecord | undefined {
    return this.records.get(id);
  }

  get size(): number {
    return this.records.size;
  }

  /** Newest first. */
  list(filter: DeliveryFilter): DeliveryRecord[] {
    const candidates: DeliveryRecord[] = filter.user_id
      ? [...(this.byUser.get(filter.user_id) ?? [])].map((id) => this.records.get(id) as DeliveryRecord)
      : [...this.records.values()];
    const out: DeliveryRecord[] = [];
    for (let i = candidates.length - 1; i >= 0 && out.length < filter.limit; i -= 1) {
      const record = candidates[i];
      if (filter.type && record.type !== filter.type) continue;
      if (filter.status && record.status !== filter.status) continue;
      out.push(record);
    }
    return out;
  }

  reset(): void {
    this.records.clear();
    this.byUser.clear();
  }

  private unindex(id: string, record: DeliveryRecord): void {
    for (const userId of record.user_ids) {
      const ids = this.byUser.get(userId);
      ids?.delete(id);
      if (ids?.size === 0) this.byUser.delete(userId);
    }
  }
}
