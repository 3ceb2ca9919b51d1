export * from './queue/webhook-queue.contract';
export * from './queue/queue.module';
