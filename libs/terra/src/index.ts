export * from './queue/webhook-queue.contract';
export * from './queue/queue.module';
export * from './client';
export * from './webhooks/terra-event-type';
export * from './webhooks/terra-event-envelope';
export * from './webhooks/terra-signature';
