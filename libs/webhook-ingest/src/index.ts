export * from './webhook-ingest.errors';
export * from './inbox/inbox-writer';
export * from './inbox/terra-webhook.receiver';
export * from './read/page-cursor';
export * from './read/health-data.query';
export * from './read/webhook-events.query';
export * from './replay/webhook-replay.service';
export * from './webhook-ingest.providers';
