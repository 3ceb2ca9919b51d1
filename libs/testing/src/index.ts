export * from './test-database';
export * from './test-env';
export * from './wait-for';
export * from './fake-terra.server';
export * from './signed-webhook';
export * from './tcp-proxy';
export * from './app-process';
export * from './drop-queue-prefix';
