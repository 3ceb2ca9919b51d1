import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { throttledWarning } from './throttled-warning';
import { TERRA_MAINTENANCE_QUEUE, TERRA_WEBHOOK_QUEUE } from './webhook-queue.contract';

/**
 * A BullMQ Queue without an `error` listener prints every Redis connection error to stderr as a raw stack
 * trace. This gives the module's queue a listener that logs through Nest's logger, rate limited.
 */
@Injectable()
export class QueueErrorLogger implements OnModuleInit {
  private readonly warn = throttledWarning(new Logger('WebhookQueue'));

  constructor(
    @InjectQueue(TERRA_WEBHOOK_QUEUE) private readonly queue: Queue,
    @InjectQueue(TERRA_MAINTENANCE_QUEUE) private readonly maintenance: Queue,
  ) {}

  onModuleInit(): void {
    for (const queue of [this.queue, this.maintenance]) {
      queue.on('error', (error: Error) => this.warn(`Redis unavailable for the ${queue.name} queue: ${error.message}`));
    }
  }
}
