export * from './secret-box';
export * from './webhook-endpoint';
export * from './webhook-endpoints.errors';
export * from './webhook-endpoints.service';
export * from './endpoint-deliveries.query';
export * from './events.module';
