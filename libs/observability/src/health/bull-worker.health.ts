import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Worker } from 'bullmq';
import { withDeadline } from '../with-deadline';
import { HEALTH_PING_TIMEOUT_MS, pingRedis } from './redis.health';

/**
 * Up only while the worker is consuming: its fetch loop runs, it is not paused, and both of its Redis
 * connections are ready and the command one answers a PING. A worker whose connections are stuck
 * reconnecting after a Redis failover (or whose loop died) is down, so an orchestrator restarts it.
 */
@Injectable()
export class BullWorkerHealthIndicator {
  constructor(private readonly health: HealthIndicatorService) {}

  async check<K extends string>(key: K, worker: Worker): Promise<HealthIndicatorResult<K>> {
    const indicator = this.health.check(key);
    if (!worker.isRunning()) return indicator.down({ message: 'worker is not running' });
    if (worker.isPaused()) return indicator.down({ message: 'worker is paused' });
    try {
      // waitUntilReady() resolves to the connection the worker's blocking fetch runs on.
      const [client, blockingClient] = await withDeadline(
        Promise.all([worker.client, worker.waitUntilReady()]),
        HEALTH_PING_TIMEOUT_MS,
        'Redis',
      );
      for (const [name, connection] of [['command', client], ['blocking', blockingClient]] as const) {
        if (connection.status !== 'ready') return indicator.down({ message: `${name} connection is ${connection.status}` });
      }
      await pingRedis(client);
      return indicator.up({ concurrency: worker.concurrency });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
