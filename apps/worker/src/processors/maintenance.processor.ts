import { Processor } from '@nestjs/bullmq';
import { TERRA_MAINTENANCE_QUEUE, webhookBackoffStrategy } from '@terra-connections/queue';
import { TerraWebhookProcessor } from './terra-webhook.processor';

/**
 * The consumer of the maintenance queue (sweep, reconcile, prune): the same dispatch, log lines, metrics and
 * shutdown as the webhook queue's processor, on its own BullMQ worker. The webhook processor still runs those
 * job names too, for runs a previous release left on the webhook queue.
 */
@Processor(TERRA_MAINTENANCE_QUEUE, { autorun: false, settings: { backoffStrategy: webhookBackoffStrategy } })
export class MaintenanceProcessor extends TerraWebhookProcessor {}
