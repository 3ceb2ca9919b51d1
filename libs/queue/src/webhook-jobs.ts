import type { Job, JobSchedulerTemplateOptions, JobsOptions, Queue, RepeatOptions } from 'bullmq';
import type { WebhookJobName, WebhookJobPayloads } from './webhook-queue.contract';

/** A value that is every member of the union U at once. */
type AllOf<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void ? I : never;

/**
 * The payload of a job named N. When N is only known as a union (`name: WebhookJobName`), the payload must
 * fit each of those jobs, so a name chosen at run time cannot carry a payload meant for another job.
 */
export type WebhookJobPayload<N extends WebhookJobName> = AllOf<WebhookJobPayloads[N]>;

/**
 * The one way a job enters the webhook queue: the name picks its payload type (WebhookJobPayloads), so the
 * worker never gets an apply job without an eventId. Options go through as given: job ids are persisted
 * identifiers (webhook-queue.contract.ts) and each producer builds them with webhook-job-options.ts.
 */
export function addWebhookJob<N extends WebhookJobName>(
  queue: Queue,
  name: N,
  payload: WebhookJobPayload<N>,
  options: JobsOptions,
): Promise<Job> {
  return queue.add(name, payload, options);
}

/** The same door for repeatable jobs: creates or updates the scheduler `schedulerId` (a persisted id too). */
export function upsertWebhookJobScheduler<N extends WebhookJobName>(
  queue: Queue,
  schedulerId: string,
  repeat: Omit<RepeatOptions, 'key'>,
  name: N,
  payload: WebhookJobPayload<N>,
  options: JobSchedulerTemplateOptions,
): Promise<Job> {
  return queue.upsertJobScheduler(schedulerId, repeat, { name, data: payload, opts: options });
}
