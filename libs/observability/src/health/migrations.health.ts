import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { pendingMigrations } from '@terra-connections/persistence';
import { withDeadline } from '../with-deadline';
import { HEALTH_PING_TIMEOUT_MS } from './redis.health';

/** Down while the database is behind the code: a deploy whose `migrate` step did not run (or failed). */
@Injectable()
export class MigrationsHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly dataSource: DataSource,
  ) {}

  async check<K extends string>(key: K): Promise<HealthIndicatorResult<K>> {
    const indicator = this.health.check(key);
    try {
      const pending = await withDeadline(pendingMigrations(this.dataSource), HEALTH_PING_TIMEOUT_MS, 'Postgres');
      return pending.length === 0 ? indicator.up() : indicator.down({ message: 'migrations pending', pending });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
