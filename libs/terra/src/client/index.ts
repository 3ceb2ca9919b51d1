export * from './terra-api.errors';
export * from './terra-client.types';
export * from './terra-widget-session.client';
export * from './terra.gateway';
export * from './terra-client.module';
export * from './terra-data-request';
