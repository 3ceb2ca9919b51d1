export * from './connections.errors';
export * from './connection-cursor';
export * from './connection.view';
export * from './connections.service';
export * from './connection-attempts.service';
export * from './providers.service';
export * from './connections.module';
