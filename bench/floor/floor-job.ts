import type { JobsOptions } from 'bullmq';

/** The floor's apply job: the product's job id (row id and received_at, see applyEventJobId), retried, gone once done. */
export function floorJobOptions(eventId: string, receivedAtUs: string): JobsOptions {
  return { jobId: `evt-${eventId}-${BigInt(receivedAtUs).toString(36)}`, attempts: 16, removeOnComplete: true, removeOnFail: 10_000 };
}
