import type { JobsOptions } from 'bullmq';

/** The floor's apply job: the row id only, retried, gone once done. */
export function floorJobOptions(eventId: string): JobsOptions {
  return { jobId: `evt-${eventId}`, attempts: 16, removeOnComplete: true, removeOnFail: 10_000 };
}
