export * from './webhook-queue.contract';
export * from './webhook-jobs';
export * from './queue.module';
export * from './webhook-job-options';
export * from './producer-queue';
export * from './webhook-enqueuer';
export * from './job-failure';
export * from './maintenance-queue';
