export * from './client';
export * from './webhooks/terra-event-type';
export * from './webhooks/terra-event-envelope';
export * from './webhooks/terra-signature';
export * from './events/terra-scopes';
export * from './events/terra-event';
export * from './events/parse-terra-event';
