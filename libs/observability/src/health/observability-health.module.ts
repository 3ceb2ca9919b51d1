import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { BullWorkerHealthIndicator } from './bull-worker.health';
import { MigrationsHealthIndicator } from './migrations.health';
import { RedisHealthIndicator } from './redis.health';

const INDICATORS = [RedisHealthIndicator, MigrationsHealthIndicator, BullWorkerHealthIndicator];

/**
 * Terminus (HealthCheckService, the TypeORM ping) plus our indicators. Terminus' logger is off: a failed
 * probe is an answer (503 with the details), not an error to log on every poll.
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  providers: INDICATORS,
  exports: [TerminusModule, ...INDICATORS],
})
export class ObservabilityHealthModule {}
