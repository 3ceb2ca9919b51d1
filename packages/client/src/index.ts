export { createTerraConnectionsClient, type TerraConnectionsClient, type TerraConnectionsClientOptions } from './client';
export { isOutboundEvent, type FeedEvent, type OutboundEvent, type OutboundEventOf, type OutboundEventType } from './events';
export { verifyEvent, type WebhookHeaders } from './verify-event';
export { WebhookVerificationError } from 'standardwebhooks';
export type { components, paths, webhooks } from './schema';
